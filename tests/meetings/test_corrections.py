"""Correcting the checklist and the programme (issue 17): edit, delete, undo, confirm, days off."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from brukermote.core import undo
from brukermote.core.holidays import day_off, easter_sunday, public_holiday
from brukermote.core.timeutil import utcnow
from brukermote.extensions import db
from brukermote.meetings.models import Meeting, ProgrammeItem, ProgrammeKind, Speaker, Task
from tests.conftest import login


def _undo_id(html: str) -> int:
    match = re.search(r'action="/undo/(\d+)"', html)
    assert match, "no «Angre» button on the page"
    return int(match.group(1))


@pytest.mark.parametrize("year, easter", [(2008, dt.date(2008, 3, 23)), (2024, dt.date(2024, 3, 31)),
                                          (2025, dt.date(2025, 4, 20)), (2026, dt.date(2026, 4, 5)),
                                          (2038, dt.date(2038, 4, 25)), (2285, dt.date(2285, 3, 22))])
def test_easter_sunday(year, easter):
    assert easter_sunday(year) == easter


def test_norwegian_holidays_and_weekends(app):
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        assert public_holiday(dt.date(2026, 4, 2)) == "skjærtorsdag"
        assert public_holiday(dt.date(2026, 4, 6)) == "andre påskedag"
        assert public_holiday(dt.date(2026, 5, 14)) == "Kristi himmelfartsdag"
        assert public_holiday(dt.date(2026, 5, 25)) == "andre pinsedag"
        assert public_holiday(dt.date(2026, 5, 17)) == "17. mai"
        assert public_holiday(dt.date(2026, 12, 24)) is None  # Christmas Eve is a working day by law
        assert day_off(dt.date(2026, 12, 12)) == "lørdag"
        assert day_off(dt.date(2026, 12, 9)) is None


def test_the_add_form_sits_at_the_top_of_the_checklist(admin_client, meeting):
    page = admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    checklist = page[page.index('id="checklist"'):]
    assert checklist.index('class="add-task"') < checklist.index('class="checklist"')
    assert "<details class=\"add-task\"" not in page  # not collapsed


def test_edit_a_task_title_offset_and_who(admin_client, meeting, member_user):
    task = meeting.tasks[0]
    response = admin_client.post(f"/tasks/{task.id}/edit", data={
        f"t{task.id}-title": "Bestill halal pizza", f"t{task.id}-phase": "before",
        f"t{task.id}-offset_days": "-3", f"t{task.id}-assignee_id": str(member_user.id)})
    assert response.status_code == 302
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert (task.title, task.offset_days, task.assignee_id) == ("Bestill halal pizza", -3, member_user.id)
    page = admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Bestill halal pizza" in page


@pytest.mark.parametrize("title, offset, message", [
    ("", "-3", "Dette feltet er påkrevd"),
    ("Ring tolk", "-999", "Tall må være mellom -365 og 365"),
    ("Ring tolk", "tre", "Ikke en gyldig heltallsverdi"),
    ("Ring\x00tolk", "-3", "kontrolltegn"),
])
def test_bad_task_input_is_shown_again_and_nothing_saved(admin_client, meeting, title, offset, message):
    task = meeting.tasks[0]
    before = (task.title, task.offset_days)
    response = admin_client.post(f"/tasks/{task.id}/edit", data={
        f"t{task.id}-title": title, f"t{task.id}-phase": "before", f"t{task.id}-offset_days": offset,
        f"t{task.id}-assignee_id": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and "Ingenting ble lagret" in page, re.findall(r'role="alert"[^>]*>([^<]*)<', page)
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert (task.title, task.offset_days) == before


def test_adding_a_bad_task_is_explained_on_its_own_page(admin_client, meeting):
    count = len(meeting.tasks)
    response = admin_client.post(f"/meetings/{meeting.id}/tasks", data={"title": "", "phase": "before",
                                                                       "offset_days": "-3"})
    assert response.status_code == 422
    assert "Dette feltet er påkrevd" in response.get_data(as_text=True)
    db.session.expire_all()
    assert len(db.session.get(Meeting, meeting.id).tasks) == count


def test_due_dates_on_a_holiday_or_weekend_are_pointed_out(admin_client, meeting):
    # A task due on the next Easter Monday (whatever the meeting's date) and one on a Saturday.
    easter_monday = next(d for d in (easter_sunday(y) + dt.timedelta(days=1) for y in range(meeting.local_date.year,
                                                                                          meeting.local_date.year + 2))
                         if d > meeting.local_date)
    offset = (easter_monday - meeting.local_date).days
    response = admin_client.post(f"/meetings/{meeting.id}/tasks", data={
        "title": "Send rapport", "phase": "after", "offset_days": str(offset)})
    assert response.status_code == 302
    follow = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Fristen for «Send rapport» er en helligdag, andre påskedag" in follow
    saturday = meeting.local_date + dt.timedelta(days=(5 - meeting.local_date.weekday()) % 7 or 7)
    admin_client.post(f"/meetings/{meeting.id}/tasks", data={
        "title": "Rydd lokalet", "phase": "after", "offset_days": str((saturday - meeting.local_date).days)})
    page = admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)

    def row(title):
        task = db.session.scalar(sa.select(Task).where(Task.title == title))
        start = page.index(f'<tr id="task-{task.id}"')
        return page[start:page.index("</tr>", start)]

    assert "Helligdag (andre påskedag)" in row("Send rapport")
    assert "Helg (lørdag)" in row("Rydd lokalet")
    assert "Helg" not in row(meeting.tasks[0].title) or meeting.tasks[0].due_date.weekday() >= 5


def test_delete_a_task_and_undo(admin_client, meeting, member_user):
    task = meeting.tasks[0]
    task.assignee_id = member_user.id
    db.session.commit()
    task_id, title, offset = task.id, task.title, task.offset_days
    response = admin_client.post(f"/tasks/{task_id}/delete", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert f"Oppgaven «{title}» er slettet." in page
    db.session.expire_all()
    assert db.session.get(Task, task_id) is None
    entry_id = _undo_id(page)
    response = admin_client.post(f"/undo/{entry_id}", follow_redirects=True)
    assert "Angret: det er tilbake." in response.get_data(as_text=True)
    db.session.expire_all()
    task = db.session.get(Task, task_id)
    assert (task.title, task.offset_days, task.assignee_id) == (title, offset, member_user.id)
    assert db.session.get(undo.UndoEntry, entry_id) is None  # used up
    assert admin_client.post(f"/undo/{entry_id}", follow_redirects=True).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Task).where(Task.id == task_id)) == 1


def test_only_the_one_who_deleted_may_undo_and_only_for_a_while(client, admin_user, member_user, meeting):
    login(client, admin_user.email)
    task_id = meeting.tasks[0].id
    page = client.post(f"/tasks/{task_id}/delete", follow_redirects=True).get_data(as_text=True)
    entry_id = _undo_id(page)
    client.post("/logout")
    login(client, member_user.email)
    page = client.post(f"/undo/{entry_id}", follow_redirects=True).get_data(as_text=True)
    assert "Det er for sent å angre" in page
    db.session.expire_all()
    assert db.session.get(Task, task_id) is None
    # Expired: gone at the next delete (and by the worker), and refused before that.
    entry = db.session.get(undo.UndoEntry, entry_id)
    entry.expires_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    client.post("/logout")
    login(client, admin_user.email)
    page = client.post(f"/undo/{entry_id}", follow_redirects=True).get_data(as_text=True)
    assert "Det er for sent å angre" in page
    db.session.expire_all()
    assert db.session.get(Task, task_id) is None and db.session.get(undo.UndoEntry, entry_id) is None


def test_without_javascript_a_delete_is_confirmed_on_a_page(admin_client, meeting):
    task = meeting.tasks[0]
    response = admin_client.post(f"/tasks/{task.id}/delete", data={
        "confirm": "ask", "confirm_question": f"Vil du slette oppgaven «{task.title}»?"},
        headers={"Referer": f"http://localhost/meetings/{meeting.id}"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f"Vil du slette oppgaven «{task.title}»?" in page
    assert f'action="/tasks/{task.id}/delete"' in page and 'name="confirm" value="yes"' in page
    assert f'href="/meetings/{meeting.id}"' in page  # «No, go back»
    db.session.expire_all()
    assert db.session.get(Task, task.id) is not None  # nothing deleted yet
    assert admin_client.post(f"/tasks/{task.id}/delete", data={"confirm": "yes"}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task.id) is None


def test_every_destructive_button_on_the_meeting_pages_asks_first(admin_client, meeting):
    admin_client.post(f"/meetings/{meeting.id}/programme", data={"kind": "talk", "title": "Bolig", "minutes": "20",
                                                                "speaker_id": ""})
    for url in (f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/programme"):
        page = admin_client.get(url).get_data(as_text=True)
        forms = re.findall(r'<form method="post" action="(/[^"]*(?:delete|remove)[^"]*)"[^>]*>(.*?)</form>', page, re.S)
        assert forms
        for action, body in forms:
            assert 'name="confirm" value="ask"' in body, action


def _programme(client, meeting, *items):
    for kind, title, minutes in items:
        client.post(f"/meetings/{meeting.id}/programme", data={"kind": kind, "title": title, "minutes": str(minutes),
                                                              "speaker_id": ""})
    db.session.expire_all()
    return list(db.session.get(Meeting, meeting.id).programme)


def test_edit_a_programme_item_in_place_and_the_clock_says_how_it_fits(admin_client, meeting):
    speaker = Speaker(name="Kari Nordmann")
    db.session.add(speaker)
    db.session.commit()
    welcome, talk = _programme(admin_client, meeting, ("welcome", "Velkommen", 10), ("talk", "Bolig", 30))
    page = admin_client.get(f"/meetings/{meeting.id}/programme").get_data(as_text=True)
    assert "Programmet er 80 minutter kortere enn møtet: det slutter kl. 14:10, møtet kl. 15:30." in page
    assert f'action="/programme/{talk.id}/edit"' in page  # the form sits in the row
    response = admin_client.post(f"/programme/{talk.id}/edit", data={
        f"p{talk.id}-kind": "talk", f"p{talk.id}-title": "Bolig og bostøtte", f"p{talk.id}-minutes": "140",
        f"p{talk.id}-speaker_id": str(speaker.id)})
    assert response.status_code == 302
    page = admin_client.get(f"/meetings/{meeting.id}/programme").get_data(as_text=True)
    assert "Bolig og bostøtte" in page and "Kari Nordmann" in page and "13:40–16:00" in page
    assert "Det er 30 minutter lengre enn møtet." in page
    admin_client.post(f"/programme/{talk.id}/edit", data={
        f"p{talk.id}-kind": "talk", f"p{talk.id}-title": "Bolig og bostøtte", f"p{talk.id}-minutes": "110",
        f"p{talk.id}-speaker_id": ""})
    assert "Programmet fyller møtetiden akkurat." in admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)


@pytest.mark.parametrize("minutes, message", [("-5", "Mellom 0 og 600 minutter"), ("601", "Mellom 0 og 600 minutter"),
                                              ("", "Dette feltet er påkrevd")])
def test_bad_programme_input_is_shown_again_and_nothing_saved(admin_client, meeting, minutes, message):
    (item,) = _programme(admin_client, meeting, ("talk", "Bolig", 20))
    response = admin_client.post(f"/programme/{item.id}/edit", data={
        f"p{item.id}-kind": "talk", f"p{item.id}-title": "Arbeid", f"p{item.id}-minutes": minutes,
        f"p{item.id}-speaker_id": ""})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page and 'value="Arbeid"' in page
    db.session.expire_all()
    item = db.session.get(ProgrammeItem, item.id)
    assert (item.title, item.minutes) == ("Bolig", 20)


def test_remove_a_programme_item_and_undo_puts_it_back_in_its_place(admin_client, meeting):
    items = _programme(admin_client, meeting, ("welcome", "Velkommen", 10), ("talk", "Bolig", 30),
                       ("questions", "", 20))
    page = admin_client.post(f"/programme/{items[1].id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "«Bolig» er tatt ut av programmet." in page and "13:40–14:00" in page
    admin_client.post(f"/undo/{_undo_id(page)}")
    db.session.expire_all()
    programme = db.session.get(Meeting, meeting.id).programme
    assert [(i.id, i.kind, i.title) for i in programme] == [
        (items[0].id, ProgrammeKind.welcome, "Velkommen"), (items[1].id, ProgrammeKind.talk, "Bolig"),
        (items[2].id, ProgrammeKind.questions, "")]


def test_the_meeting_page_has_its_sections_in_order(admin_client, meeting):
    page = admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    nav = page[page.index('<nav class="sections"'):]
    nav = nav[:nav.index("</nav>")]
    anchors = re.findall(r'href="#([a-z]+)"', nav)
    assert anchors == ["plan", "programme", "checklist", "outreach", "interpreters", "sms", "printing", "attendance"]
    positions = [page.index(f'id="{anchor}"') for anchor in anchors]
    assert positions == sorted(positions)
    assert re.findall(r">([^<]+)</a></li>", nav) == ["Plan", "Program", "Sjekkliste", "Utsendelser", "Tolker", "SMS",
                                                     "Skriv ut", "Oppmøte"]


def test_one_minute_is_one_minute_on_the_clock(admin_client, meeting):
    _programme(admin_client, meeting, ("talk", "Bolig", 119))
    page = admin_client.get(f"/meetings/{meeting.id}/programme").get_data(as_text=True)
    assert "Programmet er 1 minutt kortere enn møtet" in page and "1 minutter" not in page
    _programme(admin_client, meeting, ("talk", "Arbeid", 2))
    page = admin_client.get(f"/meetings/{meeting.id}/programme").get_data(as_text=True)
    assert "Det er 1 minutt lengre enn møtet." in page


def test_a_task_due_on_17_may_names_the_day_once(app, meeting):
    from brukermote.meetings import corrections as meeting_corrections

    task = meeting.tasks[0]
    task.offset_days = (dt.date(meeting.local_date.year + 1, 5, 17) - meeting.local_date).days
    db.session.flush()
    with app.test_request_context(headers={"Accept-Language": "nb"}):
        warning = meeting_corrections.due_date_warning(task)
    assert f"Fristen for «{task.title}» er en helligdag, 17. mai." in warning and "(17. mai)" not in warning
