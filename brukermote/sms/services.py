"""SMS operations: templates, reminders, sending exactly once, replies and the committee's figures.

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
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..core import languages
from ..core.phone import PhoneError, normalise_phone
from ..core.timeutil import WallClockError, local_zone, to_utc, utcnow
from ..extensions import db
from ..meetings.models import Meeting, MeetingStatus
from ..outreach import services as outreach
from ..outreach.models import Channel, Consent, ConsentPurpose, Contact, Registration
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
    TRANSITIONS,
    Audience,
    InboundMeaning,
    MessageStatus,
    SendKind,
    SendStatus,
    SmsEarlyStatus,
    SmsInbound,
    SmsMessage,
    SmsSend,
    SmsTemplate,
    TemplateKind,
)

log = logging.getLogger("brukermote.sms")

STATUS_PATH = "/sms/twilio/status"
INBOUND_PATH = "/sms/twilio/inbound"
#: Statuses meaning the message left us (for "sent" counts and "last reminded of").
LEFT_US = (MessageStatus.sent, MessageStatus.delivered, MessageStatus.undelivered, MessageStatus.sending,
           MessageStatus.unknown)


#: Meetings not public yet: nothing is sent about them (the venue or time may still change).
UNPUBLISHED = (MeetingStatus.draft, MeetingStatus.planned)


class SmsError(ValueError):
    """A request the domain refuses, with a message fit for the user."""


class IllegalTransition(RuntimeError):
    """A status change ``TRANSITIONS`` does not allow (a bug, or a report that came too late)."""


# -- the status rulebook --------------------------------------------------------------------------

def allowed(old: MessageStatus, new: MessageStatus) -> bool:
    return new == old or new in TRANSITIONS[old]


def set_status(message: SmsMessage, new: MessageStatus, **values) -> None:
    """Change a loaded message's status (and other columns with it), if the rulebook allows it."""
    if not allowed(message.status, new):
        raise IllegalTransition(f"SMS {message.id}: {message.status.value} → {new.value}")
    message.status = new
    message.status_at = values.pop("status_at", None) or utcnow()
    for key, value in values.items():
        setattr(message, key, value)


def move_status(where, old: MessageStatus, new: MessageStatus, **values) -> int:
    """``UPDATE sms_message SET status=new … WHERE <where> AND status=old``: the conditional change a
    worker uses to claim or settle rows another worker may touch at the same time. Returns the count."""
    if not allowed(old, new):
        raise IllegalTransition(f"SMS: {old.value} → {new.value}")
    values.setdefault("status_at", utcnow())
    result = _update(sa.update(SmsMessage).where(*where, SmsMessage.status == old).values(status=new, **values))
    return result.rowcount


# -- settings -------------------------------------------------------------------------------------

def price_per_segment() -> Decimal:
    return Decimal(str(setting("SMS_PRICE_PER_SEGMENT", "0.80")))


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


# -- templates ------------------------------------------------------------------------------------

def ensure_templates() -> None:
    """Add the shipped default wording for every (kind, language) not yet in the database."""
    have = set(db.session.execute(sa.select(SmsTemplate.kind, SmsTemplate.language)).all())
    missing = [(TemplateKind(kind), lang, body) for kind, bodies in texts.DEFAULTS.items()
               for lang, body in bodies.items() if (TemplateKind(kind), lang) not in have]
    if not missing:
        return
    try:
        with db.session.begin_nested():
            for kind, lang, body in missing:
                approved = lang in texts.APPROVED_BY_DEFAULT
                db.session.add(SmsTemplate(kind=kind, language=lang, body=body, approved=approved,
                                           approved_by="Brukermøte" if approved else "",
                                           approved_at=utcnow() if approved else None))
    except IntegrityError:
        pass  # another worker seeded them at the same moment


def get_template(kind: TemplateKind, language: str) -> SmsTemplate | None:
    return db.session.scalar(sa.select(SmsTemplate).where(SmsTemplate.kind == kind,
                                                          SmsTemplate.language == language))


