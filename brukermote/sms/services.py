"""SMS for the committee: templates, reminders that move with their meeting, who receives what, and
"send now". The background pass that sends is in ``delivery``; status rules and delivery reports in
``status``; replies in ``inbound``; the figures on the committee's pages in ``stats``.
"""


from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..auth.capabilities import actor_label, may_review, require_reviewer, require_sms_sender
from ..core import languages
from ..core.locks import lock_row
from ..core.timeutil import WallClockError, local_zone, to_utc, utcnow
from ..extensions import db
from ..meetings.models import Meeting, MeetingStatus
from ..outreach.models import Consent, ConsentPurpose, Contact, Registration
from . import request_cache, texts
from .backends import (
    setting,
)
from .models import (
    Audience,
    InboundMeaning,
    MessageStatus,
    SendKind,
    SendStatus,
    SmsInbound,
    SmsMessage,
    SmsSend,
    SmsTemplate,
    TemplateKind,
)
from .status import LEFT_US, move_status, update_rows

#: Meetings not public yet: nothing is sent about them (the venue or time may still change).
UNPUBLISHED = (MeetingStatus.draft, MeetingStatus.planned)


class SmsError(ValueError):
    """A request the domain refuses, with a message fit for the user."""


# -- settings -------------------------------------------------------------------------------------

def price_per_segment() -> Decimal:
    return Decimal(str(setting("SMS_PRICE_PER_SEGMENT", "0.80")))


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
    cached = request_cache.templates_of_request(ensure_templates)
    if cached is not None and (kind, language) in cached:
        return cached[(kind, language)]
    return db.session.scalar(sa.select(SmsTemplate).where(SmsTemplate.kind == kind,
                                                          SmsTemplate.language == language))


def usable_template(kind: TemplateKind, language: str) -> tuple[SmsTemplate, bool]:
    """The template to send to a reader of ``language`` and whether it is the Norwegian fallback."""
    cached = request_cache.templates_of_request(ensure_templates)
    if cached is not None:
        template = cached.get((kind, language))
        fallback = cached.get((kind, texts.FALLBACK_LANGUAGE))
    else:
        ensure_templates()
        template = get_template(kind, language)
        fallback = None
    if template is not None and template.approved and template.body.strip() and not texts.problems(kind.value, template.body):
        return template, False
    if cached is None:
        fallback = get_template(kind, texts.FALLBACK_LANGUAGE)
    if fallback is None or not fallback.body.strip() or texts.problems(kind.value, fallback.body):
        # A Norwegian text stored before the placeholders were checked (or by hand): participants
        # get the shipped wording rather than braces or a crash. Not saved; the editor shows the problem.
        fallback = SmsTemplate(kind=kind, language=texts.FALLBACK_LANGUAGE,
                               body=texts.DEFAULTS[kind.value][texts.FALLBACK_LANGUAGE], approved=True)
    return fallback, language != texts.FALLBACK_LANGUAGE


def save_template(kind: TemplateKind, language: str, body: str, approve: bool, actor) -> SmsTemplate:
    """Save a text; ``approve`` only for a reviewer of the language (``auth.capabilities``), recorded
    with the account. Anyone may draft a text in another language (a change unapproves it), but the
    Norwegian text is what every unapproved language gets and is sent as soon as it is saved, so
    changing it is approving it: reviewers of Norwegian and administrators only."""
    from ..outreach.services import audit

    problems = texts.problems(kind.value, body)
    if problems:
        raise SmsError(problems[0])
    request_cache.forget()
    ensure_templates()
    template = get_template(kind, language)
    if template is None:
        template = SmsTemplate(kind=kind, language=language, body="")
        db.session.add(template)
    changed = template.body != body
    approve = approve or (changed and language == texts.FALLBACK_LANGUAGE)
    if approve:
        require_reviewer(actor, language)
    template.body = body
    if approve:
        template.approved, template.approved_at = True, utcnow()
        template.approved_by, template.approved_by_id = actor_label(actor), getattr(actor, "id", None)
    elif changed:
        template.approved, template.approved_by, template.approved_by_id, template.approved_at = False, "", None, None
    if changed or approve:
        audit("sms.template", None, actor, detail=f"{kind.value}/{language}" + (" approved" if approve else ""))
    db.session.flush()
    return template


