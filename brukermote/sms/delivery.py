"""The background pass: start due sends, send each message exactly once, recover what a dead worker
left, cap every retry.

Exactly once, and what "once" means when a worker dies
-------------------------------------------------------
A send first *materialises* its recipients: one ``SmsMessage`` row per (send, phone), unique in the
database, inserted in the same transaction that moves the send from ``scheduled`` to ``sending`` with a
conditional UPDATE (only one worker wins that; a crash rolls the whole thing back). Each row is then
*claimed* with ``UPDATE … SET status='sending' WHERE id=? AND status='pending'`` and committed **before**
the API call; the result (``sent`` + Twilio's SID, or the error) is committed right after. So:

- two workers never send the same row: only one UPDATE matches ``status='pending'``;
- a worker killed between rows leaves every row either settled or still ``pending``: a restart sends
  exactly the rest;
- a worker killed *during* the API call leaves that one row in ``sending``. It is **not** sent again
  blindly (Twilio has no idempotency key for message creation, so a resend could double it): once older
  than ``SMS_STALE_AFTER`` seconds, the row is looked up at Twilio (messages to that number since the
  claim, with the same body). Found: recorded as sent with its SID. Not found: the request never
  arrived, so it goes back to ``pending``. If the provider cannot be asked (console backend, API down)
  it becomes ``unknown`` for the committee to see. This is at-most-once per claim with a reconciliation
  step, which together give exactly once except for a lost lookup.

Transient errors (429, 5xx, connection errors) put the row back to ``pending`` with ``next_attempt_at``
growing exponentially (``SMS_RETRY_BACKOFF`` · 2^(attempt-1)); permanent errors (21211 invalid number,
21610 opted out at the carrier, other 4xx) are recorded and never retried, and 21610 also opts the
number out everywhere. 401/403/404 and Twilio 20003 mean our credentials, account or base URL are
wrong: the batch stops and the message waits (not failed) until it is fixed.

Every retry path is capped by ``SMS_MAX_ATTEMPTS``: ``attempts`` counts every request about the message
that reaches (or may reach) the provider — each send, including those that time out or lose their
connection, and each lookup of a timed-out send. At the cap a message that surely did not leave is
``failed``; one whose fate cannot be known (the last request timed out) is ``unknown``, shown to the
committee as "check at Twilio", and never sent again by us.

Right before each send, after the claim, the message is checked again: a STOP since the batch began
skips it, and once its meeting has started (or was cancelled) it and the rest of its batch are stopped
(``cancelled``, reason ``started``). Cancellation notices are exempt from the start check.

One failure never stops the others: an exception while preparing a send (materialising its messages)
marks that send ``failed`` with the reason, and an unexpected exception while sending one message
marks that message (``unknown`` once the request may have left, else ``failed``); the pass goes on.

Every status change goes through ``set_status`` (a loaded row) or ``move_status`` (a conditional
UPDATE), which refuse what ``models.TRANSITIONS`` does not allow.

A delivery report whose SID no message has yet (Twilio called back before the API call answered, or
the send timed out and waits for its lookup) is kept in ``sms_early_status`` and applied as soon as the
SID is stored.
"""


from __future__ import annotations

import datetime as dt
import logging
import time
from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa

from ..core.timeutil import utcnow
from ..extensions import db
from ..meetings.models import Meeting, MeetingStatus
from ..outreach import services as outreach
from ..outreach.models import Contact
from . import texts
from .backends import (
    ConfigurationError,
    PermanentError,
    TransientError,
    get_backend,
    is_configuration_error,
    mask,
    setting,
)
from .models import (
    MessageStatus,
    SendKind,
    SendStatus,
    SmsMessage,
    SmsSend,
)
from .services import (
    UNPUBLISHED,
    Composed,
    as_utc,
    compose,
    has_sms_consent,
    price_per_segment,
    recipients,
    template_kind,
)
from .status import (
    DELIVERY_STATUSES,
    apply_early_reports,
    move_status,
    purge_early_reports,
    set_status,
    update_rows,
)

log = logging.getLogger("brukermote.sms")

STATUS_PATH = "/sms/twilio/status"


def max_attempts() -> int:
    return int(setting("SMS_MAX_ATTEMPTS", 5))


def retry_backoff() -> float:
    return float(setting("SMS_RETRY_BACKOFF", 30))


def stale_after() -> float:
    return float(setting("SMS_STALE_AFTER", 600))


def pass_max_wait() -> float:
    """How long one pass waits for retries that are due soon, before leaving them to the next pass."""
    return float(setting("SMS_PASS_MAX_WAIT", 120))


