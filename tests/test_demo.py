"""`brukermote demo load` gives a newcomer something to explore on every page of every domain."""

from __future__ import annotations

import sqlalchemy as sa

from brukermote.demo import DEMO_ADMIN
from brukermote.extensions import db
from brukermote.meetings.models import Meeting, MeetingStatus


def test_every_domain_has_demo_data_to_explore(runner, client):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert client.post("/login", data={"email": DEMO_ADMIN[0], "password": DEMO_ADMIN[2]}).status_code == 302
    upcoming = db.session.scalar(sa.select(Meeting).where(Meeting.status == MeetingStatus.planned))
    pages = {
        "/": "Arbeid og aktivitet",
        f"/meetings/{upcoming.id}": "Tolkekostnad",
        f"/meetings/{upcoming.id}/outreach": "NAV Bjerke, venterommet",  # posters hung
        f"/meetings/{upcoming.id}/interpreters": "Tolketjenesten",
        f"/meetings/{upcoming.id}/sms": "10:00",  # the reminders
        "/sms/inbox": "Ma keeni karaa deriskayga?",
        "/poster-locations": "Veitvet moské",
        "/reports": "Årvoll Gård",
        "/reports/overview?lang=en": "a caseworker translated to English",
        "/topics": "Arbeid og kurs",
        "/outreach/funnel?from=2008-05-01&to=2008-05-31": "313",
        "/contacts": "somali",
    }
    for url, expected in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert expected in response.get_data(as_text=True), (url, expected)