def usable_template(kind: TemplateKind, language: str) -> tuple[SmsTemplate, bool]:
    """The template to send to a reader of ``language`` and whether it is the Norwegian fallback."""
    ensure_templates()
    template = get_template(kind, language)
    if template is not None and template.approved and template.body.strip() and not texts.problems(kind.value, template.body):
        return template, False
    fallback = get_template(kind, texts.FALLBACK_LANGUAGE)
    if fallback is None or not fallback.body.strip() or texts.problems(kind.value, fallback.body):
        # A Norwegian text stored before the placeholders were checked (or by hand): participants
        # get the shipped wording rather than braces or a crash. Not saved; the editor shows the problem.
        fallback = SmsTemplate(kind=kind, language=texts.FALLBACK_LANGUAGE,
                               body=texts.DEFAULTS[kind.value][texts.FALLBACK_LANGUAGE], approved=True)
    return fallback, language != texts.FALLBACK_LANGUAGE


def save_template(kind: TemplateKind, language: str, body: str, approve: bool, user_label: str) -> SmsTemplate:
    problems = texts.problems(kind.value, body)
    if problems:
        raise SmsError(problems[0])
    ensure_templates()
    template = get_template(kind, language)
    if template is None:
        template = SmsTemplate(kind=kind, language=language, body="")
        db.session.add(template)
    changed = template.body != body
    template.body = body
    if approve:
        template.approved, template.approved_by, template.approved_at = True, user_label, utcnow()
    elif changed and language != texts.FALLBACK_LANGUAGE:
        template.approved, template.approved_by, template.approved_at = False, "", None
    db.session.flush()
    return template


def values_for(meeting: Meeting | None, language: str) -> dict:
    """The placeholder values for a meeting in a language; dates from CLDR, never typed."""
    from ..printing import texts as printing_texts

    values = {"stop": texts.stop_word(language)}
    if meeting is None:
        return values
    topic, _approved = printing_texts.meeting_text(meeting, language, "topic")
    local = meeting.local_start
    values.update(
        topic=topic or str(meeting.type.title),
        date=printing_texts.long_date(local.date(), language),
        weekday=printing_texts.weekday(local.date(), language),
        time=printing_texts.clock(local.time(), language),
        venue=meeting.venue.name if meeting.venue else "",
    )
    return values


@dataclass
class Composed:
    body: str
    language: str
    fallback: bool


def compose(kind: TemplateKind, meeting: Meeting | None, language: str) -> Composed:
    if language not in languages.LANGUAGES:
        language = texts.FALLBACK_LANGUAGE
    template, fallback = usable_template(kind, language)
    used = template.language
    return Composed(texts.fill(template.body, values_for(meeting, used)), used, fallback)


# -- reminders and sends --------------------------------------------------------------------------

def reminder_time(meeting: Meeting, days_before: int, local_time: dt.time) -> dt.datetime:
    """The instant of "N days before the meeting's date at HH:MM Oslo time".

    If a moved meeting puts that wall-clock time into a DST gap or overlap, the first matching
    instant is used rather than refusing the meeting's move.
    """
    day = meeting.local_date - dt.timedelta(days=days_before)
    try:
        return to_utc(day, local_time)
    except WallClockError:
        return dt.datetime.combine(day, local_time, tzinfo=local_zone()).astimezone(dt.UTC)


def add_reminder(meeting: Meeting, days_before: int, local_time: dt.time, audience: Audience = Audience.consented,
                 created_by: str = "") -> SmsSend:
    if meeting.status in (MeetingStatus.cancelled, MeetingStatus.held):
        raise SmsError("closed")
    send_at = reminder_time(meeting, days_before, local_time)
    if send_at <= utcnow():
        # The pass would send it at once, without the count and cost "send now" shows first.
        raise SmsError("past")
    if _same_reminder(meeting, days_before, local_time, audience, send_at) is not None:
        raise SmsError("duplicate")
    send = SmsSend(meeting_id=meeting.id, kind=SendKind.reminder, audience=audience, days_before=days_before,
                   local_time=local_time, send_at=send_at, created_by=created_by)
    db.session.add(send)
    db.session.flush()
    return send