def status_callback_url() -> str:
    return str(setting("PUBLIC_BASE_URL", "http://127.0.0.1:5000")).rstrip("/") + STATUS_PATH


def start_due_sends(send_ids: list[int] | None = None, now: dt.datetime | None = None,
                    outcome: Counter | None = None) -> list[int]:
    """Claim due sends (scheduled → sending) and materialise their recipients in the same transaction.

    A send that cannot be prepared (an exception while writing its messages) is marked ``failed`` with
    the reason and the others go on.
    """
    now = now or utcnow()
    # A meeting that is not published yet may still lose its venue or change: its sends wait (they
    # are neither sent nor failed) and go out on the first pass after it is published.
    # (Once such a meeting has started, its reminders are claimed only to be stopped as too late.)
    unpublished = sa.select(Meeting.id).where(Meeting.status.in_(UNPUBLISHED), Meeting.starts_at > now)
    query = sa.select(SmsSend.id).where(SmsSend.status == SendStatus.scheduled, SmsSend.send_at <= now,
                                        SmsSend.meeting_id.not_in(unpublished))
    if send_ids:
        query = query.where(SmsSend.id.in_(send_ids))
    due = list(db.session.scalars(query.order_by(SmsSend.send_at, SmsSend.id)))
    db.session.commit()
    started = []
    for send_id in due:
        try:
            claimed = update_rows(sa.update(SmsSend).where(SmsSend.id == send_id,
                                                       SmsSend.status == SendStatus.scheduled)
                              .values(status=SendStatus.sending, started_at=now))
            if claimed.rowcount != 1:
                db.session.rollback()
                continue
            send = db.session.get(SmsSend, send_id)
            db.session.refresh(send)
            meeting = send.meeting
            too_late = send.kind == SendKind.reminder and meeting.starts_at <= now
            cancelled = send.kind != SendKind.cancellation and meeting.status == MeetingStatus.cancelled
            if too_late or cancelled:
                send.status, send.finished_at = SendStatus.cancelled, now
            else:
                _materialise(send)
            db.session.commit()
        except Exception as exc:  # noqa: BLE001 - one send's problem must not hold back the others
            db.session.rollback()
            log.exception("SMS send %s could not be prepared", send_id)
            failed = update_rows(sa.update(SmsSend).where(SmsSend.id == send_id, SmsSend.status == SendStatus.scheduled)
                             .values(status=SendStatus.failed, finished_at=utcnow(),
                                     error_message=_reason(exc)))
            db.session.commit()
            if outcome is not None and failed.rowcount:
                outcome["send_failed"] += 1
            continue
        started.append(send_id)
    return started


def _reason(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:300]


def _materialise(send: SmsSend) -> int:
    existing = set(db.session.scalars(sa.select(SmsMessage.phone).where(SmsMessage.send_id == send.id)))
    cache: dict[str, Composed] = {}
    price = price_per_segment()
    added = 0
    for contact in recipients(send.meeting, send.audience):
        if contact.phone in existing:
            continue
        composed = cache.get(contact.language) or compose(template_kind(send.kind), send.meeting, contact.language)
        cache[contact.language] = composed
        analysis = texts.analyse(composed.body)
        db.session.add(SmsMessage(send_id=send.id, contact_id=contact.id, phone=contact.phone,
                                  language=composed.language, wanted_language=contact.language, body=composed.body,
                                  segments=analysis.segments, cost=analysis.cost(price), status=MessageStatus.pending))
        added += 1
    db.session.flush()
    return added


def _still_allowed(message: SmsMessage) -> bool:
    """Checked after the claim, right before sending: a STOP since the send began wins."""
    if not message.phone:
        return False
    opted_out = db.session.scalar(sa.select(sa.func.count(Contact.id)).where(
        Contact.phone == message.phone, Contact.sms_opted_out_at.is_not(None)))
    if opted_out:
        return False
    if message.send.kind == SendKind.opt_in:  # the request goes to a consent that waits for its yes
        return message.contact_id is not None
    consented = db.session.scalar(sa.select(sa.func.count(Contact.id)).where(Contact.phone == message.phone,
                                                                             has_sms_consent()))
    return bool(consented)


