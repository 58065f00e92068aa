"""The print page and the translation review, as a committee member and a reviewer use them."""

from __future__ import annotations

from pathlib import Path

import pytest

from brukermote.auth.capabilities import grant_all
from brukermote.auth.services import create_user
from brukermote.core.jobs import create_job, finish_job
from brukermote.extensions import db
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.printing.helpers import TOPICS, make_meeting, pdftotext

pytestmark = pytest.mark.browser


@pytest.fixture
def member(live_app):
    user = create_user("ny@example.org", "Nora Ny", PASSWORD, confidential=True)
    db.session.commit()
    return user


def _draft_text(page, meeting) -> tuple[str, str]:
    page.goto(page.url.split("/meetings/")[0] + f"/meetings/{meeting.id}/print")
    assert page.get_by_label("Språk").input_value() == "nb"
    page.get_by_label("Språk").select_option("ar")  # chosen, «Kontroller» not pressed
    with page.expect_download() as info:
        page.get_by_role("button", name="Utkast-PDF (merket UTKAST)").click()
    download = info.value
    return download.suggested_filename, pdftotext(Path(download.path()).read_bytes())


def test_choosing_arabic_and_pressing_draft_downloads_the_arabic_poster(page, browser, live_server, live_app, member):
    meeting = make_meeting()
    sign_in(page, live_server, member.email)
    page.get_by_role("heading", name="Oversikt").wait_for()
    name, text = _draft_text(page, meeting)
    assert "-ar-" in name and TOPICS["ar"] in text and TOPICS["nb"] not in text
    page.screenshot(path=str(live_app.instance_path) + "/print-page.png", full_page=True)

    # The same without JavaScript: the choices are part of the form the button submits.
    context = browser.new_context(locale="nb-NO", java_script_enabled=False, accept_downloads=True)
    try:
        plain = context.new_page()
        sign_in(plain, live_server, member.email)
        plain.get_by_role("heading", name="Oversikt").wait_for()
        name, text = _draft_text(plain, meeting)
        assert "-ar-" in name and TOPICS["ar"] in text
    finally:
        context.close()


def test_the_download_link_appears_only_when_the_file_is_ready(page, live_server, live_app, member):
    job = create_job("print.letters", "Invitasjonsbrev", total=40, user=member, personal_data=True)
    db.session.commit()
    sign_in(page, live_server, member.email)
    page.get_by_role("heading", name="Oversikt").wait_for()
    page.goto(f"{live_server.url}/jobs/{job.token}")
    link = page.locator("[data-job-download]")
    page.wait_for_timeout(1500)  # a poll has come back "queued"
    assert not link.is_visible() and link.bounding_box() is None

    finish_job(db.session.get(type(job), job.id), b"%PDF-1.4 letters", "brev.pdf", "application/pdf", "Ferdig.")
    link.wait_for(state="visible", timeout=5000)
    assert link.inner_text().startswith("Last ned")
    with page.expect_download() as info:
        link.click()
    assert Path(info.value.path()).read_bytes() == b"%PDF-1.4 letters"


def test_a_reviewer_approves_several_poster_texts_at_once(page, live_server, live_app, member):
    grant_all(member)
    db.session.commit()
    make_meeting(approve=False)
    sign_in(page, live_server, member.email)
    page.get_by_role("heading", name="Oversikt").wait_for()
    page.goto(f"{live_server.url}/printing/texts/ar?document=poster")
    assert page.locator("section.phrase").count() == 22
    assert "doc.open_meeting" not in page.inner_text("main")
    labels = ["Overskrift", "Ledetekst foran stedet", "Slik bestiller man tolk"]
    for label in labels:
        page.get_by_label(f"Godkjenn: {label}", exact=True).check()
    page.get_by_role("button", name="Godkjenn de avkryssede tekstene").click()
    page.get_by_text("3 tekster er godkjent.").wait_for()
    page.screenshot(path=str(live_app.instance_path) + "/review-poster-ar.png")
    for label in labels:
        section = page.locator("section.phrase", has=page.get_by_role("heading", name=label, exact=True))
        assert "Godkjent av Nora Ny" in section.inner_text()