def _same_reminder(meeting: Meeting, days_before: int, local_time: dt.time, audience: Audience,
                   send_at: dt.datetime) -> SmsSend | None:
    """A reminder (not stopped) with the same offset and audience for the meeting's current time: a
    second one would text everybody twice (a double-clicked "Schedule")."""
    for send in db.session.scalars(sa.select(SmsSend).where(
            SmsSend.meeting_id == meeting.id, SmsSend.kind == SendKind.reminder, SmsSend.audience == audience,
            SmsSend.days_before == days_before, SmsSend.local_time == local_time,
            SmsSend.status.not_in([SendStatus.cancelled, SendStatus.failed]))):
        if _as_utc(send.send_at) == _as_utc(send_at):
            return send
    return None


def _as_utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def remove_reminder(send: SmsSend) -> None:
    if send.status != SendStatus.scheduled:
        raise SmsError("started")
    db.session.delete(send)
    db.session.flush()


def sends_for(meeting: Meeting) -> list[SmsSend]:
    return list(db.session.scalars(sa.select(SmsSend).where(SmsSend.meeting_id == meeting.id)
                                   .order_by(SmsSend.send_at, SmsSend.id)))


def move_reminders(meeting: Meeting, old_start=None, old_end=None) -> None:
    """Meeting listener: reminders are relative to the meeting, so they move with it.

    Scheduled reminders get their new time. A reminder that already went out (to some or all) told
    people the old date: if its time relative to the new date is still ahead, a fresh reminder with the
    same offset is scheduled (exactly once is per (send, recipient), so it needs a new send); the
    committee is warned either way (``outdated_recipients``). Messages not yet sent (waiting or
    retrying) are written again with the new date and time.
    """
    now = utcnow()
    reminders = list(db.session.scalars(sa.select(SmsSend).where(SmsSend.meeting_id == meeting.id,
                                                                 SmsSend.kind == SendKind.reminder)
                                        .order_by(SmsSend.id)))
    for send in reminders:
        new_time = reminder_time(meeting, send.days_before or 0, send.local_time or dt.time(10, 0))
        if send.status == SendStatus.scheduled:
            send.send_at = new_time
            # Moved back to a time whose reminder already went out: a re-armed copy would repeat it.
            if any(other.status in (SendStatus.sending, SendStatus.done) and other.audience == send.audience
                   and other.days_before == send.days_before and other.local_time == send.local_time
                   and _as_utc(other.send_at) == _as_utc(new_time) for other in reminders):
                send.status, send.finished_at = SendStatus.cancelled, now
    for send in reminders:
        if send.status not in (SendStatus.sending, SendStatus.done):
            continue
        new_time = reminder_time(meeting, send.days_before or 0, send.local_time or dt.time(10, 0))
        if new_time <= now or meeting.status in (MeetingStatus.cancelled, MeetingStatus.held):
            continue
        days, at = send.days_before or 0, send.local_time or dt.time(10, 0)
        if _same_reminder(meeting, days, at, send.audience, new_time) is None:
            db.session.add(SmsSend(meeting_id=meeting.id, kind=SendKind.reminder, audience=send.audience,
                                   days_before=days, local_time=at, send_at=new_time,
                                   created_by=send.created_by))
            db.session.flush()
    rerender_unsent(meeting)
    db.session.flush()


def rerender_unsent(meeting: Meeting) -> int:
    """Write every message of the meeting that has not left us yet again from the meeting as it is now,
    so a retry or a row waiting its turn does not carry an old date."""
    cache: dict[tuple[TemplateKind, str], Composed] = {}
    price = price_per_segment()
    changed = 0
    rows = list(db.session.scalars(sa.select(SmsMessage).join(SmsSend, SmsSend.id == SmsMessage.send_id)
                                   .where(SmsSend.meeting_id == meeting.id,
                                          SmsMessage.status == MessageStatus.pending)))
    for message in rows:
        kind = _template_kind(message.send.kind)
        key = (kind, message.wanted_language)
        composed = cache.get(key) or compose(kind, meeting, message.wanted_language)
        cache[key] = composed
        if composed.body != message.body:
            analysis = texts.analyse(composed.body)
            # Only while still pending: a worker that claimed the row meanwhile sends the body it read,
            # and looking it up later at Twilio needs that body.
            result = _update(sa.update(SmsMessage).where(SmsMessage.id == message.id,
                                                         SmsMessage.status == MessageStatus.pending)
                             .values(body=composed.body, language=composed.language, segments=analysis.segments,
                                     cost=analysis.cost(price)))
            changed += result.rowcount
    db.session.flush()
    return changed