def _too_late(message: SmsMessage) -> str:
    """Checked after the claim, right before sending, from the database as it is now: "started" once
    the message's meeting has begun, "meeting-cancelled" once it is cancelled, else ""."""
    row = db.session.execute(
        sa.select(SmsSend.kind, Meeting.starts_at, Meeting.status).join(Meeting, Meeting.id == SmsSend.meeting_id)
        .where(SmsSend.id == message.send_id)).one()
    kind, starts_at, status = row
    if kind in (SendKind.cancellation, SendKind.opt_in):  # an opt-in is about texts to come, not this meeting
        return ""
    if status == MeetingStatus.cancelled:
        return "meeting-cancelled"
    if as_utc(starts_at) <= utcnow():
        return "started"
    return ""


def _next_candidate(send_ids, now, exclude=()) -> int | None:
    query = (sa.select(SmsMessage.id).join(SmsSend, SmsSend.id == SmsMessage.send_id)
             .where(SmsMessage.status == MessageStatus.pending, SmsSend.status == SendStatus.sending,
                    sa.or_(SmsMessage.next_attempt_at.is_(None), SmsMessage.next_attempt_at <= now)))
    if send_ids:
        query = query.where(SmsMessage.send_id.in_(send_ids))
    if exclude:
        query = query.where(SmsMessage.id.not_in(list(exclude)))
    return db.session.scalar(query.order_by(SmsMessage.id).limit(1))


def _soonest_retry(send_ids) -> dt.datetime | None:
    query = (sa.select(sa.func.min(SmsMessage.next_attempt_at)).join(SmsSend, SmsSend.id == SmsMessage.send_id)
             .where(SmsMessage.status == MessageStatus.pending, SmsSend.status == SendStatus.sending))
    if send_ids:
        query = query.where(SmsMessage.send_id.in_(send_ids))
    value = db.session.scalar(query)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value


def _error_values(exc) -> dict:
    return {"error_code": (exc.code or str(exc.status or ""))[:20], "error_message": str(exc)[:300]}


def deliver_one(message_id: int, backend) -> MessageStatus | None:
    """Claim one row, check it may still go, send it, record the result. None when another worker had it."""
    now = utcnow()
    claimed = move_status([SmsMessage.id == message_id], MessageStatus.pending, MessageStatus.sending,
                          claimed_at=now, attempts=SmsMessage.attempts + 1)
    if claimed != 1:
        db.session.rollback()
        return None
    db.session.commit()  # the claim is durable before anything leaves the machine
    message = db.session.get(SmsMessage, message_id)
    db.session.refresh(message)
    if not _still_allowed(message):
        set_status(message, MessageStatus.skipped)
        db.session.commit()
        return message.status
    late = _too_late(message)
    if late:
        # Neither this one nor the rest of its batch: they would arrive after the meeting began.
        set_status(message, MessageStatus.cancelled, error_code=late, attempts=max(message.attempts - 1, 0))
        move_status([SmsMessage.send_id == message.send_id], MessageStatus.pending, MessageStatus.cancelled,
                    error_code=late)
        db.session.commit()
        log.info("SMS send %s: stopped (%s)", message.send_id, late)
        return MessageStatus.cancelled
    try:
        result = backend.send(message.phone, message.body, status_callback_url())
    except TransientError as exc:
        values = _error_values(exc)
        if message.attempts >= max_attempts():
            # The cap: a request that may have reached Twilio leaves the fate unknown, never resent.
            set_status(message, MessageStatus.unknown if exc.maybe_sent else MessageStatus.failed, **values)
        elif exc.maybe_sent:
            # Left "sending": recover_stale looks it up at the provider before anything is resent.
            for key, value in values.items():
                setattr(message, key, value)
        else:
            delay = retry_backoff() * (2 ** (message.attempts - 1))
            set_status(message, MessageStatus.pending, next_attempt_at=utcnow() + dt.timedelta(seconds=delay),
                       **values)
        log.warning("SMS %s to %s: transient error %s (attempt %d of %d)", message.id, mask(message.phone),
                    message.error_code, message.attempts, max_attempts())
    except ConfigurationError as exc:
        # Every other message would fail the same way: keep this one (the attempt does not count),
        # record why for the committee's page, and stop the batch.
        set_status(message, MessageStatus.pending, attempts=max(message.attempts - 1, 0), **_error_values(exc))
        db.session.commit()
        log.error("SMS: the provider refused our configuration (%s); sending stopped", message.error_code)
        raise
    except PermanentError as exc:
        set_status(message, MessageStatus.failed, **_error_values(exc))
        if exc.opted_out:
            outreach.opt_out_phone(message.phone)
            outreach.audit("sms.carrier_opt_out", message.contact_id, None, detail=f"error {exc.code}")
        log.warning("SMS %s to %s: permanent error %s", message.id, mask(message.phone), message.error_code)
    except Exception as exc:  # noqa: BLE001 - an answer nobody expected: the request may have left
        log.exception("SMS %s to %s: unexpected error while sending", message.id, mask(message.phone))
        db.session.rollback()
        message = db.session.get(SmsMessage, message_id)
        db.session.refresh(message)
        set_status(message, MessageStatus.unknown, error_code="internal", error_message=_reason(exc))
    else:
        set_status(message, MessageStatus.sent, provider_sid=result.sid, sent_at=utcnow(), error_code="",
                   error_message="")
    db.session.commit()
    status = message.status
    if status == MessageStatus.sent:
        apply_early_reports(message.provider_sid)
        db.session.commit()
    return status