def may_edit_template(user, language: str) -> bool:
    """Whether the editor offers "save" (see ``save_template``) and "approve"."""
    return language != texts.FALLBACK_LANGUAGE or may_review(user, language)


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
                 *, actor) -> SmsSend:
    """Schedule a reminder to everyone in ``audience``: an SMS sender's decision (checked, audited)."""
    from ..outreach.services import audit

    require_sms_sender(actor)
    if meeting.status in (MeetingStatus.cancelled, MeetingStatus.held):
        raise SmsError("closed")
    send_at = reminder_time(meeting, days_before, local_time)
    if send_at <= utcnow():
        # The pass would send it at once, without the count and cost "send now" shows first.
        raise SmsError("past")
    # The unique key (models.SmsSend, uq_sms_send_scheduled_reminder) is what makes this hold; the lock
    # makes a simultaneous second request wait, see the first and get "already scheduled".
    lock_row(Meeting, meeting.id)
    if _same_reminder(meeting, days_before, local_time, audience, send_at) is not None:
        raise SmsError("duplicate")
    send = SmsSend(meeting_id=meeting.id, kind=SendKind.reminder, audience=audience, days_before=days_before,
                   local_time=local_time, send_at=send_at, created_by=actor.email)
    db.session.add(send)
    db.session.flush()
    audit("sms.schedule", None, actor, detail=f"meeting:{meeting.id} reminder {days_before} days before at "
          f"{local_time:%H:%M} to {audience.value}: send:{send.id}")
    return send


def _same_reminder(meeting: Meeting, days_before: int, local_time: dt.time, audience: Audience,
                   send_at: dt.datetime) -> SmsSend | None:
    """A reminder (not stopped) with the same offset and audience for the meeting's current time: a
    second one would text everybody twice (a double-clicked "Schedule")."""
    for send in db.session.scalars(sa.select(SmsSend).where(
            SmsSend.meeting_id == meeting.id, SmsSend.kind == SendKind.reminder, SmsSend.audience == audience,
            SmsSend.days_before == days_before, SmsSend.local_time == local_time,
            SmsSend.status.not_in([SendStatus.cancelled, SendStatus.failed]))):
        if as_utc(send.send_at) == as_utc(send_at):
            return send
    return None


