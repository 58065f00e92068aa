"""The JSON API: only published meetings, no personal data, and it survives fuzzing against its own
OpenAPI document (schemathesis) without a server error."""

from __future__ import annotations

import datetime as dt

import schemathesis
from hypothesis import HealthCheck, given, settings

from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus, MeetingType, Venue


def _meetings():
    venue = Venue(name="Årvoll Gård", address="Årvollveien 36", transport="Buss 31")
    db.session.add(venue)
    db.session.flush()
    made = []
    for index, (topic, status) in enumerate([("Bolig", MeetingStatus.published), ("Arbeid", MeetingStatus.planned),
                                             ("Helse", MeetingStatus.cancelled)]):
        meeting = meeting_services.create_meeting(meeting_services.MeetingData(
            type=MeetingType.user_meeting, topic=topic, day=dt.date(2031, 5, 7) + dt.timedelta(days=7 * index),
            start=dt.time(13, 30), end=dt.time(15, 30), venue_id=venue.id))
        meeting_services.change_status(meeting, MeetingStatus.planned)
        if status != MeetingStatus.planned:
            meeting_services.change_status(meeting, MeetingStatus.published)
        if status == MeetingStatus.cancelled:
            meeting_services.change_status(meeting, MeetingStatus.cancelled, "Syk innleder")
        made.append(meeting)
    db.session.commit()
    return made


def test_lists_published_and_cancelled_meetings_only(client, app):
    published, planned, cancelled = _meetings()
    data = client.get("/api/v1/meetings").get_json()
    assert [m["topic"] for m in data["meetings"]] == ["Bolig", "Helse"]
    first = data["meetings"][0]
    assert first["start"] == "2031-05-07T13:30:00+02:00" and first["timezone"] == "Europe/Oslo"
    assert data["meetings"][1]["status"] == "cancelled" and data["meetings"][1]["cancel_reason"] == "Syk innleder"
    assert client.get(f"/api/v1/meetings/{planned.uid}").status_code == 404
    assert client.get(f"/api/v1/meetings/{published.uid}").get_json()["venue"]["name"] == "Årvoll Gård"
    assert client.get("/api/v1/meetings?from=2031-05-10").get_json()["meetings"][0]["topic"] == "Helse"
    assert client.get("/api/v1/meetings?from=not-a-date").status_code == 400
    assert len(client.get("/api/v1/meetings?from=0001-01-01").get_json()["meetings"]) == 2  # no overflow in UTC
    assert client.get("/api/v1/meetings?to=0578-01-01").get_json()["meetings"] == []


def test_api_conforms_to_its_openapi_document(app):
    """Every operation, fuzzed from the document the app serves: no 5xx, responses match the schema."""
    _meetings()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 2
    for operation in operations:

        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def fuzz(case):
            case.call_and_validate()

        fuzz()
