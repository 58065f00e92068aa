import datetime as dt
from decimal import Decimal

import pytest

from brukermote.extensions import db
from brukermote.meetings import services
from brukermote.meetings.models import (
    ChecklistTemplateItem,
    Meeting,
    MeetingStatus,
    ProgrammeKind,
    Speaker,
    Task,
    Venue,
)
from tests.meetings.conftest import meeting_form


def _count(model):
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_create_meeting_through_the_form_gets_the_checklist(admin_client, venue):
    response = admin_client.post("/meetings/new", data=meeting_form(venue_id=str(venue.id)))
    assert response.status_code == 302
    meeting = db.session.scalar(db.select(Meeting))
    assert meeting.topic == "Arbeid"
    assert meeting.local_start.strftime("%Y-%m-%d %H:%M") == "2030-05-15 13:30"
    assert meeting.starts_at.utcoffset() == dt.timedelta(0)
    assert meeting.starts_at.hour == 11  # 13:30 in Oslo summer time is 11:30 UTC
    assert meeting.interpreter_languages == ["so", "ar"]
    titles = [t.title for t in meeting.tasks]
    assert "Bestill tolker" in titles
    book = next(t for t in meeting.tasks if t.title == "Bestill tolker")
    assert book.due_date == dt.date(2030, 4, 24)  # three weeks before
    page = admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "onsdag 15. mai 2030" in page


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"end": "12:00"}, "Møtet må slutte etter at det begynner"),
        ({"day": "2026-02-30"}, "2026-02-30 er ikke en dato i kalenderen"),
        ({"day": "2030-03-31", "start": "02:30", "end": "04:00"}, "finnes ikke i Norge"),
        ({"topic": "x" * 201}, "Temaet kan være på høyst 200 tegn"),
        ({"start": "25:00"}, "25:00 er ikke et klokkeslett"),
    ],
)
def test_bad_meeting_input_is_explained_and_nothing_saved(admin_client, overrides, message):
    response = admin_client.post("/meetings/new", data=meeting_form(**overrides))
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(Meeting) == 0
    assert _count(Task) == 0


def test_form_keeps_what_was_typed_after_an_error(admin_client):
    page = admin_client.post("/meetings/new", data=meeting_form(topic="Helse og trivsel", end="10:00")).get_data(as_text=True)
    assert 'value="Helse og trivsel"' in page


@pytest.mark.parametrize(
    "overrides, message",
    [({"capacity": "-5"}, "Kapasiteten kan ikke være negativ"), ({"rental_cost": "-100"}, "Beløpet kan ikke være negativt")],
)
def test_bad_venue_input(admin_client, overrides, message):
    data = {"name": "Veitvet eldresenter", "is_neutral": "y", **overrides}
    response = admin_client.post("/venues/new", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert _count(Venue) == 0


def test_venue_used_by_a_meeting_cannot_be_deleted(admin_client, meeting, venue):
    response = admin_client.post(f"/venues/{venue.id}/delete", follow_redirects=True)
    assert "brukes av 1 møte" in response.get_data(as_text=True)
    assert db.session.get(Venue, venue.id) is not None


def test_unused_venue_can_be_deleted(admin_client, venue):
    admin_client.post(f"/venues/{venue.id}/delete")
    assert _count(Venue) == 0


def test_meeting_form_refuses_a_venue_deleted_meanwhile(admin_client, venue):
    venue_id = venue.id
    db.session.delete(venue)
    db.session.commit()
    response = admin_client.post("/meetings/new", data=meeting_form(venue_id=str(venue_id)))
    assert response.status_code == 200
    assert _count(Meeting) == 0


def test_due_dates_move_with_the_meeting(admin_client, meeting):
    task = next(t for t in meeting.tasks if t.title == "Heng opp plakater")
    before = task.due_date
    form = meeting_form(day=(meeting.local_date + dt.timedelta(days=7)).isoformat(), topic="Bolig",
                        venue_id=str(meeting.venue_id), version=str(meeting.version))
    assert admin_client.post(f"/meetings/{meeting.id}/edit", data=form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task.id).due_date == before + dt.timedelta(days=7)
    assert db.session.get(Meeting, meeting.id).ical_sequence == 1


def test_second_concurrent_save_gets_a_conflict_not_an_overwrite(admin_client, meeting):
    loaded_version = meeting.version
    first = meeting_form(topic="Bolig og nabolag", day=meeting.local_date.isoformat(), venue_id=str(meeting.venue_id),
                         version=str(loaded_version))
    second = meeting_form(topic="Arbeid", day=meeting.local_date.isoformat(), venue_id=str(meeting.venue_id),
                          version=str(loaded_version))
    assert admin_client.post(f"/meetings/{meeting.id}/edit", data=first).status_code == 302
    response = admin_client.post(f"/meetings/{meeting.id}/edit", data=second)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Noen andre lagret dette møtet" in page
    assert 'value="Arbeid"' in page  # the second person's typing is not lost
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).topic == "Bolig og nabolag"


def test_ticking_and_assigning_tasks(admin_client, meeting, member_user):
    task = meeting.tasks[0]
    admin_client.post(f"/tasks/{task.id}/tick", data={"done": "1"})
    admin_client.post(f"/tasks/{task.id}/assign", data={"assignee_id": str(member_user.id)})
    db.session.expire_all()
    task = db.session.get(Task, task.id)
    assert task.is_done and task.done_by.email == "admin@example.org"
    assert task.assignee_id == member_user.id
    admin_client.post(f"/tasks/{task.id}/tick", data={"done": "0"})
    db.session.expire_all()
    assert not db.session.get(Task, task.id).is_done