def _record_crash(message_id: int, exc: BaseException) -> None:
    """deliver_one itself failed (the database, a bug): settle the row so the pass can go on."""
    db.session.rollback()
    message = db.session.get(SmsMessage, message_id)
    if message is None:
        return
    db.session.refresh(message)
    if message.status == MessageStatus.sending:  # claimed: it may have left
        set_status(message, MessageStatus.unknown, error_code="internal", error_message=_reason(exc))
    elif message.status == MessageStatus.pending:
        set_status(message, MessageStatus.failed, error_code="internal", error_message=_reason(exc))
    db.session.commit()


#: How far Twilio's clock may be behind ours when a lost message is looked up by creation time.
LOOKUP_CLOCK_SLACK = dt.timedelta(minutes=2)


def recover_stale(backend, now: dt.datetime | None = None) -> Counter:
    """Settle rows left ``sending`` by a worker that died during the API call, or by a send that timed
    out (see the module doc). Each lookup counts as an attempt; at the cap the row becomes ``unknown``."""
    now = now or utcnow()
    cutoff = now - dt.timedelta(seconds=stale_after())
    outcome: Counter = Counter()
    ids = list(db.session.scalars(sa.select(SmsMessage.id).where(SmsMessage.status == MessageStatus.sending,
                                                                 SmsMessage.claimed_at < cutoff)))
    db.session.commit()
    for message_id in ids:
        try:
            settled = _recover_one(message_id, backend, cutoff, now)
        except Exception as exc:  # noqa: BLE001 - one row must not stop the passes for every meeting
            log.exception("SMS %s: could not settle the stale row", message_id)
            db.session.rollback()
            settled = None
            if move_status([SmsMessage.id == message_id], MessageStatus.sending, MessageStatus.unknown,
                           error_code="internal", error_message=_reason(exc)):
                settled = MessageStatus.unknown
            db.session.commit()
        if settled is not None:
            outcome[settled.value] += 1
    return outcome


def _recover_one(message_id: int, backend, cutoff: dt.datetime, now: dt.datetime) -> MessageStatus | None:
    message = db.session.get(SmsMessage, message_id)
    still_stale = (SmsMessage.id == message_id, SmsMessage.claimed_at < cutoff)
    sid = None
    looked_up = False
    if getattr(backend, "can_look_up", False) and message.phone:
        known = frozenset(db.session.scalars(sa.select(SmsMessage.provider_sid).where(
            SmsMessage.phone == message.phone, SmsMessage.provider_sid.is_not(None))))
        # The lookup is a request about this message: it counts against the cap like a send.
        update_rows(sa.update(SmsMessage).where(*still_stale, SmsMessage.status == MessageStatus.sending)
                .values(attempts=SmsMessage.attempts + 1))
        db.session.commit()
        db.session.refresh(message)
        try:
            # Created after the claim (a little slack for the two clocks), and not another row's.
            sid = backend.find_sent(message.phone, message.body, message.claimed_at - LOOKUP_CLOCK_SLACK,
                                    exclude=known)
            looked_up = True
        except Exception as exc:  # noqa: BLE001 - the provider could not tell; decide later
            log.warning("SMS %s: could not look it up at the provider (attempt %d of %d): %s", message_id,
                        message.attempts, max_attempts(), exc)
            if message.attempts < max_attempts():
                return None
            changed = move_status(still_stale, MessageStatus.sending, MessageStatus.unknown,
                                  error_code="lookup", error_message=str(exc)[:300])
            db.session.commit()
            return MessageStatus.unknown if changed else None
    found_status, found_error = "sent", ""
    if sid is not None and not isinstance(sid, str):  # a SendResult: the SID and Twilio's status now
        sid, found_status, found_error = sid.sid, sid.status, sid.error_code
    if sid:
        new = DELIVERY_STATUSES.get((found_status or "").lower(), MessageStatus.sent)
        values = {"provider_sid": sid, "sent_at": message.claimed_at}
        if found_error:
            values["error_code"] = found_error[:20]
    elif looked_up and message.attempts < max_attempts():  # never got there: resent after the usual backoff
        new, values = MessageStatus.pending, {"next_attempt_at": now + dt.timedelta(seconds=retry_backoff() * (
            2 ** (message.attempts - 1)))}
    elif looked_up:
        # Not at Twilio, and no attempt left: it never left.
        new, values = MessageStatus.failed, {"error_code": "not-found"}
    else:
        new, values = MessageStatus.unknown, {}
    db.session.rollback()
    try:
        changed = move_status(still_stale, MessageStatus.sending, new, **values)
        db.session.commit()
    except sa.exc.IntegrityError:
        # The SID belongs to another row after all: say we do not know rather than stop every pass.
        db.session.rollback()
        new = MessageStatus.unknown
        changed = move_status(still_stale, MessageStatus.sending, new)
        db.session.commit()
    if changed and sid and new != MessageStatus.unknown:
        apply_early_reports(sid)
        db.session.commit()
    return new if changed else None


