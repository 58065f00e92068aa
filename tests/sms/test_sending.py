"""Sending through the real twilio Client against the fake Twilio API on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from babel.dates import format_date

from brukermote.core.timeutil import to_local, utcnow
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus
from brukermote.outreach.models import Contact
from brukermote.sms import delivery, services, texts
from brukermote.sms.models import MessageStatus, SendStatus, SmsMessage, SmsSend, TemplateKind
from tests.printing.helpers import FIXED_DAY, make_meeting

from .conftest import ACCOUNT_SID, ACTOR, add_contacts, due_reminder


def _messages(**where):
    query = sa.select(SmsMessage).order_by(SmsMessage.id)
    for key, value in where.items():
        query = query.where(getattr(SmsMessage, key) == value)
    return list(db.session.scalars(query))


def test_a_reminder_goes_through_the_twilio_client_to_the_fake_api(twilio_app, fake):
    meeting = make_meeting()
    add_contacts(3)
    add_contacts(1, consent=False, start=50)  # no consent: never reached
    due_reminder(meeting)
    outcome = delivery.run_pass()
    assert outcome["sent"] == 3
    posts = fake.posts
    assert len(posts) == 3
    assert {p.form["To"] for p in posts} == {"+4791000000", "+4791000001", "+4791000002"}
    assert all(p.auth_user == ACCOUNT_SID and p.path == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
               for p in posts)
    assert all(p.form["From"] == "+4759440000" for p in posts)
    assert all(p.form["StatusCallback"] == "http://127.0.0.1:5000/sms/twilio/status" for p in posts)
    body = posts[0].form["Body"]
    assert format_date(FIXED_DAY, "full", locale="nb_NO") in body and "13:30" in body and "Årvoll Gård" in body
    assert "Gratis og frivillig" in body and "STOPP" in body
    rows = _messages()
    assert {r.status for r in rows} == {MessageStatus.sent}
    assert all(r.provider_sid and r.provider_sid.startswith("SM") for r in rows)
    assert db.session.scalar(sa.select(SmsSend.status)) == SendStatus.done
    # A second pass sends nothing again.
    delivery.run_pass()
    assert len(fake.posts) == 3


def test_messaging_service_sid_instead_of_a_sender_number(twilio_app, fake):
    twilio_app.config.update(TWILIO_FROM="", TWILIO_MESSAGING_SERVICE_SID="MG" + "2" * 32)
    meeting = make_meeting()
    add_contacts(1)
    due_reminder(meeting)
    delivery.run_pass()
    assert fake.posts[0].form["MessagingServiceSid"] == "MG" + "2" * 32 and "From" not in fake.posts[0].form


def test_transient_errors_are_retried_and_permanent_ones_are_not(twilio_app, fake):
    meeting = make_meeting()
    flaky, invalid, carrier_stop, fine = add_contacts(4)
    fake.scripts = {flaky.phone: [(500, None), (429, 20429), 201], invalid.phone: [(400, 21211)],
                    carrier_stop.phone: [(400, 21610)]}
    due_reminder(meeting)
    delivery.run_pass()
    assert len(fake.posts_to(flaky.phone)) == 3
    assert len(fake.posts_to(invalid.phone)) == 1
    assert len(fake.posts_to(carrier_stop.phone)) == 1
    assert len(fake.posts_to(fine.phone)) == 1
    by_phone = {m.phone: m for m in _messages()}
    assert by_phone[flaky.phone].status == MessageStatus.sent and by_phone[flaky.phone].attempts == 3
    assert by_phone[invalid.phone].status == MessageStatus.failed and by_phone[invalid.phone].error_code == "21211"
    assert by_phone[carrier_stop.phone].status == MessageStatus.failed
    # 21610: the number is opted out everywhere.
    assert db.session.get(Contact, carrier_stop.id).sms_opted_out_at is not None
    # Nothing permanent is retried by later passes either.
    delivery.run_pass()
    assert len(fake.posts) == 6


def test_retries_stop_after_the_maximum_number_of_attempts(twilio_app, fake):
    twilio_app.config["SMS_MAX_ATTEMPTS"] = "3"
    meeting = make_meeting()
    (down,) = add_contacts(1)
    fake.scripts = {down.phone: [(503, None)] * 10}
    due_reminder(meeting)
    delivery.run_pass()
    assert len(fake.posts_to(down.phone)) == 3
    assert _messages()[0].status == MessageStatus.failed


def test_a_retry_not_due_within_the_pass_is_left_for_the_next_pass(twilio_app, fake):
    twilio_app.config.update(SMS_RETRY_BACKOFF="3600", SMS_PASS_MAX_WAIT="0")
    meeting = make_meeting()
    (person,) = add_contacts(1)
    fake.scripts = {person.phone: [(500, None)]}
    due_reminder(meeting)
    delivery.run_pass()
    row = _messages()[0]
    assert row.status == MessageStatus.pending and row.next_attempt_at > utcnow()
    delivery.run_pass()
    assert len(fake.posts) == 1  # backoff respected
    row.next_attempt_at = utcnow() - dt.timedelta(seconds=1)
    db.session.commit()
    delivery.run_pass()
    assert len(fake.posts) == 2 and _messages()[0].status == MessageStatus.sent


def test_a_timeout_is_settled_by_looking_the_message_up_not_by_resending(twilio_app, fake):
    twilio_app.config.update(TWILIO_TIMEOUT="0.3", SMS_STALE_AFTER="0")
    meeting = make_meeting()
    slow, lost = add_contacts(2)
    fake.scripts = {slow.phone: [("slow", 1.0)]}
    due_reminder(meeting)
    delivery.start_due_sends()
    delivery.deliver()
    by_phone = {m.phone: m for m in _messages()}
    assert by_phone[slow.phone].status == MessageStatus.sending  # outcome unknown: not resent
    # A row whose claim was committed but whose request never left (worker died in between):
    by_phone[lost.phone].status = MessageStatus.sending
    by_phone[lost.phone].provider_sid = None
    db.session.commit()
    fake.created[:] = [m for m in fake.created if m["to"] != lost.phone]
    fake.requests[:] = [r for r in fake.requests if r.form.get("To") != lost.phone]
    delivery.run_pass()
    db.session.expire_all()
    by_phone = {m.phone: m for m in _messages()}
    assert by_phone[slow.phone].status == MessageStatus.sent and by_phone[slow.phone].provider_sid
    assert len(fake.posts_to(slow.phone)) == 1  # found at Twilio, not sent twice
    assert by_phone[lost.phone].status == MessageStatus.sent
    assert len(fake.posts_to(lost.phone)) == 1  # not found at Twilio: sent (once)


def test_arabic_reminder_carries_the_arabic_weekday_and_date_of_the_meeting(twilio_app, fake, admin_client):
    meeting = make_meeting()
    (reader,) = add_contacts(1, language="ar")
    # Arabic ships unapproved: first the reader would get Norwegian.
    assert services.compose(TemplateKind.reminder, meeting, "ar").fallback
    response = admin_client.post("/sms/templates/reminder/ar", data={
        "body": texts.DEFAULTS["reminder"]["ar"], "approve": "y", "action": "save"})
    assert response.status_code == 302
    due_reminder(meeting)
    delivery.run_pass()
    (post,) = fake.posts
    body = post.form["Body"]
    day = to_local(meeting.starts_at).date()
    assert day == FIXED_DAY
    assert format_date(day, "full", locale="ar") in body
    assert format_date(day, "EEEE", locale="ar") in body
    assert "العمل والنشاط" in body  # the approved Arabic topic
    # And not some other day's weekday.
    other_days = {format_date(day + dt.timedelta(days=n), "EEEE", locale="ar") for n in range(1, 7)}
    assert not any(name in body for name in other_days)
    row = _messages()[0]
    assert row.language == "ar" and texts.analyse(body).encoding == "UCS-2"


def test_unapproved_language_falls_back_to_norwegian_and_the_committee_is_told(twilio_app, fake, admin_client):
    meeting = make_meeting()
    (somali,) = add_contacts(1, language="so")
    services.add_reminder(meeting, 2, dt.time(10, 0), actor=ACTOR)
    db.session.commit()
    page = admin_client.get(f"/meetings/{meeting.id}/sms").get_data(as_text=True)
    assert "somali" in page  # the committee reads Norwegian: «somali», lower case
    from brukermote.sms.views import warnings

    with twilio_app.test_request_context():
        messages = [w.message for w in warnings(meeting)]
    assert any("norsk" in w for w in messages)
    db.session.scalar(sa.select(SmsSend)).send_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    delivery.run_pass()
    body = fake.posts[0].form["Body"]
    assert format_date(FIXED_DAY, "full", locale="nb_NO") in body
    row = _messages()[0]
    assert row.language == "nb" and row.wanted_language == "so"


def test_reminders_move_with_the_meeting_and_stop_when_it_is_cancelled(twilio_app, fake):
    meeting = make_meeting()
    add_contacts(2)
    first = services.add_reminder(meeting, 2, dt.time(10, 0), actor=ACTOR)
    second = services.add_reminder(meeting, 0, dt.time(9, 0), actor=ACTOR)
    db.session.commit()
    assert to_local(first.send_at) == dt.datetime(2031, 3, 10, 10, 0, tzinfo=to_local(first.send_at).tzinfo)
    data = meeting_services.MeetingData(
        type=meeting.type, topic=meeting.topic, day=dt.date(2031, 4, 2), start=dt.time(17, 30), end=dt.time(19, 30),
        venue_id=meeting.venue_id)
    meeting_services.update_meeting(meeting, data, meeting.version)
    db.session.commit()
    assert to_local(first.send_at).replace(tzinfo=None) == dt.datetime(2031, 3, 31, 10, 0)  # across DST too
    assert to_local(second.send_at).replace(tzinfo=None) == dt.datetime(2031, 4, 2, 9, 0)
    # One reminder has gone out; then the meeting is cancelled.
    first.send_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    delivery.run_pass()
    assert len(fake.posts) == 2
    meeting_services.change_status(meeting, MeetingStatus.cancelled, "Lokalet brant")
    db.session.commit()
    assert second.status == SendStatus.cancelled
    second.send_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    delivery.run_pass()
    assert len(fake.posts) == 2  # the cancelled reminder never goes
    from brukermote.sms.views import warnings

    with twilio_app.test_request_context():
        assert any("avlysning" in w.message for w in warnings(meeting))
    # The cancellation notice goes to those who were told about the meeting.
    from brukermote.sms.models import Audience, SendKind

    send = services.send_now(meeting, SendKind.cancellation, Audience.reminded, actor=ACTOR)
    db.session.commit()
    delivery.run_pass([send.id])
    assert len(fake.posts) == 4
    assert all("avlyst" in p.form["Body"] for p in fake.posts[2:])
    with twilio_app.test_request_context():
        assert warnings(meeting) == []


def test_segments_encoding_and_cost():
    assert texts.analyse("a" * 160) == texts.Analysis(160, "GSM-7", 160, 1, 160)
    assert texts.analyse("a" * 161).segments == 2
    assert texts.analyse("a" * 306).segments == 2 and texts.analyse("a" * 307).segments == 3
    # Extension characters count twice.
    assert texts.analyse("€" * 80).units == 160 and texts.analyse("€" * 80).segments == 1
    assert texts.analyse("€" * 81).segments == 2
    assert texts.analyse("Påminnelse: møte på Årvoll").encoding == "GSM-7"  # æøå are in GSM-7
    arabic = texts.analyse("ن" * 70)
    assert (arabic.encoding, arabic.segments) == ("UCS-2", 1)
    assert texts.analyse("ن" * 71).segments == 2 and texts.analyse("ن" * 134).segments == 2
    assert texts.analyse("ن" * 135).segments == 3
    assert texts.analyse("😀" * 35).units == 70  # a surrogate pair is two UCS-2 units
    assert texts.analyse("a" * 161).cost(Decimal("0.80")) == Decimal("1.60")


def test_template_problems():
    assert texts.problems("reminder", "Hei {topic} {date} {time}") == []
    assert texts.problems("reminder", "Hei {date}") == ["missing:{time}"]
    assert texts.problems("reminder", "Hei {navn} {date} {time}") == ["unknown:{navn}"]
    assert texts.problems("reminder", "Hei {date") == ["broken"]


def test_a_reminder_moved_into_a_dst_gap_does_not_block_the_move(twilio_app):
    meeting = make_meeting()
    reminder = services.add_reminder(meeting, 1, dt.time(2, 30), actor=ACTOR)
    db.session.commit()
    # 2031-03-30 is the last Sunday of March: 02:30 does not exist in Oslo that night.
    data = meeting_services.MeetingData(type=meeting.type, topic=meeting.topic, day=dt.date(2031, 3, 31),
                                        start=dt.time(13, 30), end=dt.time(15, 30), venue_id=meeting.venue_id)
    meeting_services.update_meeting(meeting, data, meeting.version)
    db.session.commit()
    assert to_local(reminder.send_at).date() == dt.date(2031, 3, 30)


def test_a_reminder_whose_time_came_after_the_meeting_started_is_not_sent(twilio_app, fake):
    meeting = make_meeting()
    add_contacts(1)
    send = due_reminder(meeting)
    meeting.starts_at = utcnow() - dt.timedelta(hours=1)
    meeting.ends_at = utcnow() + dt.timedelta(hours=1)
    db.session.commit()
    delivery.run_pass()
    assert fake.posts == [] and send.status == SendStatus.cancelled


def test_the_norwegian_and_english_defaults_stay_in_gsm7_to_keep_the_cost_down():
    values = {"topic": "Arbeid og aktivitet", "date": "onsdag 12. mars 2031", "weekday": "onsdag", "time": "13:30",
              "venue": "Årvoll Gård", "stop": "STOPP"}
    for kind, bodies in texts.DEFAULTS.items():
        for code in ("nb", "en", "so"):
            analysis = texts.analyse(texts.fill(bodies[code], values))
            assert analysis.encoding == "GSM-7", (kind, code)
            assert analysis.segments <= 2, (kind, code)


def test_a_lost_second_reminder_is_not_mistaken_for_the_first(app, fake):
    """Two reminders for one meeting have the same text. When the second was claimed by a worker that
    died before Twilio got it, looking it up must not find the first one (sent days earlier): it goes
    back to the queue and is sent, once, and other sends are not held up."""
    import datetime as dt

    from brukermote.core.timeutil import utcnow
    from brukermote.sms.backends import get_backend
    from tests.sms.conftest import add_contacts, due_reminder, manual_send, twilio_settings

    app.config.update(twilio_settings(fake))
    meeting = make_meeting()
    add_contacts(1)
    first_send = due_reminder(meeting)
    delivery.run_pass([first_send.id], max_wait=0)
    [first] = db.session.scalars(sa.select(SmsMessage).where(SmsMessage.send_id == first_send.id)).all()
    second_send = services.add_reminder(meeting, 1, dt.time(10, 0), actor=ACTOR)
    second_send.send_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    delivery.start_due_sends([second_send.id])
    [second] = db.session.scalars(sa.select(SmsMessage).where(SmsMessage.send_id == second_send.id)).all()
    assert second.body == first.body
    second.status, second.claimed_at = MessageStatus.sending, utcnow() - dt.timedelta(hours=1)
    db.session.commit()
    assert delivery.recover_stale(get_backend())["pending"] == 1
    other = manual_send(meeting)
    delivery.run_pass([other.id, second_send.id], max_wait=0)
    db.session.expire_all()
    second = db.session.get(SmsMessage, second.id)
    assert second.status == MessageStatus.sent and second.provider_sid != first.provider_sid
    assert len(fake.posts) == 3  # first reminder, the lost one sent now, the manual send


def test_a_lookup_answer_that_belongs_to_another_row_marks_the_row_unknown(app):
    """Whatever a provider answers, one stale row must not stop the passes for every meeting."""
    import datetime as dt

    from brukermote.core.timeutil import utcnow

    meeting = make_meeting()
    add_contacts(2)
    send = due_reminder(meeting)
    delivery.start_due_sends([send.id])
    taken, stale = db.session.scalars(sa.select(SmsMessage).where(SmsMessage.send_id == send.id)).all()
    taken.status, taken.provider_sid = MessageStatus.sent, "SM-already-recorded"
    stale.status, stale.claimed_at = MessageStatus.sending, utcnow() - dt.timedelta(hours=1)
    db.session.commit()

    class ConfusedProvider:
        can_look_up = True

        def find_sent(self, to, body, since, exclude=frozenset()):
            return "SM-already-recorded"

    assert delivery.recover_stale(ConfusedProvider()) == {"unknown": 1}
    db.session.expire_all()
    assert db.session.get(SmsMessage, stale.id).status == MessageStatus.unknown


def test_a_two_unit_character_on_a_part_boundary_is_not_split_so_it_costs_one_more_part():
    # 152 + 2 septets would straddle the 153-septet boundary: the € moves whole to part two.
    assert texts.analyse("a" * 152 + "€" + "a" * 152).segments == 3
    # An emoji's surrogate pair on the 67-unit boundary moves whole to the next part too.
    assert texts.analyse("ن" * 66 + "😀" + "ن" * 66).segments == 3
    # Not on a boundary: unchanged.
    assert texts.analyse("€" + "a" * 303).segments == 2
