"""Issue 15, "SMS: exactly once": safe templates, one failure never stops the others, every retry path
capped, nothing after the meeting has started, delivery reports that come before the SID.

Sending goes through the real twilio Client to the fake Twilio API on 127.0.0.1 (``fake_twilio``).
"""

from __future__ import annotations

import datetime as dt
import time

import pytest
import sqlalchemy as sa

from brukermote.core.timeutil import utcnow
from brukermote.extensions import db
from brukermote.meetings.models import Meeting, MeetingStatus
from brukermote.sms import delivery, services, texts
from brukermote.sms import status as sms_status
from brukermote.sms.models import (
    TRANSITIONS,
    MessageStatus,
    SendKind,
    SendStatus,
    SmsEarlyStatus,
    SmsMessage,
    SmsSend,
    SmsTemplate,
    TemplateKind,
)
from tests.printing.helpers import FIXED_DAY, make_meeting

from .conftest import add_contacts, due_reminder, manual_send
from .test_webhooks import post_signed

BAD_TEXTS = {
    "{topic:d} {date} {time}": "{topic:d}",
    "{topic!r} {date} {time}": "{topic!r}",
    "{topic.__class__} {date} {time}": "{topic.__class__}",
    "{topic[0]} {date} {time}": "{topic[0]}",
    "{navn} {date} {time}": "{navn}",
    "{} {date} {time}": "{}",
    "{0} {date} {time}": "{0}",
    "{date:{time}} {date} {time}": "{date:{time}}",
}


def _messages(**where):
    db.session.expire_all()
    query = sa.select(SmsMessage).order_by(SmsMessage.id)
    for key, value in where.items():
        query = query.where(getattr(SmsMessage, key) == value)
    return list(db.session.scalars(query))


def _store_raw(kind: TemplateKind, language: str, body: str) -> None:
    """A text stored before validation was strict (or by hand in the database): no checks."""
    services.ensure_templates()
    db.session.execute(sa.update(SmsTemplate).where(SmsTemplate.kind == kind, SmsTemplate.language == language)
                       .values(body=body, approved=True))
    db.session.commit()


# -- 1. only the documented placeholders ------------------------------------------------------------

@pytest.mark.parametrize("body, offending", sorted(BAD_TEXTS.items()))
def test_only_the_documented_placeholders_are_accepted(body, offending):
    found = texts.problems("reminder", body)
    assert found and offending in found[0], found


@pytest.mark.parametrize("body", ["Hei {date", "Hei date} {date} {time}", "{{date} {date} {time}"])
def test_unbalanced_braces_are_refused(body):
    assert texts.problems("reminder", body)[0].startswith("broken")


def test_doubled_braces_are_text_and_every_documented_placeholder_is_fine():
    body = "{{Hei}} {topic} {date} {weekday} {time} {venue} {stop}"
    assert texts.problems("reminder", body) == []
    filled = texts.fill(body, {"topic": "T", "date": "D", "weekday": "W", "time": "12", "venue": "V", "stop": "S"})
    assert filled == "{Hei} T D W 12 V S"


@pytest.mark.parametrize("body, offending", [("Hei {topic:d} {date} {time}", "{topic:d}"),
                                             ("Hei {topic.__class__} {date} {time}", "{topic.__class__}")])
