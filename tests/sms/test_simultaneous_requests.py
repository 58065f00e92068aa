"""Two tabs, a double click: identical requests arriving at the same moment at a running server (real
HTTP, a thread per request) make one send, one reminder — on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from brukermote.core.timeutil import utcnow
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus, MeetingType, Venue
from brukermote.sms.models import SendKind, SendStatus, SmsMessage, SmsSend
from tests.live import LiveServer, at_the_same_time, signed_in

from .conftest import add_contacts

#: How many pairs of simultaneous requests each test fires.
PAIRS = 50
#: Pairs in flight at once (each pair itself is released by one barrier).
PAIRS_AT_ONCE = 5


def _published_meetings(count: int, languages: tuple[str, ...] = ("nb",)) -> list[int]:
    venue = Venue(name="Årvoll Gård", address="Årvollveien 36, 0590 Oslo", capacity=80)
    db.session.add(venue)
    db.session.flush()
    day = (utcnow() + dt.timedelta(days=60)).date()
    ids = []
    for index in range(count):
        meeting = meeting_services.create_meeting(meeting_services.MeetingData(
            type=MeetingType.user_meeting, topic=f"Brukermøte nr. {index + 1}", day=day + dt.timedelta(days=index),
            start=dt.time(13, 30), end=dt.time(15, 30), venue_id=venue.id, target_languages=list(languages)))
        meeting.status, meeting.published_at = MeetingStatus.published, utcnow()
        db.session.flush()
        ids.append(meeting.id)
    db.session.commit()
    return ids


def _fire_pairs(pair_for_meeting, meeting_ids) -> list:
    with ThreadPoolExecutor(PAIRS_AT_ONCE) as pool:
        return list(pool.map(lambda meeting_id: at_the_same_time(*pair_for_meeting(meeting_id)), meeting_ids))


def test_fifty_pairs_of_simultaneous_confirmations_make_fifty_sends_and_text_nobody_twice(
        twilio_app, fake, admin_user):
    recipients = add_contacts(3)
    meeting_ids = _published_meetings(PAIRS)
    with LiveServer(twilio_app) as server:
        browser = signed_in(server, admin_user.email)

        def pair(meeting_id):
            url = f"{server.url}/meetings/{meeting_id}/sms/send"
            form = {"kind": "manual", "audience": "consented"}
            page = browser.post(url, data=form, timeout=60).text
            token = re.search(r'name="send_token" value="([A-Za-z0-9_-]+)"', page).group(1)
            confirmed = {**form, "confirm": "yes", "send_token": token}
            return [lambda: browser.post(url, data=confirmed, allow_redirects=False, timeout=120)] * 2

        responses = _fire_pairs(pair, meeting_ids)
    # Every answer is the redirect back to the meeting's SMS page, none an error.
    assert Counter(r.status_code for pair in responses for r in pair) == Counter({302: 2 * PAIRS})
    db.session.expire_all()
    sends = db.session.scalars(sa.select(SmsSend).where(SmsSend.kind == SendKind.manual)).all()
    assert Counter(s.meeting_id for s in sends) == Counter({meeting_id: 1 for meeting_id in meeting_ids})
    assert {s.status for s in sends} == {SendStatus.done}
    # What the provider received: each recipient exactly once per meeting.
    assert len(fake.posts) == 3 * PAIRS
    assert Counter(p.form["To"] for p in fake.posts) == Counter({c.phone: PAIRS for c in recipients})
    assert db.session.scalar(sa.select(sa.func.count(SmsMessage.id))) == 3 * PAIRS


def test_fifty_pairs_of_simultaneous_identical_reminders_schedule_fifty(twilio_app, fake, admin_user):
    add_contacts(2)
    meeting_ids = _published_meetings(PAIRS)
    with LiveServer(twilio_app) as server:
        browser = signed_in(server, admin_user.email)

        def pair(meeting_id):
            url = f"{server.url}/meetings/{meeting_id}/sms/reminders"
            form = {"days_before": "2", "local_time": "10:00", "audience": "consented"}
            return [lambda: browser.post(url, data=form, allow_redirects=False, timeout=120)] * 2

        responses = _fire_pairs(pair, meeting_ids)
    assert Counter(r.status_code for pair in responses for r in pair) == Counter({302: 2 * PAIRS})
    db.session.expire_all()
    reminders = db.session.scalars(sa.select(SmsSend).where(SmsSend.kind == SendKind.reminder)).all()
    assert Counter(s.meeting_id for s in reminders) == Counter({meeting_id: 1 for meeting_id in meeting_ids})
