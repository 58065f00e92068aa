"""The API lists coming meetings first, so a website asking for the default 100 gets them even after
years of history (issue 18), and its OpenAPI document says so."""

from __future__ import annotations

import datetime as dt

from brukermote.core.timeutil import utcnow
from brukermote.extensions import db
from brukermote.meetings.models import Meeting, MeetingStatus


def _meeting(days: int, topic: str) -> Meeting:
    start = utcnow().replace(microsecond=0) + dt.timedelta(days=days)
    meeting = Meeting(topic=topic, starts_at=start, ends_at=start + dt.timedelta(hours=2),
                      status=MeetingStatus.published if days > 0 else MeetingStatus.held,
                      published_at=utcnow() - dt.timedelta(days=400))
    db.session.add(meeting)
    return meeting


def test_coming_meetings_come_first_then_the_latest_past_ones(client, app):
    for days in (-300, -30, -200, 60, 14):
        _meeting(days, f"in {days} days")
    db.session.commit()
    topics = [m["topic"] for m in client.get("/api/v1/meetings").get_json()["meetings"]]
    assert topics == ["in 14 days", "in 60 days", "in -30 days", "in -200 days", "in -300 days"]
    assert [m["topic"] for m in client.get("/api/v1/meetings?limit=3").get_json()["meetings"]] == topics[:3]
    document = client.get("/api/openapi.json").get_json()
    listing = document["paths"]["/api/v1/meetings"]["get"]
    assert "coming ones first" in listing["summary"] and "latest first" in listing["description"]