@dataclass
class ConfigurationProblem:
    error_code: str
    error_message: str


def configuration_problem(meeting: Meeting | None = None) -> ConfigurationProblem | None:
    """The provider's last refusal of our configuration, while a message it stopped still waits."""
    query = sa.select(SmsMessage.error_code, SmsMessage.error_message).where(
        SmsMessage.status == MessageStatus.pending, SmsMessage.error_code != "")
    if meeting is not None:
        query = query.join(SmsSend, SmsSend.id == SmsMessage.send_id).where(SmsSend.meeting_id == meeting.id)
    for code, text in db.session.execute(query.order_by(SmsMessage.id.desc())):
        if is_configuration_error(code):
            return ConfigurationProblem(code, text)
    return None


def _finish_sends(send_ids) -> None:
    query = sa.select(SmsSend).where(SmsSend.status == SendStatus.sending)
    if send_ids:
        query = query.where(SmsSend.id.in_(send_ids))
    for send in db.session.scalars(query):
        open_rows = db.session.scalar(sa.select(sa.func.count(SmsMessage.id)).where(
            SmsMessage.send_id == send.id, SmsMessage.status.in_([MessageStatus.pending, MessageStatus.sending])))
        if not open_rows:
            send.status, send.finished_at = SendStatus.done, utcnow()
    db.session.commit()


def deliver(send_ids: list[int] | None = None, backend=None, max_wait: float | None = None) -> Counter:
    """Send every pending row whose time has come; wait for retries due within ``max_wait`` seconds."""
    backend = backend or get_backend()
    max_wait = pass_max_wait() if max_wait is None else max_wait
    outcome: Counter = Counter()
    deadline = time.monotonic() + max_wait
    crashed: set[int] = set()
    while True:
        now = utcnow()
        candidate = _next_candidate(send_ids, now, exclude=crashed)
        db.session.commit()
        if candidate is not None:
            try:
                status = deliver_one(candidate, backend)
            except ConfigurationError:
                outcome["configuration_error"] += 1
                break
            except Exception as exc:  # noqa: BLE001 - recorded on the message; the others still go
                log.exception("SMS %s: sending failed", candidate)
                crashed.add(candidate)
                try:
                    _record_crash(candidate, exc)
                except Exception:  # noqa: BLE001 - the database itself is failing: leave it to a later pass
                    db.session.rollback()
                    log.exception("SMS %s: could not record the failure", candidate)
                outcome["error"] += 1
                continue
            if status is not None:
                outcome[status.value] += 1
            continue
        soonest = _soonest_retry(send_ids)
        db.session.commit()
        if soonest is None:
            break
        wait = (soonest - utcnow()).total_seconds()
        if time.monotonic() + max(wait, 0) > deadline:
            break
        time.sleep(max(wait, 0.01))
    _finish_sends(send_ids)
    return outcome


def run_pass(send_ids: list[int] | None = None, max_wait: float | None = None) -> Counter:
    """One pass: settle stale rows, start due sends, deliver. Used by huey and ``brukermote sms send-due``."""
    backend = get_backend()
    outcome = recover_stale(backend)
    start_due_sends(send_ids, outcome=outcome)
    outcome.update(deliver(send_ids, backend, max_wait))
    purge_early_reports()
    return outcome
