"""Correcting what was entered, in the browser (issue 17): edit a task, delete it and undo, confirmation
dialogs, a programme item edited in place with the clock, feedback corrected and the average changing,
and the meeting page's section navigation."""

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from brukermote.attendance import services as attendance_services
from brukermote.auth.services import create_user
from brukermote.core.timeutil import local_today, utcnow
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import Meeting, MeetingStatus, MeetingType, ProgrammeItem, ProgrammeKind, Task
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _meeting(days=30, topic="Bolig") -> Meeting:
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic=topic, day=local_today() + dt.timedelta(days=days),
        start=dt.time(13, 30), end=dt.time(15, 30)))
    db.session.commit()
    return meeting


@pytest.fixture
def member(live_app):
    user = create_user("ny@example.org", "Nora Ny", PASSWORD)
    db.session.commit()
    return user


def test_edit_a_task_delete_it_after_confirming_and_undo(page, live_server, member):
    meeting = _meeting()
    task = db.session.scalar(sa.select(Task).where(Task.meeting_id == meeting.id).order_by(Task.id))
    title = task.title
    sign_in(page, live_server, "ny@example.org")
    page.goto(f"{live_server.url}/meetings/{meeting.id}#checklist")
    row = page.locator(f"#task-{task.id}")
    row.get_by_text("Rediger", exact=True).click()
    editor = row.locator("details.row-edit")
    editor.get_by_label("Oppgave").fill("Bestill halal pizza til 40")
    editor.get_by_label("Dager i forhold til møtet").fill("-2")
    editor.get_by_label("Ansvarlig").select_option(label="Nora Ny")
    editor.get_by_role("button", name="Lagre").click()
    page.get_by_text("Oppgaven er lagret.").wait_for()
    row = page.locator(f"#task-{task.id}")
    assert row.locator("td.task-title").inner_text() == "Bestill halal pizza til 40"
    assert row.locator("select[name=assignee_id]").input_value() == str(member.id)

    # Delete: the dialog asks; «No» keeps the task.
    row.get_by_role("button", name="Slett: Bestill halal pizza til 40").click()
    dialog = page.locator("dialog#confirm-dialog")
    dialog.wait_for()
    assert dialog.get_by_text("Vil du slette oppgaven «Bestill halal pizza til 40»?").is_visible()
    dialog.get_by_role("button", name="Nei, gå tilbake").click()
    assert not dialog.is_visible()
    assert page.locator(f"#task-{task.id}").count() == 1
    db.session.expire_all()
    assert db.session.get(Task, task.id) is not None

    # «Yes» deletes, and «Angre» puts it back as it was.
    page.locator(f"#task-{task.id}").get_by_role("button", name="Slett: Bestill halal pizza til 40").click()
    dialog.get_by_role("button", name="Ja, fortsett").click()
    page.get_by_text("Oppgaven «Bestill halal pizza til 40» er slettet.").wait_for()
    assert page.locator(f"#task-{task.id}").count() == 0
    expect(page.get_by_role("button", name="Angre")).to_be_in_viewport()  # though the page is at #checklist
    page.get_by_role("button", name="Angre").click()
    page.get_by_text("Angret: det er tilbake.").wait_for()
    assert page.locator(f"#task-{task.id} td.task-title").inner_text() == "Bestill halal pizza til 40"
    assert title != "Bestill halal pizza til 40"
    db.session.expire_all()
    assert db.session.get(Task, task.id).assignee_id == member.id


def test_without_javascript_the_confirmation_is_a_page(browser, live_server, member):
    meeting = _meeting()
    meeting_services.add_programme_item(meeting, ProgrammeKind.talk, "Bostøtte", 20)
    db.session.commit()
    context = browser.new_context(locale="nb-NO", java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, live_server, "ny@example.org")
        page.goto(f"{live_server.url}/meetings/{meeting.id}/programme")
        page.get_by_role("button", name="Fjern: Bostøtte").click()
        page.get_by_role("heading", name="Vil du ta «Bostøtte» ut av programmet?").wait_for()
        page.get_by_role("link", name="Nei, gå tilbake").click()
        page.get_by_role("cell", name="13:30–13:50").wait_for()
        page.get_by_role("button", name="Fjern: Bostøtte").click()
        page.get_by_role("button", name="Ja, fortsett").click()
        page.get_by_text("«Bostøtte» er tatt ut av programmet.").wait_for()
        db.session.expire_all()
        assert db.session.scalar(sa.select(sa.func.count(ProgrammeItem.id))) == 0
        page.get_by_role("button", name="Angre").click()
        page.get_by_role("cell", name="13:30–13:50").wait_for()
    finally:
        context.close()