def test_checklist_template_is_editable_and_used_by_new_meetings(admin_client):
    admin_client.get("/checklist-template")
    admin_client.post("/checklist-template", data={"title": "Bestill gult papir", "phase": "before",
                                                   "offset_days": "-30", "active": "y"})
    item = db.session.scalar(db.select(ChecklistTemplateItem).where(ChecklistTemplateItem.title == "Bestill gult papir"))
    assert item.offset_days == -30
    admin_client.post("/meetings/new", data=meeting_form())
    meeting = db.session.scalar(db.select(Meeting))
    task = next(t for t in meeting.tasks if t.title == "Bestill gult papir")
    assert task.due_date == dt.date(2030, 4, 15)


def test_programme_clock_and_overrun_warning(admin_client, meeting):
    speaker = Speaker(name="Kari Nordmann", organisation="NAV")
    db.session.add(speaker)
    db.session.commit()
    admin_client.post(f"/meetings/{meeting.id}/programme", data={"kind": "welcome", "title": "Velkommen", "minutes": "10", "speaker_id": ""})
    admin_client.post(f"/meetings/{meeting.id}/programme", data={"kind": "talk", "title": "Bolig", "minutes": "30", "speaker_id": str(speaker.id)})
    page = admin_client.get(f"/meetings/{meeting.id}/programme").get_data(as_text=True)
    assert "13:40–14:10" in page and "Kari Nordmann" in page
    assert "Programmet passer ikke" not in page
    admin_client.post(f"/meetings/{meeting.id}/programme", data={"kind": "break", "title": "", "minutes": "90", "speaker_id": ""})
    page = admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Programmet passer ikke: det tar 130 minutter, men møtet varer 120 minutter" in page


def test_negative_programme_minutes_are_refused(admin_client, meeting):
    response = admin_client.post(f"/meetings/{meeting.id}/programme", data={"kind": "talk", "minutes": "-5", "speaker_id": ""})
    assert "Mellom 0 og 600 minutter" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).programme == []


def test_budget_with_negative_amount_is_refused(admin_client, meeting):
    response = admin_client.post(f"/meetings/{meeting.id}/budget", data={"food_estimated": "-300", "venue_estimated": "500"})
    assert "Beløpet kan ikke være negativt" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).budget_lines == []
    admin_client.post(f"/meetings/{meeting.id}/budget", data={"food_estimated": "600,50", "venue_estimated": "500"})
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).budget_total() == Decimal("1100.50")


def test_status_life_cycle_and_cancellation(admin_client, meeting):
    admin_client.post(f"/meetings/{meeting.id}/status", data={"status": "planned"})
    admin_client.post(f"/meetings/{meeting.id}/status", data={"status": "published"})
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.published
    # Held before it has happened is refused.
    page = admin_client.post(f"/meetings/{meeting.id}/status", data={"status": "held"}, follow_redirects=True).get_data(as_text=True)
    assert "kan ikke markeres som holdt før det har begynt" in page
    # Cancelling needs a reason.
    admin_client.post(f"/meetings/{meeting.id}/cancel", data={"reason": ""})
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.published
    # A published meeting: first what the cancellation touches (issue 17), then the confirmation.
    page = admin_client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Lokalet er stengt"})
    assert page.status_code == 200 and "Avlyse møtet?" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.published
    admin_client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Lokalet er stengt", "confirm": "yes"})
    db.session.expire_all()
    cancelled = db.session.get(Meeting, meeting.id)
    assert cancelled.status == MeetingStatus.cancelled and cancelled.cancel_reason == "Lokalet er stengt"


def test_copy_starts_the_next_meeting(admin_client, meeting, future_day):
    services.add_programme_item(meeting, ProgrammeKind.talk, "Bolig", 20)
    services.set_budget(meeting, {})
    db.session.commit()
    new_day = future_day + dt.timedelta(days=56)
    response = admin_client.post(f"/meetings/{meeting.id}/copy", data={"day": new_day.isoformat()})
    assert response.status_code == 302
    copy = db.session.scalar(db.select(Meeting).where(Meeting.id != meeting.id))
    assert copy.local_date == new_day and copy.local_start.strftime("%H:%M") == "13:30"
    assert copy.status == MeetingStatus.draft and copy.copied_from_id == meeting.id
    assert [i.title for i in copy.programme] == ["Bolig"]
    assert all(not t.is_done for t in copy.tasks) and len(copy.tasks) == len(meeting.tasks)


def test_dashboard_shows_next_meeting_tasks_and_warnings(admin_client, meeting):
    page = admin_client.get("/").get_data(as_text=True)
    assert "Neste møte" in page and "Bolig" in page
    assert "Bestem tema, dato og sted" in page


def test_saving_a_meeting_unchanged_keeps_its_type(admin_client, meeting):
    from brukermote.meetings.models import MeetingType

    from ..browser_form import form_values

    meeting.type = MeetingType.dialogue_conference
    db.session.commit()
    page = admin_client.get(f"/meetings/{meeting.id}/edit").get_data(as_text=True)
    values = form_values(page, f"/meetings/{meeting.id}/edit")
    assert values["type"] == "dialogue_conference"
    assert admin_client.post(f"/meetings/{meeting.id}/edit", data=values).status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).type == MeetingType.dialogue_conference