def outdated_recipients(meeting: Meeting) -> int:
    """How many numbers were last told about this meeting (by a reminder or by hand) with a date or
    time it no longer has: the date and time placeholders are required in a reminder, so a body
    without today's values was written for the old time."""
    rows = db.session.execute(
        sa.select(SmsMessage.phone, SmsMessage.body, SmsMessage.language)
        .join(SmsSend, SmsSend.id == SmsMessage.send_id)
        .where(SmsSend.meeting_id == meeting.id, SmsSend.kind.in_([SendKind.reminder, SendKind.manual]),
               SmsMessage.status.in_(LEFT_US), SmsMessage.phone.is_not(None))
        .order_by(SmsMessage.id)).all()
    latest: dict[str, tuple[str, str]] = {}
    for phone, body, language in rows:
        latest[phone] = (body, language)
    current: dict[str, tuple[str, str]] = {}
    outdated = 0
    for body, language in latest.values():
        if language not in current:
            values = values_for(meeting, language)
            current[language] = (values["date"], values["time"])
        date_text, time_text = current[language]
        if date_text not in body or time_text not in body:
            outdated += 1
    return outdated


def stop_for_cancelled(meeting: Meeting) -> None:
    """Meeting listener: a cancelled meeting gets no more reminders (a cancellation notice may follow)."""
    sends = db.session.scalars(sa.select(SmsSend).where(SmsSend.meeting_id == meeting.id,
                                                        SmsSend.kind != SendKind.cancellation,
                                                        SmsSend.status.in_([SendStatus.scheduled, SendStatus.sending])))
    for send in sends:
        if send.status == SendStatus.scheduled:
            send.status = SendStatus.cancelled
        move_status([SmsMessage.send_id == send.id], MessageStatus.pending, MessageStatus.cancelled,
                    error_code="meeting-cancelled")
    db.session.flush()


def _consented():
    return sa.select(Consent.id).where(Consent.contact_id == Contact.id, Consent.purpose == ConsentPurpose.news_sms,
                                       Consent.withdrawn_at.is_(None)).exists()


def _opted_out_phones():
    return sa.select(Contact.phone).where(Contact.sms_opted_out_at.is_not(None), Contact.phone.is_not(None))


def recipients(meeting: Meeting, audience: Audience, only_languages: list[str] | None = None) -> list[Contact]:
    """Contacts with a phone, active consent to SMS and no opt-out (on any contact with that number),
    narrowed by the audience; one per phone number."""
    query = sa.select(Contact).where(Contact.phone.is_not(None), Contact.sms_opted_out_at.is_(None), _consented(),
                                     Contact.phone.not_in(_opted_out_phones()))
    if audience == Audience.registered:
        query = query.where(Contact.id.in_(sa.select(Registration.contact_id).where(
            Registration.meeting_id == meeting.id, Registration.contact_id.is_not(None))))
    elif audience == Audience.reminded:
        query = query.where(Contact.phone.in_(
            sa.select(SmsMessage.phone).join(SmsSend, SmsSend.id == SmsMessage.send_id)
            .where(SmsSend.meeting_id == meeting.id, SmsMessage.status.in_(LEFT_US))))
    if only_languages:
        query = query.where(Contact.language.in_(only_languages))
    seen, result = set(), []
    for contact in db.session.scalars(query.order_by(Contact.id)):
        if contact.phone not in seen:
            seen.add(contact.phone)
            result.append(contact)
    return result


def _template_kind(send_kind: SendKind) -> TemplateKind:
    return TemplateKind.cancellation if send_kind == SendKind.cancellation else TemplateKind.reminder


@dataclass
class Estimate:
    count: int
    segments: int
    cost: Decimal
    by_language: Counter = field(default_factory=Counter)
    fallbacks: Counter = field(default_factory=Counter)
    example: str = ""


