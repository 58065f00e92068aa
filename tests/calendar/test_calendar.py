"""Calendars: parse with icalendar and with Mozilla's ical.js; UIDs stable, SEQUENCE rising,
cancellations visible, times in Europe/Oslo with a VTIMEZONE."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from icalendar import Calendar

from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import Meeting, MeetingStatus, MeetingType, Venue

JS = Path(__file__).resolve().parent.parent / "js"


@pytest.fixture
def published(app, admin_user):
    venue = Venue(name="Årvoll Gård", address="Årvollveien 36")
    db.session.add(venue)
    db.session.flush()
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic="Bolig", day=dt.date(2031, 3, 26), start=dt.time(13, 30),
        end=dt.time(15, 30), venue_id=venue.id), created_by=admin_user)
    meeting_services.change_status(meeting, MeetingStatus.planned)
    meeting_services.change_status(meeting, MeetingStatus.published)
    db.session.commit()
    return meeting


def _events(data: bytes):
    calendar = Calendar.from_ical(data)
    return calendar, [c for c in calendar.walk("VEVENT")]


def _ical_js(data: bytes, tmp_path) -> dict:
    node = shutil.which("node")
    if node is None or not (JS / "node_modules" / "ical.js").exists():
        pytest.fail("node and ical.js are needed (make test installs them: npm install in tests/js)")
    path = tmp_path / "feed.ics"
    path.write_bytes(data)
    out = subprocess.run([node, str(JS / "parse_ics.mjs"), str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def test_meeting_ics_has_oslo_time_a_timezone_and_a_stable_uid(client, published, tmp_path):
    response = client.get(f"/m/{published.uid}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    calendar, [event] = _events(response.data)
    assert len(calendar.walk("VTIMEZONE")) == 1 and calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Oslo"
    assert b"DTSTART;TZID=Europe/Oslo:20310326T133000" in response.data
    assert event["UID"] == f"meeting-{published.uid}@brukermote"
    parsed = _ical_js(response.data, tmp_path)
    [js_event] = parsed["events"]
    assert js_event["tzid"] == "Europe/Oslo" and js_event["startLocal"].startswith("2031-03-26T13:30:00")
    # 26 March 2031 is before the clocks go forward (30 March): 13:30 in Oslo is 12:30 UTC.
    assert js_event["startUtc"] == int(dt.datetime(2031, 3, 26, 12, 30, tzinfo=dt.UTC).timestamp())
    assert js_event["alarms"] == 1


def test_moved_meeting_keeps_uid_and_raises_sequence(client, published, tmp_path):
    before = _ical_js(client.get(f"/m/{published.uid}.ics").data, tmp_path)["events"][0]
    meeting_services.update_meeting(published, meeting_services.MeetingData(
        type=published.type, topic="Bolig", day=dt.date(2031, 4, 2), start=dt.time(13, 30), end=dt.time(15, 30),
        venue_id=published.venue_id), published.version)
    db.session.commit()
    after = _ical_js(client.get(f"/m/{published.uid}.ics").data, tmp_path)["events"][0]
    assert after["uid"] == before["uid"]
    assert after["sequence"] > before["sequence"]
    # 2 April 2031 is after the spring change: 13:30 Oslo is 11:30 UTC.
    assert after["startUtc"] == int(dt.datetime(2031, 4, 2, 11, 30, tzinfo=dt.UTC).timestamp())


def test_public_feed_shows_cancelled_meetings_as_cancelled(client, published, tmp_path):
    draft = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic="Hemmelig utkast", day=dt.date(2031, 5, 7), start=dt.time(13, 0),
        end=dt.time(14, 0)))
    db.session.commit()
    before = _ical_js(client.get("/calendar/public.ics").data, tmp_path)["events"]
    assert [e["summary"] for e in before] == ["Bolig"]  # the draft is not public
    meeting_services.change_status(published, MeetingStatus.cancelled, "Lokalet er stengt")
    meeting_services.change_status(draft, MeetingStatus.cancelled, "Ikke aktuelt")
    db.session.commit()
    data = client.get("/calendar/public.ics").data
    after = _ical_js(data, tmp_path)["events"]
    assert len(after) == 1 and after[0]["uid"] == before[0]["uid"]
    assert after[0]["status"] == "CANCELLED" and after[0]["sequence"] > before[0]["sequence"]
    _calendar, [event] = _events(data)
    assert "Lokalet er stengt" in str(event["DESCRIPTION"])
    assert client.get(f"/m/{draft.uid}.ics").status_code == 404


def test_private_feed_has_meetings_my_tasks_and_alarms_and_is_revocable(admin_client, admin_user, published, tmp_path):
    task = published.tasks[0]
    task.assignee_id = admin_user.id
    db.session.commit()
    url = f"/calendar/member/{admin_user.calendar_token}.ics"
    anonymous = admin_client.application.test_client()
    parsed = _ical_js(anonymous.get(url).data, tmp_path)
    summaries = [e["summary"] for e in parsed["events"]]
    assert "Bolig" in summaries and f"Oppgave: {task.title}" in summaries
    task_event = next(e for e in parsed["events"] if e["summary"].startswith("Oppgave"))
    assert task_event["startLocal"] == task.due_date.isoformat() and task_event["alarms"] == 1
    assert len(parsed["events"]) == 2  # tasks of others are not in my feed
    admin_client.post("/profile/calendar-token")
    assert anonymous.get(url).status_code == 404
    db.session.expire_all()
    assert anonymous.get(f"/calendar/member/{db.session.get(type(admin_user), admin_user.id).calendar_token}.ics").status_code == 200


def test_published_at_is_set_once(published):
    first = published.published_at
    meeting_services.change_status(published, MeetingStatus.planned)
    meeting_services.change_status(published, MeetingStatus.published)
    assert db.session.get(Meeting, published.id).published_at == first


def test_uids_do_not_change_with_the_configured_address(app, client, published, admin_user):
    task = published.tasks[0]
    task.assignee_id = admin_user.id
    db.session.commit()

    def uids():
        feeds = [client.get("/calendar/public.ics").data, client.get(f"/m/{published.uid}.ics").data,
                 client.get(f"/calendar/member/{admin_user.calendar_token}.ics").data]
        return sorted(str(e["UID"]) for data in feeds for e in _events(data)[1])

    before = uids()
    app.config["PUBLIC_BASE_URL"] = "https://brukermote.example.org"
    after = uids()
    assert after == before  # moving the installation duplicates nothing in subscribers' calendars
    assert f"meeting-{published.uid}@brukermote" in after and f"task-{task.id}@brukermote" in after
    _calendar, [event] = _events(client.get(f"/m/{published.uid}.ics").data)
    assert str(event["URL"]).startswith("https://brukermote.example.org/m/")  # links follow the address


@pytest.mark.parametrize("back_to", ["planned", "draft"])
def test_meeting_taken_back_from_the_public_turns_into_a_cancellation(client, published, tmp_path, back_to):
    before = _ical_js(client.get("/calendar/public.ics").data, tmp_path)["events"]
    if back_to == "draft":  # published → cancelled → draft
        meeting_services.change_status(published, MeetingStatus.cancelled, "Lokalet er stengt")
        db.session.commit()
        cancelled = _ical_js(client.get("/calendar/public.ics").data, tmp_path)["events"]
        before = cancelled
    meeting_services.change_status(published, MeetingStatus(back_to))
    published.description = "Internt utkast: kanskje ny dato"
    db.session.commit()
    after = _ical_js(client.get("/calendar/public.ics").data, tmp_path)["events"]
    assert len(after) == 1 and after[0]["uid"] == before[0]["uid"]
    assert after[0]["status"] == "CANCELLED" and after[0]["sequence"] > before[0]["sequence"]
    assert after[0]["alarms"] == 0
    assert b"Internt utkast" not in client.get("/calendar/public.ics").data  # drafts stay internal
    # Published again: confirmed once more, with a higher SEQUENCE still.
    if back_to == "draft":
        meeting_services.change_status(published, MeetingStatus.planned)
    meeting_services.change_status(published, MeetingStatus.published)
    db.session.commit()
    again = _ical_js(client.get("/calendar/public.ics").data, tmp_path)["events"]
    assert again[0]["status"] == "CONFIRMED" and again[0]["sequence"] > after[0]["sequence"]


def _task_events(client, user, tmp_path) -> dict:
    parsed = _ical_js(client.get(f"/calendar/member/{user.calendar_token}.ics").data, tmp_path)
    return {e["uid"]: e for e in parsed["events"] if e["uid"].startswith("task-")}


def test_finished_tasks_stop_reminding_and_raise_their_sequence(client, admin_user, published, tmp_path):
    task = published.tasks[0]
    task.assignee_id = admin_user.id
    db.session.commit()
    [before] = _task_events(client, admin_user, tmp_path).values()
    assert before["alarms"] == 1 and before["status"] == "CONFIRMED"
    meeting_services.tick_task(task, admin_user)
    db.session.commit()
    [done] = _task_events(client, admin_user, tmp_path).values()
    assert done["uid"] == before["uid"] and done["sequence"] > before["sequence"]
    assert done["alarms"] == 0 and done["status"] == "CANCELLED" and done["summary"] == f"Utført: {task.title}"
    # A later change of the meeting outranks the tick, whether or not the task is ticked off again.
    meeting_services.tick_task(task, admin_user, done=False)
    meeting_services.update_meeting(published, meeting_services.MeetingData(
        type=published.type, topic="Bolig", day=dt.date(2031, 4, 2), start=dt.time(13, 30), end=dt.time(15, 30),
        venue_id=published.venue_id), published.version)
    db.session.commit()
    [moved] = _task_events(client, admin_user, tmp_path).values()
    assert moved["sequence"] > done["sequence"] and moved["alarms"] == 1


def test_tasks_of_a_cancelled_meeting_have_no_alarm(client, admin_user, published, tmp_path):
    task = published.tasks[0]
    task.assignee_id = admin_user.id
    db.session.commit()
    [before] = _task_events(client, admin_user, tmp_path).values()
    meeting_services.change_status(published, MeetingStatus.cancelled, "Lokalet er stengt")
    db.session.commit()
    [after] = _task_events(client, admin_user, tmp_path).values()
    assert after["status"] == "CANCELLED" and after["alarms"] == 0 and after["sequence"] > before["sequence"]


def _edit(meeting, **changes):
    values = dict(type=meeting.type, topic=meeting.topic, day=meeting.local_date, start=meeting.local_start.time(),
                  end=meeting.local_end.time(), venue_id=meeting.venue_id, description=meeting.description)
    values.update(changes)
    meeting_services.update_meeting(meeting, meeting_services.MeetingData(**values), meeting.version)
    db.session.commit()


def test_every_change_subscribers_see_raises_sequence_once(client, published, tmp_path):
    def event():
        return _ical_js(client.get(f"/m/{published.uid}.ics").data, tmp_path)["events"][0]

    first = event()
    _edit(published, topic="Bolig og nabolag")
    renamed = event()
    assert renamed["summary"] == "Bolig og nabolag" and renamed["sequence"] == first["sequence"] + 1
    _edit(published, description="Ta med spørsmål.")
    described = event()
    assert described["sequence"] == renamed["sequence"] + 1
    _edit(published, topic="Bolig", description="Ta med spørsmål til NAV.", day=dt.date(2031, 3, 27))
    assert event()["sequence"] == described["sequence"] + 1  # several changes in one save: raised once
    unchanged = event()["sequence"]
    _edit(published)
    _edit(published, catering="frukt")  # not in the event
    assert event()["sequence"] == unchanged


def test_renaming_a_venue_updates_its_coming_meetings_in_calendars(admin_client, published, tmp_path):
    past = Meeting(type=MeetingType.user_meeting, topic="Før", venue_id=published.venue_id,
                   starts_at=dt.datetime(2020, 3, 4, 12, tzinfo=dt.UTC), ends_at=dt.datetime(2020, 3, 4, 14, tzinfo=dt.UTC),
                   status=MeetingStatus.held, published_at=dt.datetime(2020, 2, 1, tzinfo=dt.UTC))
    db.session.add(past)
    db.session.commit()
    before = {e["summary"]: e for e in _ical_js(admin_client.get("/calendar/public.ics").data, tmp_path)["events"]}
    version = published.version
    response = admin_client.post(f"/venues/{published.venue_id}", data={
        "name": "Årvoll Gård, salen", "address": "Årvollveien 36", "is_neutral": "y"})
    assert response.status_code == 302
    data = admin_client.get("/calendar/public.ics").data
    after = {e["summary"]: e for e in _ical_js(data, tmp_path)["events"]}
    assert "Årvoll Gård\\, salen" in data.decode()  # RFC 5545 escapes the comma in a text value
    assert after["Bolig"]["sequence"] == before["Bolig"]["sequence"] + 1
    assert after["Før"]["sequence"] == before["Før"]["sequence"]  # the past stays as it was
    db.session.expire_all()
    assert db.session.get(Meeting, published.id).version == version  # an open meeting form still saves
    # Saving the venue unchanged raises nothing.
    admin_client.post(f"/venues/{published.venue_id}", data={
        "name": "Årvoll Gård, salen", "address": "Årvollveien 36", "is_neutral": "y"})
    again = {e["summary"]: e for e in _ical_js(admin_client.get("/calendar/public.ics").data, tmp_path)["events"]}
    assert again["Bolig"]["sequence"] == after["Bolig"]["sequence"]