def test_edit_a_programme_item_in_place_and_see_the_clock(page, live_server, member):
    meeting = _meeting()
    meeting_services.add_programme_item(meeting, ProgrammeKind.welcome, "Velkommen", 10)
    talk = meeting_services.add_programme_item(meeting, ProgrammeKind.talk, "Bostøtte", 30)
    db.session.commit()
    sign_in(page, live_server, "ny@example.org")
    page.goto(f"{live_server.url}/meetings/{meeting.id}/programme")
    fit = page.locator(".clock-fit")
    assert fit.inner_text() == "Programmet er 80 minutter kortere enn møtet: det slutter kl. 14:10, møtet kl. 15:30."
    row = page.locator(f"#item-{talk.id}")
    row.get_by_text("Rediger", exact=True).click()
    row.get_by_label("Tittel").fill("Bostøtte og husbanken")
    row.get_by_label("Minutter").fill("140")
    row.get_by_role("button", name="Lagre").click()
    page.get_by_text("Programmet er lagret.").wait_for()
    assert page.locator(f"#item-{talk.id}").get_by_role("cell", name="13:40–16:00").is_visible()
    assert "Bostøtte og husbanken" in page.locator(f"#item-{talk.id}").inner_text()
    assert "Det er 30 minutter lengre enn møtet." in page.locator(".clock-fit").inner_text()
    assert page.locator(f"#item-{talk.id}.overrun").count() == 1


def test_correct_and_delete_feedback_and_see_the_average_change(page, live_server, member):
    meeting = _meeting(days=-2)
    meeting.status, meeting.published_at = MeetingStatus.published, utcnow() - dt.timedelta(days=20)
    for rating in (1, 4, 4):
        attendance_services.add_feedback(meeting, attendance_services.FeedbackData(rating=rating, language="nb"))
    db.session.commit()
    sign_in(page, live_server, "ny@example.org")
    page.goto(f"{live_server.url}/meetings/{meeting.id}/feedback")

    def average():
        return re.search(r"([\d.,]+) / 5", page.locator("#feedback-average").inner_text()).group(1).replace(",", ".")

    assert average() == "3.0"
    page.get_by_role("link", name="Rett opp tilbakemelding 1").click()
    page.get_by_label("5", exact=True).check()
    page.get_by_role("button", name="Lagre").click()
    page.get_by_text("Tilbakemeldingen er rettet.").wait_for()
    assert average() == "4.3"
    page.get_by_role("button", name="Slett tilbakemelding 1").click()
    page.locator("dialog#confirm-dialog").get_by_role("button", name="Ja, fortsett").click()
    page.get_by_text("Tilbakemeldingen er slettet.").wait_for()
    assert average() == "4.0"
    page.get_by_role("button", name="Angre").click()
    page.get_by_text("Angret: det er tilbake.").wait_for()
    assert average() == "4.3"


def test_section_navigation_of_the_meeting_page(page, live_server, member):
    meeting = _meeting()
    sign_in(page, live_server, "ny@example.org")
    page.goto(f"{live_server.url}/meetings/{meeting.id}")
    nav = page.get_by_role("navigation", name="Deler av møtesiden")
    links = nav.get_by_role("link").all_inner_texts()
    assert links == ["Plan", "Program", "Sjekkliste", "Utsendelser", "Tolker", "SMS", "Skriv ut", "Oppmøte"]
    nav.get_by_role("link", name="Sjekkliste").click()
    page.wait_for_url(re.compile(r"#checklist$"))
    heading = page.get_by_role("heading", name="Sjekkliste", exact=True)
    assert heading.is_visible()
    box = heading.bounding_box()
    assert 0 <= box["y"] < 300  # scrolled to it
    nav.get_by_role("link", name="Oppmøte").click()
    page.wait_for_url(re.compile(r"#attendance$"))
    # The last section cannot reach the top of the window; it is in view, and the checklist no longer.
    expect(page.get_by_role("heading", name="Oppmøte og tilbakemeldinger")).to_be_in_viewport()
    expect(heading).not_to_be_in_viewport()


def test_the_correction_controls_pass_an_accessibility_scan(browser, live_server, member):
    from tests.browser.axe import axe_violations

    meeting = _meeting()
    meeting_services.add_programme_item(meeting, ProgrammeKind.talk, "Bostøtte", 20)
    db.session.commit()
    context = browser.new_context(locale="nb-NO", bypass_csp=True)  # CSP bypass: axe only
    page = context.new_page()
    try:
        sign_in(page, live_server, "ny@example.org")
        for path in (f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/programme"):
            page.goto(live_server.url + path)
            for summary in page.locator("details.row-edit > summary").all()[:3]:
                summary.click()  # the forms in the rows, open
            assert axe_violations(page) == [], path
    finally:
        context.close()