def estimate(meeting: Meeting, kind: SendKind, audience: Audience) -> Estimate:
    people = recipients(meeting, audience)
    result = Estimate(count=len(people), segments=0, cost=Decimal("0.00"))
    cache: dict[str, Composed] = {}
    for contact in people:
        composed = cache.get(contact.language) or compose(_template_kind(kind), meeting, contact.language)
        cache[contact.language] = composed
        analysis = texts.analyse(composed.body)
        result.segments += analysis.segments
        result.by_language[composed.language] += 1
        if composed.fallback:
            result.fallbacks[contact.language] += 1
    result.cost = (price_per_segment() * result.segments).quantize(Decimal("0.01"))
    result.example = compose(_template_kind(kind), meeting, "nb").body
    return result


def send_now(meeting: Meeting, kind: SendKind, audience: Audience, created_by: str = "") -> SmsSend:
    """A manual send (or a cancellation notice): queued now, sent by the worker, never in the request."""
    if kind == SendKind.cancellation and meeting.status != MeetingStatus.cancelled:
        raise SmsError("not-cancelled")
    if kind != SendKind.cancellation and meeting.status == MeetingStatus.cancelled:
        raise SmsError("cancelled")
    if meeting.status in UNPUBLISHED:
        raise SmsError("unpublished")
    send = SmsSend(meeting_id=meeting.id, kind=kind, audience=audience, send_at=utcnow(), created_by=created_by)
    db.session.add(send)
    db.session.flush()
    return send


#: A second identical "send now" this soon after the first is a double submit, not a new decision.
DUPLICATE_SEND_WINDOW = dt.timedelta(minutes=2)


def recent_same_send(meeting: Meeting, kind: SendKind, audience: Audience) -> SmsSend | None:
    """The same text to the same group for the same meeting queued within the window, if any."""
    return db.session.scalar(sa.select(SmsSend).where(
        SmsSend.meeting_id == meeting.id, SmsSend.kind == kind, SmsSend.audience == audience,
        SmsSend.created_at >= utcnow() - DUPLICATE_SEND_WINDOW).order_by(SmsSend.id.desc()).limit(1))


def enqueue(send_id: int) -> None:
    from .tasks import deliver_send

    deliver_send(send_id)


# -- the worker: start due sends, deliver rows ----------------------------------------------------

