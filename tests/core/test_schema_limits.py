"""The database itself refuses what the forms refuse (issue 15): a date a committee enters outside
2000–2100 and a free text longer than its form allows, written straight to the tables as a script or a
future form that forgot the check would. On SQLite and PostgreSQL alike; the demo's history (2007–2009)
and the edges of the range are stored."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from brukermote.extensions import db
from brukermote.meetings.models import Meeting, MeetingType
from brukermote.outreach.models import Channel, Mailing
from brukermote.printing.models import MeetingText

UTC = dt.UTC


def _meeting(start: dt.datetime, **extra) -> Meeting:
    meeting = Meeting(type=MeetingType.user_meeting, topic="Bolig", starts_at=start,
                      ends_at=start + dt.timedelta(hours=2), **extra)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def _refused(statement, params) -> None:
    """The database answers a CHECK violation (IntegrityError) and nothing is stored."""
    with pytest.raises(IntegrityError) as refused:
        with db.session.begin_nested():
            db.session.execute(statement, params)
    assert "check constraint" in str(refused.value).lower()  # SQLite and PostgreSQL both say so


def test_a_meeting_outside_2000_to_2100_is_refused_by_the_database(app):
    # The demo's history and both ends of the range are stored (Oslo midnight on 1 January 2000 is 23:00 UTC).
    _meeting(dt.datetime(2007, 9, 27, 15, 0, tzinfo=UTC))
    _meeting(dt.datetime(1999, 12, 31, 23, 0, tzinfo=UTC))
    _meeting(dt.datetime(2100, 12, 31, 20, 0, tzinfo=UTC))
    db.session.commit()
    for year in (1, 1999, 2101, 9999):
        with pytest.raises(IntegrityError):
            with db.session.begin_nested():
                _meeting(dt.datetime(year, 6, 1, 11, 0, tzinfo=UTC))
    # Moving a stored meeting out of the range is refused too.
    _refused(sa.text("UPDATE meeting SET starts_at = :start, ends_at = :end"),
             {"start": dt.datetime(9999, 12, 30, 11, 0), "end": dt.datetime(9999, 12, 30, 13, 0)})
    assert sorted(m.starts_at.year for m in db.session.scalars(sa.select(Meeting))) == [1999, 2007, 2100]


def test_a_mailing_dated_9999_is_refused_by_the_database(app):
    meeting = _meeting(dt.datetime(2030, 5, 15, 11, 30, tzinfo=UTC))
    db.session.add(Mailing(meeting_id=meeting.id, channel=Channel.letter, count=40,
                           sent_on=dt.date(2008, 3, 1), stop_on=dt.date(2100, 12, 31)))
    db.session.commit()
    for column, day in (("sent_on", dt.date(9999, 12, 31)), ("stop_on", dt.date(1, 1, 1)),
                        ("sent_on", dt.date(1999, 12, 31)), ("stop_on", dt.date(2101, 1, 1))):
        _refused(sa.text(f"UPDATE mailing SET {column} = :day"), {"day": day})
    mailing = db.session.scalar(sa.select(Mailing))
    db.session.refresh(mailing)
    assert (mailing.sent_on, mailing.stop_on) == (dt.date(2008, 3, 1), dt.date(2100, 12, 31))


def test_free_text_longer_than_its_form_allows_is_refused_by_the_database(app):
    meeting = _meeting(dt.datetime(2030, 5, 15, 11, 30, tzinfo=UTC), description="d" * 2000)
    db.session.add(MeetingText(meeting_id=meeting.id, language="so", field="description", text="x" * 3000,
                               source=""))
    db.session.add(MeetingText(meeting_id=meeting.id, language="so", field="topic", text="t" * 300, source=""))
    db.session.commit()
    _refused(sa.text("UPDATE meeting_text SET text = :text WHERE field = 'description'"), {"text": "x" * 3001})
    _refused(sa.text("UPDATE meeting_text SET text = :text WHERE field = 'topic'"), {"text": "t" * 301})
    _refused(sa.text("UPDATE meeting SET description = :text"), {"text": "d" * 2001})
    # Counted in characters, not bytes, on both databases: 3000 Arabic letters fit.
    db.session.execute(sa.text("UPDATE meeting_text SET text = :text WHERE field = 'description'"),
                       {"text": "ع" * 3000})
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.length(MeetingText.text)).where(
        MeetingText.field == "description")) == 3000