def test_a_bad_text_is_refused_on_save_in_norwegian_naming_the_placeholder(admin_client, body, offending):
    make_meeting()
    response = admin_client.post("/sms/templates/reminder/nb", data={"body": body, "approve": "y",
                                                                      "action": "save"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ukjent eller ugyldig plassholder" in html and offending in html
    assert services.get_template(TemplateKind.reminder, "nb").body != body


def test_the_renderer_never_formats_user_text():
    values = {"topic": "Bolig", "date": "onsdag", "time": "13:30"}
    assert texts.fill("{topic:d} {date} {time}", values) == "{topic:d} onsdag 13:30"
    assert texts.fill("{topic.__class__} {topic[0]} {topic!r}", values) == "{topic.__class__} {topic[0]} {topic!r}"
    assert texts.fill("Hei {date", values) == "Hei {date"
    assert texts.fill("{navn} {{x}}", values) == "{navn} {x}"


def test_a_bad_text_already_stored_breaks_no_page_and_no_pass(admin_client, twilio_app, fake):
    meeting = make_meeting()
    add_contacts(2)
    _store_raw(TemplateKind.reminder, "nb", "Hei {topic:d} {date} {time}")
    assert admin_client.get("/sms/templates/reminder/nb").status_code == 200
    assert admin_client.get("/sms").status_code == 200
    response = admin_client.post(f"/meetings/{meeting.id}/sms/send", data={"kind": "manual",
                                                                            "audience": "consented"})
    assert response.status_code == 200
    assert admin_client.get(f"/meetings/{meeting.id}/sms").status_code == 200
    due_reminder(meeting)
    delivery.run_pass(max_wait=0)
    assert len(fake.posts) == 2
    assert all("{topic:d}" not in p.form["Body"] for p in fake.posts)  # placeholders never leak as code


# -- 2. one failing send never stops the others ---------------------------------------------------

def _two_meetings_with_due_sends():
    first = make_meeting()
    second = make_meeting(day=FIXED_DAY + dt.timedelta(days=7))
    add_contacts(2)
    return first, second


def test_a_broken_stored_template_does_not_hold_back_another_meetings_reminder(twilio_app, fake):
    """The cancellation text of the cancelled meeting is broken; the other meeting's reminder goes."""
    cancelled, other = _two_meetings_with_due_sends()
    _store_raw(TemplateKind.cancellation, "nb", "Avlyst {topic:d} {date} kl. {time}")
    cancelled.status = MeetingStatus.cancelled
    db.session.commit()
    notice = manual_send(cancelled, SendKind.cancellation)
    reminder = due_reminder(other)
    delivery.run_pass(max_wait=0)
    db.session.expire_all()
    assert {r.status for r in _messages(send_id=reminder.id)} == {MessageStatus.sent}
    assert len(_messages(send_id=reminder.id)) == 2
    assert db.session.get(SmsSend, notice.id).status in (SendStatus.done, SendStatus.failed)


def test_an_error_preparing_one_send_is_recorded_on_it_and_the_pass_goes_on(twilio_app, fake, monkeypatch):
    broken, other = _two_meetings_with_due_sends()
    first = due_reminder(broken)
    second = due_reminder(other)
    real = services.values_for

    def values_for(meeting, language):
        if meeting is not None and meeting.id == broken.id:
            raise RuntimeError("CLDR data missing")
        return real(meeting, language)

    monkeypatch.setattr(services, "values_for", values_for)
    outcome = delivery.run_pass(max_wait=0)
    db.session.expire_all()
    failed = db.session.get(SmsSend, first.id)
    assert failed.status == SendStatus.failed and "CLDR data missing" in failed.error_message
    assert {r.status for r in _messages(send_id=second.id)} == {MessageStatus.sent}
    assert outcome["sent"] == 2 and outcome["send_failed"] == 1
    # Later passes leave it alone (not retried every minute, not holding anything back).
    monkeypatch.setattr(services, "values_for", real)
    delivery.run_pass(max_wait=0)
    assert len(fake.posts) == 2


def test_an_unexpected_provider_answer_for_one_message_does_not_stop_the_batch(admin_client, twilio_app, fake):
    meeting = make_meeting()
    odd, *rest = add_contacts(3)
    fake.scripts = {odd.phone: ["garbage"]}
    due_reminder(meeting)
    delivery.run_pass(max_wait=0)
    by_phone = {m.phone: m for m in _messages()}
    # The request reached Twilio, so it may have been sent: never resent blindly, shown as unknown.
    assert by_phone[odd.phone].status == MessageStatus.unknown and by_phone[odd.phone].error_message
    assert all(by_phone[c.phone].status == MessageStatus.sent for c in rest)
    delivery.run_pass(max_wait=0)
    assert len(fake.posts) == 3
    page = admin_client.get(f"/meetings/{meeting.id}/sms/messages").get_data(as_text=True)
    assert "Ukjent – sjekk hos Twilio" in page


# -- 3. every retry path is capped, timeouts included -----------------------------------------------

def _passes(n: int = 12) -> None:
    for _ in range(n):
        delivery.run_pass(max_wait=0)


def _passes_until(status: MessageStatus, then: int = 3, seconds: float = 30) -> None:
    """Passes until a message reaches ``status`` (each retry waits its backoff, so a fixed number of
    passes proves nothing on a fast machine and fails on a busy one), then ``then`` more, which must
    try no more."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not _messages(status=status):
        delivery.run_pass(max_wait=0)
        time.sleep(0.01)
    _passes(then)


def test_a_provider_that_always_times_out_gets_exactly_max_attempts_requests(admin_client, twilio_app, fake):
    twilio_app.config.update(TWILIO_TIMEOUT="0.2", SMS_STALE_AFTER="0", SMS_MAX_ATTEMPTS="5")
    fake.hang = 0.5
    meeting = make_meeting()
    add_contacts(1)
    due_reminder(meeting)
    _passes_until(MessageStatus.unknown)
    assert len(fake.requests) == 5  # before: 12 (one POST and a lookup every pass), still "sending"
    [row] = _messages()
    assert row.status == MessageStatus.unknown and row.attempts == 5
    html = admin_client.get(f"/meetings/{meeting.id}/sms/messages").get_data(as_text=True)
    assert "Ukjent – sjekk hos Twilio" in html
    assert db.session.scalar(sa.select(SmsSend.status)) == SendStatus.done


def test_a_send_that_times_out_and_is_never_found_is_capped_too(twilio_app, fake):
    twilio_app.config.update(TWILIO_TIMEOUT="0.2", SMS_STALE_AFTER="0", SMS_MAX_ATTEMPTS="5")
    meeting = make_meeting()
    (person,) = add_contacts(1)
    fake.scripts = {person.phone: [("hang", 0.5)] * 20}  # lost at Twilio; the lookup answers "not there"
    due_reminder(meeting)
    _passes_until(MessageStatus.unknown)
    assert len(fake.requests) == 5  # before: 12 POSTs and 11 lookups, still "sending"
    [row] = _messages()
    assert row.status == MessageStatus.unknown and row.attempts == 5


def test_a_send_that_timed_out_and_was_not_found_waits_before_it_is_sent_again(twilio_app, fake):
    """The timeout path backs off like every other transient error: a provider that keeps timing out is
    not asked again at every pass (before: resent at the very next pass, every minute)."""
    twilio_app.config.update(TWILIO_TIMEOUT="0.2", SMS_STALE_AFTER="0", SMS_MAX_ATTEMPTS="5",
                             SMS_RETRY_BACKOFF="60")
    meeting = make_meeting()
    (person,) = add_contacts(1)
    fake.scripts = {person.phone: [("hang", 0.5)] * 20}
    due_reminder(meeting)
    _passes(6)
    assert len(fake.requests) == 2  # the send that timed out and the lookup that did not find it
    [row] = _messages()
    assert row.status == MessageStatus.pending and row.attempts == 2
    # 60 s doubled for the second attempt, as after a 503.
    assert row.next_attempt_at > utcnow() + dt.timedelta(seconds=100)


def test_connection_errors_count_as_attempts(twilio_app):
    import socket

    with socket.socket() as taken:  # bound and kept, never listening: connections are refused
        taken.bind(("127.0.0.1", 0))
        port = taken.getsockname()[1]
        twilio_app.config.update(TWILIO_API_BASE_URL=f"http://127.0.0.1:{port}", SMS_MAX_ATTEMPTS="3",
                                 SMS_STALE_AFTER="0")
        meeting = make_meeting()
        add_contacts(1)
        due_reminder(meeting)
        # Passes until the message gives up: each retry waits its backoff, so a fixed number of
        # passes proved nothing on a fast machine and failed on a busy one.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            delivery.run_pass(max_wait=0)
            if _messages(status=MessageStatus.failed):
                break
            time.sleep(0.01)
        _passes(3)  # and more passes after that try no more
    [row] = _messages()
    assert (row.attempts, row.status, row.error_code) == (3, MessageStatus.failed, "connection")  # never left


def test_the_status_rulebook_refuses_illegal_transitions(twilio_app, fake):
    meeting = make_meeting()
    add_contacts(1)
    due_reminder(meeting)
    delivery.run_pass(max_wait=0)
    [row] = _messages()
    assert row.status == MessageStatus.sent
    with pytest.raises(sms_status.IllegalTransition):
        sms_status.set_status(row, MessageStatus.pending)
    sms_status.set_status(row, MessageStatus.delivered)
    with pytest.raises(sms_status.IllegalTransition):
        sms_status.set_status(row, MessageStatus.sending)
    for status in MessageStatus:
        assert status in TRANSITIONS
    assert TRANSITIONS[MessageStatus.skipped] == set() and TRANSITIONS[MessageStatus.cancelled] == set()


# -- 4. nothing leaves after the meeting has started -------------------------------------------------

def test_no_message_leaves_once_the_meeting_has_started_during_the_batch(admin_client, twilio_app, fake):
    meeting = make_meeting()
    add_contacts(4)
    send = due_reminder(meeting)
    engine, meeting_id = db.engine, meeting.id  # the hook runs in the server's thread: plain values only

    def meeting_starts(_message):
        if len(fake.created) == 1:
            with engine.begin() as conn:
                conn.execute(sa.update(Meeting).where(Meeting.id == meeting_id)
                             .values(starts_at=utcnow() - dt.timedelta(seconds=1)))

    fake.on_create = meeting_starts
    delivery.run_pass(max_wait=0)
    assert len(fake.posts) == 1
    rows = _messages(send_id=send.id)
    assert [r.status for r in rows] == [MessageStatus.sent] + [MessageStatus.cancelled] * 3
    assert all(r.error_code == "started" for r in rows[1:])
    html = admin_client.get(f"/meetings/{meeting.id}/sms/messages").get_data(as_text=True)
    assert "Møtet hadde begynt" in html


# -- 5. a delivery report before the SID is kept ----------------------------------------------------

def test_a_delivery_report_that_comes_before_the_sid_is_stored_is_applied(client, twilio_app, fake):
    meeting = make_meeting()
    first, second = (c.phone for c in add_contacts(2))  # the hook runs in the server's thread: plain values
    due_reminder(meeting)
    answers = {}

    def report_at_once(message):
        # Twilio's callback for this message reaches us before the API call has returned.
        params = {"MessageSid": message["sid"], "MessageStatus": "delivered", "AccountSid": message["account_sid"]}
        if message["to"] == second:
            params = {**params, "MessageStatus": "undelivered", "ErrorCode": "30005"}
        answers[message["to"]] = post_signed(client, "/sms/twilio/status", params).status_code

    fake.on_create = report_at_once
    delivery.run_pass(max_wait=0)
    assert answers == {first: 204, second: 204}
    by_phone = {m.phone: m for m in _messages()}
    assert by_phone[first].status == MessageStatus.delivered
    assert by_phone[second].status == MessageStatus.undelivered
    assert by_phone[second].error_code == "30005"
    assert db.session.scalar(sa.select(sa.func.count(SmsEarlyStatus.id))) == 0  # applied, then forgotten


def test_an_early_report_for_a_timed_out_send_is_applied_when_the_lookup_finds_it(client, twilio_app, fake):
    twilio_app.config.update(TWILIO_TIMEOUT="0.3", SMS_STALE_AFTER="0")
    meeting = make_meeting()
    (person,) = add_contacts(1)
    fake.scripts = {person.phone: [("slow", 1.0)]}
    due_reminder(meeting)
    delivery.run_pass(max_wait=0)
    [row] = _messages()
    assert row.status == MessageStatus.sending and row.provider_sid is None
    sid = fake.created[0]["sid"]
    response = post_signed(client, "/sms/twilio/status", {"MessageSid": sid, "MessageStatus": "delivered"})
    assert response.status_code == 204
    assert db.session.scalar(sa.select(sa.func.count(SmsEarlyStatus.id))) == 1
    delivery.run_pass(max_wait=0)  # the lookup finds it at Twilio ("queued" there): the report wins
    [row] = _messages()
    assert row.provider_sid == sid and row.status == MessageStatus.delivered
    assert len(fake.posts) == 1