def _update(stmt):
    return db.session.execute(stmt.execution_options(synchronize_session=False))


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
            claimed = _update(sa.update(SmsSend).where(SmsSend.id == send_id,
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
            failed = _update(sa.update(SmsSend).where(SmsSend.id == send_id, SmsSend.status == SendStatus.scheduled)
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
        composed = cache.get(contact.language) or compose(_template_kind(send.kind), send.meeting, contact.language)
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
    consented = db.session.scalar(sa.select(sa.func.count(Contact.id)).where(Contact.phone == message.phone,
                                                                             _consented()))
    return bool(consented)


def _too_late(message: SmsMessage) -> str:
    """Checked after the claim, right before sending, from the database as it is now: "started" once
    the message's meeting has begun, "meeting-cancelled" once it is cancelled, else ""."""
    row = db.session.execute(
        sa.select(SmsSend.kind, Meeting.starts_at, Meeting.status).join(Meeting, Meeting.id == SmsSend.meeting_id)
        .where(SmsSend.id == message.send_id)).one()
    kind, starts_at, status = row
    if kind == SendKind.cancellation:
        return ""
    if status == MeetingStatus.cancelled:
        return "meeting-cancelled"
    if _as_utc(starts_at) <= utcnow():
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
        _update(sa.update(SmsMessage).where(*still_stale, SmsMessage.status == MessageStatus.sending)
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
    elif looked_up and message.attempts < max_attempts():
        new, values = MessageStatus.pending, {"next_attempt_at": None}
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


# -- webhooks -------------------------------------------------------------------------------------

#: Other reports Twilio sends ("queued", "accepted", "sending") say nothing new to us and are ignored.
DELIVERY_STATUSES = {"sent": MessageStatus.sent, "delivered": MessageStatus.delivered,
                     "undelivered": MessageStatus.undelivered, "failed": MessageStatus.failed}
#: How long a report for a SID we never store is kept (another application on the same account).
EARLY_REPORT_KEEP = dt.timedelta(days=7)


def record_status(sid: str, status: str, error_code: str = "") -> bool:
    """A delivery report. True when applied to a message; a report for a SID no message has yet is kept
    (``SmsEarlyStatus``) and False returned: call ``apply_early_reports(sid)`` after committing."""
    new = DELIVERY_STATUSES.get((status or "").lower())
    if not sid or new is None:
        return False
    message = db.session.scalar(sa.select(SmsMessage).where(SmsMessage.provider_sid == sid))
    if message is None:
        db.session.add(SmsEarlyStatus(provider_sid=sid[:64], status=new, error_code=str(error_code or "")[:20]))
        db.session.flush()
        return False
    _apply_report(message, new, str(error_code or ""))
    db.session.flush()
    return True


def _apply_report(message: SmsMessage, new: MessageStatus, error_code: str) -> None:
    if not allowed(message.status, new):
        return  # out of order ("sent" after "delivered") or about a message that never left
    set_status(message, new)
    if error_code:
        message.error_code = error_code[:20]
        if error_code == "21610" and message.phone:
            outreach.opt_out_phone(message.phone)


def apply_early_reports(sid: str | None) -> int:
    """Apply, in the order they came, the reports kept for ``sid`` once a message has it, and forget them.

    Called by whoever stores a SID (after committing it) and by the webhook (after committing the
    report): each side commits before it looks for the other's row, so one of them always sees both."""
    if not sid:
        return 0
    message = db.session.scalar(sa.select(SmsMessage).where(SmsMessage.provider_sid == sid))
    if message is None:
        return 0
    reports = list(db.session.scalars(sa.select(SmsEarlyStatus).where(SmsEarlyStatus.provider_sid == sid)
                                      .order_by(SmsEarlyStatus.received_at, SmsEarlyStatus.id)))
    for report in reports:
        _apply_report(message, report.status, report.error_code)
        db.session.delete(report)
    db.session.flush()
    return len(reports)


def purge_early_reports(now: dt.datetime | None = None) -> int:
    cutoff = (now or utcnow()) - EARLY_REPORT_KEEP
    result = db.session.execute(sa.delete(SmsEarlyStatus).where(SmsEarlyStatus.received_at < cutoff)
                                .execution_options(synchronize_session=False))
    db.session.commit()
    return result.rowcount


def _sender_language(phone: str, contacts: list[Contact]) -> str:
    if contacts:
        return contacts[0].language
    last = db.session.scalar(sa.select(SmsMessage.wanted_language).where(SmsMessage.phone == phone)
                             .order_by(SmsMessage.id.desc()).limit(1))
    return last or texts.FALLBACK_LANGUAGE


def _is_stop(body: str, language: str) -> bool:
    if languages.LANGUAGES.get(language) and languages.get(language).is_stop(body):
        return True
    return any(lang.is_stop(body) for lang in languages.all_languages())


def _is_yes(body: str, language: str) -> bool:
    if languages.LANGUAGES.get(language) and languages.get(language).is_yes(body):
        return True
    return any(lang.is_yes(body) for lang in languages.all_languages())


def last_reminded_meeting(phone: str) -> Meeting | None:
    """The meeting the number was last told about (by a reminder or a manual send), if still ahead."""
    return db.session.scalar(
        sa.select(Meeting).join(SmsSend, SmsSend.meeting_id == Meeting.id)
        .join(SmsMessage, SmsMessage.send_id == SmsSend.id)
        .where(SmsMessage.phone == phone, SmsMessage.status.in_(LEFT_US),
               SmsSend.kind.in_([SendKind.reminder, SendKind.manual]),
               Meeting.status != MeetingStatus.cancelled, Meeting.ends_at > utcnow())
        .order_by(SmsMessage.id.desc()).limit(1))


@dataclass
class InboundResult:
    meaning: InboundMeaning
    reply: str
    language: str
    registration_id: int | None = None


def receive(raw_from: str, body: str, sid: str | None = None) -> InboundResult:
    """An SMS from a participant: yes registers, stop opts out everywhere, anything else is kept."""
    try:
        phone = normalise_phone(raw_from)
    except PhoneError:
        phone = (raw_from or "").strip()[:20] or None
    if sid:
        earlier = db.session.scalar(sa.select(SmsInbound).where(SmsInbound.provider_sid == sid))
        if earlier is not None:  # Twilio retried the webhook: same answer, nothing done twice
            return InboundResult(earlier.meaning, compose_reply(earlier), earlier.language, earlier.registration_id)
    contacts = list(db.session.scalars(sa.select(Contact).where(Contact.phone == phone).order_by(Contact.id))) \
        if phone else []
    language = _sender_language(phone, contacts) if phone else texts.FALLBACK_LANGUAGE
    inbound = SmsInbound(phone=phone, contact_id=contacts[0].id if contacts else None, body=(body or "")[:1600],
                         language=language, meaning=InboundMeaning.other, provider_sid=sid)
    if _is_stop(body, language):
        inbound.meaning = InboundMeaning.stop
        inbound.meeting_id = getattr(last_reminded_meeting(phone), "id", None) if phone else None
        if phone:
            outreach.opt_out_phone(phone)
        for contact in contacts:
            outreach.audit("sms.opt_out", contact.id, None, detail="STOP by SMS")
    elif phone and contacts and _is_yes(body, language):
        meeting = last_reminded_meeting(phone)
        if meeting is not None:
            inbound.meaning = InboundMeaning.yes
            inbound.meeting_id = meeting.id
            contact = _contact_reminded(phone, meeting, contacts)
            inbound.contact_id = contact.id
            registration = db.session.scalar(sa.select(Registration).where(
                Registration.meeting_id == meeting.id, Registration.contact_id == contact.id))
            if registration is None:
                registration = Registration(meeting_id=meeting.id, channel=Channel.sms, contact_id=contact.id,
                                            adults=1)
                db.session.add(registration)
                db.session.flush()
            inbound.registration_id = registration.id
            contact.last_activity_at = utcnow()
    if inbound.meaning == InboundMeaning.other and phone:
        meeting = last_reminded_meeting(phone)
        inbound.meeting_id = meeting.id if meeting else None
    if inbound.meaning != InboundMeaning.other:
        inbound.body = inbound.body[:40]
    db.session.add(inbound)
    db.session.flush()
    return InboundResult(inbound.meaning, compose_reply(inbound), language, inbound.registration_id)


def _contact_reminded(phone: str, meeting: Meeting, contacts: list[Contact]) -> Contact:
    """Of the contacts sharing a number, the one the latest SMS about the meeting was written to: the
    yes answers that message (a family phone may belong to several contacts)."""
    contact_id = db.session.scalar(
        sa.select(SmsMessage.contact_id).join(SmsSend, SmsSend.id == SmsMessage.send_id)
        .where(SmsMessage.phone == phone, SmsSend.meeting_id == meeting.id, SmsMessage.status.in_(LEFT_US),
               SmsMessage.contact_id.is_not(None))
        .order_by(SmsMessage.id.desc()).limit(1))
    return next((c for c in contacts if c.id == contact_id), contacts[0])


def compose_reply(inbound: SmsInbound) -> str:
    kind = {InboundMeaning.yes: TemplateKind.reply_yes, InboundMeaning.stop: TemplateKind.reply_stop}.get(
        inbound.meaning, TemplateKind.reply_other)
    meeting = db.session.get(Meeting, inbound.meeting_id) if inbound.meeting_id else None
    return compose(kind, meeting if kind == TemplateKind.reply_yes else None, inbound.language).body


def inbox(only_open: bool = True) -> list[SmsInbound]:
    query = sa.select(SmsInbound).where(SmsInbound.meaning == InboundMeaning.other)
    if only_open:
        query = query.where(SmsInbound.handled_at.is_(None))
    return list(db.session.scalars(query.order_by(SmsInbound.received_at.desc())))


# -- erasure --------------------------------------------------------------------------------------

def forget_contact(contact: Contact) -> None:
    """Erasure listener: the SMS log keeps anonymous counts; the number and free-text replies go."""
    phone = contact.phone
    by_person = SmsMessage.contact_id == contact.id
    _update(sa.update(SmsMessage).where(sa.or_(by_person, SmsMessage.phone == phone) if phone else by_person)
            .values(phone=None, contact_id=None))
    replies = sa.or_(SmsInbound.contact_id == contact.id, SmsInbound.phone == phone) if phone \
        else SmsInbound.contact_id == contact.id
    db.session.execute(sa.delete(SmsInbound).where(replies, SmsInbound.meaning == InboundMeaning.other)
                       .execution_options(synchronize_session=False))
    _update(sa.update(SmsInbound).where(replies).values(phone=None, contact_id=None, body=""))
    db.session.flush()


# -- the committee's figures ----------------------------------------------------------------------

@dataclass
class SendStats:
    send: SmsSend
    total: int = 0
    sent: int = 0
    delivered: int = 0
    failed: int = 0
    pending: int = 0
    skipped: int = 0
    unknown: int = 0
    segments: int = 0
    cost: Decimal = Decimal("0.00")
    fallbacks: int = 0


@dataclass
class MeetingStats:
    sends: list[SendStats]
    replies: int = 0
    yes: int = 0
    opt_outs: int = 0
    other: int = 0

    @property
    def cost(self) -> Decimal:
        return sum((s.cost for s in self.sends), Decimal("0.00"))

    @property
    def sent(self) -> int:
        return sum(s.sent + s.delivered + s.unknown for s in self.sends)

    @property
    def delivered(self) -> int:
        return sum(s.delivered for s in self.sends)

    @property
    def failed(self) -> int:
        return sum(s.failed for s in self.sends)


def meeting_stats(meeting: Meeting) -> MeetingStats:
    sends = sends_for(meeting)
    rows = db.session.execute(
        sa.select(SmsMessage.send_id, SmsMessage.status, sa.func.count(SmsMessage.id),
                  sa.func.coalesce(sa.func.sum(SmsMessage.segments), 0),
                  sa.func.sum(sa.case((SmsMessage.language != SmsMessage.wanted_language, 1), else_=0)))
        .join(SmsSend, SmsSend.id == SmsMessage.send_id).where(SmsSend.meeting_id == meeting.id)
        .group_by(SmsMessage.send_id, SmsMessage.status)).all()
    by_send = {s.id: SendStats(send=s) for s in sends}
    price = price_per_segment()
    for send_id, status, count, segments, fallbacks in rows:
        stats = by_send[send_id]
        stats.total += count
        stats.fallbacks += int(fallbacks or 0)
        if status in (MessageStatus.sent, MessageStatus.sending):
            stats.sent += count
        elif status == MessageStatus.delivered:
            stats.delivered += count
        elif status in (MessageStatus.failed, MessageStatus.undelivered):
            stats.failed += count
        elif status == MessageStatus.pending:
            stats.pending += count
        elif status == MessageStatus.unknown:
            stats.unknown += count
        else:
            stats.skipped += count
        if status in (MessageStatus.sent, MessageStatus.sending, MessageStatus.delivered,
                      MessageStatus.undelivered, MessageStatus.unknown):
            stats.segments += int(segments)
            stats.cost += (price * int(segments)).quantize(Decimal("0.01"))
    result = MeetingStats(sends=[by_send[s.id] for s in sends])
    for meaning, count in db.session.execute(
            sa.select(SmsInbound.meaning, sa.func.count(SmsInbound.id)).where(SmsInbound.meeting_id == meeting.id)
            .group_by(SmsInbound.meaning)).all():
        result.replies += count
        if meaning == InboundMeaning.yes:
            result.yes = count
        elif meaning == InboundMeaning.stop:
            result.opt_outs = count
        else:
            result.other = count
    return result


def messages_for(meeting: Meeting) -> list[SmsMessage]:
    return list(db.session.scalars(
        sa.select(SmsMessage).join(SmsSend, SmsSend.id == SmsMessage.send_id)
        .where(SmsSend.meeting_id == meeting.id).order_by(SmsMessage.send_id, SmsMessage.id)))


def fallback_languages(meeting: Meeting) -> list[str]:
    """Languages of consenting contacts whose reminder would go out in Norwegian instead."""
    langs = sorted({c.language for c in recipients(meeting, Audience.consented)})
    return [code for code in langs if code != texts.FALLBACK_LANGUAGE
            and usable_template(TemplateKind.reminder, code)[1]]