def as_utc(value: dt.datetime) -> dt.datetime:
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
                   and as_utc(other.send_at) == as_utc(new_time) for other in reminders):
                send.status, send.finished_at = SendStatus.cancelled, now
    for send in reminders:
        if send.status not in (SendStatus.sending, SendStatus.done):
            continue
        new_time = reminder_time(meeting, send.days_before or 0, send.local_time or dt.time(10, 0))
        if new_time <= now or meeting.status in (MeetingStatus.cancelled, MeetingStatus.held):
            continue
        days, at = send.days_before or 0, send.local_time or dt.time(10, 0)
        if _same_reminder(meeting, days, at, send.audience, new_time) is None:
            from ..outreach.services import audit

            again = SmsSend(meeting_id=meeting.id, kind=SendKind.reminder, audience=send.audience,
                            days_before=days, local_time=at, send_at=new_time, created_by=send.created_by)
            db.session.add(again)
            db.session.flush()
            # Nobody clicked for this one: the log says the application scheduled it, and why.
            audit("sms.schedule", None, None, detail=f"meeting:{meeting.id} reminder send:{again.id} again "
                  f"after the meeting moved (first scheduled by {send.created_by or 'unknown'}, send:{send.id})")
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
        kind = template_kind(message.send.kind)
        key = (kind, message.wanted_language)
        composed = cache.get(key) or compose(kind, meeting, message.wanted_language)
        cache[key] = composed
        if composed.body != message.body:
            analysis = texts.analyse(composed.body)
            # Only while still pending: a worker that claimed the row meanwhile sends the body it read,
            # and looking it up later at Twilio needs that body.
            result = update_rows(sa.update(SmsMessage).where(SmsMessage.id == message.id,
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
        .where(SmsSend.meeting_id == meeting.id,
               SmsSend.kind.in_([SendKind.reminder, SendKind.manual, SendKind.moved]),
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
                                                        SmsSend.kind.in_([SendKind.reminder, SendKind.manual,
                                                                          SendKind.moved]),
                                                        SmsSend.status.in_([SendStatus.scheduled, SendStatus.sending])))
    for send in sends:
        if send.status == SendStatus.scheduled:
            send.status = SendStatus.cancelled
        move_status([SmsMessage.send_id == send.id], MessageStatus.pending, MessageStatus.cancelled,
                    error_code="meeting-cancelled")
    db.session.flush()


def has_sms_consent():
    """An SMS consent in force; one from the public form counts only once the number replied yes."""
    return sa.select(Consent.id).where(Consent.contact_id == Contact.id, Consent.purpose == ConsentPurpose.news_sms,
                                       Consent.withdrawn_at.is_(None), Consent.awaiting_confirmation.is_(False)).exists()


def _opted_out_phones():
    return sa.select(Contact.phone).where(Contact.sms_opted_out_at.is_not(None), Contact.phone.is_not(None))


def recipients(meeting: Meeting, audience: Audience, only_languages: list[str] | None = None) -> list[Contact]:
    """Contacts with a phone, active consent to SMS and no opt-out (on any contact with that number),
    narrowed by the audience; one per phone number."""
    query = sa.select(Contact).where(Contact.phone.is_not(None), Contact.sms_opted_out_at.is_(None), has_sms_consent(),
                                     Contact.phone.not_in(_opted_out_phones()))
    registered = Contact.id.in_(sa.select(Registration.contact_id).where(
        Registration.meeting_id == meeting.id, Registration.contact_id.is_not(None)))
    reminded = Contact.phone.in_(
        sa.select(SmsMessage.phone).join(SmsSend, SmsSend.id == SmsMessage.send_id)
        .where(SmsSend.meeting_id == meeting.id, SmsMessage.status.in_(LEFT_US)))
    if audience == Audience.registered:
        query = query.where(registered)
    elif audience == Audience.reminded:
        query = query.where(reminded)
    elif audience == Audience.affected:
        query = query.where(sa.or_(registered, reminded))
    if only_languages:
        query = query.where(Contact.language.in_(only_languages))
    seen, result = set(), []
    for contact in db.session.scalars(query.order_by(Contact.id)):
        if contact.phone not in seen:
            seen.add(contact.phone)
            result.append(contact)
    return result


def template_kind(send_kind: SendKind) -> TemplateKind:
    return {SendKind.cancellation: TemplateKind.cancellation, SendKind.opt_in: TemplateKind.opt_in,
            SendKind.moved: TemplateKind.moved}.get(
        send_kind, TemplateKind.reminder)


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
        composed = cache.get(contact.language) or compose(template_kind(kind), meeting, contact.language)
        cache[contact.language] = composed
        analysis = texts.analyse(composed.body)
        result.segments += analysis.segments
        result.by_language[composed.language] += 1
        if composed.fallback:
            result.fallbacks[contact.language] += 1
    result.cost = (price_per_segment() * result.segments).quantize(Decimal("0.01"))
    result.example = compose(template_kind(kind), meeting, "nb").body
    return result


class AlreadyQueued(SmsError):
    """The same decision arrived twice (a double click, two tabs, a resubmitted page): ``send`` is the
    one that counts."""

    def __init__(self, send: SmsSend):
        super().__init__("already-queued")
        self.send = send


def send_now(meeting: Meeting, kind: SendKind, audience: Audience, *, actor,
             request_token: str | None = None, same_text_window: bool = True) -> SmsSend:
    """A manual send (or a cancellation notice): queued now, sent by the worker, never in the request.

    ``request_token`` is the confirmation page's one-time token, unique in ``sms_send``: a second
    confirmation with it raises ``AlreadyQueued``, as does the same text to the same group within
    ``DUPLICATE_SEND_WINDOW`` (another tab's confirmation). The meeting row is locked first, so of two
    simultaneous confirmations the second waits for the first and then sees its send.

    ``same_text_window=False`` skips the window for a caller whose notice follows a change of the
    meeting (``meetings.impact``): a second move within the window tells a new time, not the same text,
    and that flow's own guards (the token, the meeting's version) catch a resubmitted confirmation.

    Only an SMS sender may (``auth.capabilities``); the send is audited with its recipient count."""
    from ..outreach.services import audit

    require_sms_sender(actor)
    if kind == SendKind.cancellation and meeting.status != MeetingStatus.cancelled:
        raise SmsError("not-cancelled")
    if kind != SendKind.cancellation and meeting.status == MeetingStatus.cancelled:
        raise SmsError("cancelled")
    if meeting.status in UNPUBLISHED:
        raise SmsError("unpublished")
    lock_row(Meeting, meeting.id)
    earlier = send_with_token(request_token) if request_token else None
    if earlier is None and same_text_window:
        earlier = recent_same_send(meeting, kind, audience)
    if earlier is not None:
        raise AlreadyQueued(earlier)
    send = SmsSend(meeting_id=meeting.id, kind=kind, audience=audience, send_at=utcnow(), created_by=actor.email,
                   request_token=request_token)
    db.session.add(send)
    db.session.flush()
    audit("sms.send", None, actor, detail=f"meeting:{meeting.id} {kind.value} to {audience.value}: "
          f"{len(recipients(meeting, audience))} recipients, send:{send.id}")
    return send


def send_with_token(request_token: str) -> SmsSend | None:
    return db.session.scalar(sa.select(SmsSend).where(SmsSend.request_token == request_token))


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


# -- erasure --------------------------------------------------------------------------------------

def forget_contact(contact: Contact) -> None:
    """Erasure listener: the SMS log keeps anonymous counts; the number and free-text replies go."""
    phone = contact.phone
    by_person = SmsMessage.contact_id == contact.id
    update_rows(sa.update(SmsMessage).where(sa.or_(by_person, SmsMessage.phone == phone) if phone else by_person)
            .values(phone=None, contact_id=None))
    replies = sa.or_(SmsInbound.contact_id == contact.id, SmsInbound.phone == phone) if phone \
        else SmsInbound.contact_id == contact.id
    db.session.execute(sa.delete(SmsInbound).where(replies, SmsInbound.meaning == InboundMeaning.other)
                       .execution_options(synchronize_session=False))
    update_rows(sa.update(SmsInbound).where(replies).values(phone=None, contact_id=None, body=""))
    db.session.flush()
