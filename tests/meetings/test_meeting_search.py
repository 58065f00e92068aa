"""Finding meetings (issue 17): year, topic, venue and status; the past ones 50 a page."""

from __future__ import annotations

import datetime as dt
import re

from brukermote.core.timeutil import utcnow
from brukermote.extensions import db
from brukermote.meetings.models import Meeting, MeetingStatus, Venue


def _topics(html: str) -> list[str]:
    return re.findall(r"<td>(Møte \d+[^<]*)</td>", html)


def test_meetings_are_found_by_year_topic_venue_and_status_and_paged(admin_client, app):
    venue = Venue(name="Årvoll Gård")
    db.session.add(venue)
    db.session.flush()
    now = utcnow().replace(microsecond=0)
    for index in range(60):
        start = now - dt.timedelta(days=30 * (index + 1))
        db.session.add(Meeting(topic=f"Møte {index:02d}" + (" om bolig" if index % 10 == 0 else ""),
                               starts_at=start, ends_at=start + dt.timedelta(hours=2),
                               venue_id=venue.id if index % 2 else None,
                               status=MeetingStatus.cancelled if index == 7 else MeetingStatus.held))
    db.session.commit()

    first = admin_client.get("/meetings").get_data(as_text=True)
    assert len(_topics(first)) == 50 and "Side 1 av 2" in first
    assert len(_topics(admin_client.get("/meetings?page=2").get_data(as_text=True))) == 10
    assert _topics(admin_client.get("/meetings?topic=BOLIG").get_data(as_text=True)) == [
        f"Møte {n:02d} om bolig" for n in range(0, 60, 10)]
    assert _topics(admin_client.get("/meetings?status=cancelled").get_data(as_text=True)) == ["Møte 07"]
    assert len(_topics(admin_client.get(f"/meetings?venue={venue.id}").get_data(as_text=True))) == 30
    year = (now - dt.timedelta(days=30 * 30)).year
    in_year = _topics(admin_client.get(f"/meetings?year={year}").get_data(as_text=True))
    assert 10 <= len(in_year) <= 13
    assert admin_client.get("/meetings?year=abc&status=nonsense&page=-1").status_code == 200
