"""Replies from participants: "yes" registers for the meeting the person was last reminded of, "stop"
opts the number out everywhere, anything else waits in the committee's inbox. Each answered in the
sender's language.

Double opt-in: a number typed into the public sign-up form with the SMS box ticked gets one SMS asking
for a yes (``request_opt_in``; at most one per number in ``OPT_IN_INTERVAL``, so nobody can use the form
to flood a phone). Until the yes comes its consent waits (``Consent.awaiting_confirmation``) and
nothing else is sent to it; the yes confirms it (``confirm_opt_in``) and is answered accordingly."""


from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from ..core import languages
from ..core.locks import lock_key, lock_row
from ..core.phone import PhoneError, normalise_phone
from ..core.timeutil import utcnow
from ..extensions import db
from ..meetings.models import Meeting, MeetingStatus
from ..outreach import services as outreach
from ..outreach.models import Channel, Consent, ConsentPurpose, Contact, Registration
from . import texts
from .models import (
    InboundMeaning,
    MessageStatus,
    SendKind,
    SendStatus,
    SmsInbound,
    SmsMessage,
    SmsSend,
    TemplateKind,
)
from .services import compose, has_sms_consent, price_per_segment
from .status import LEFT_US

INBOUND_PATH = "/sms/twilio/inbound"

#: A number gets at most one opt-in request in this time, however often it is typed into the form.
OPT_IN_INTERVAL = dt.timedelta(hours=24)


# -- double opt-in for numbers from the public form ------------------------------------------------

def request_opt_in(meeting: Meeting, contact: Contact) -> SmsSend | None:
    """Queue the one SMS asking ``contact``'s number to reply yes, unless the number sent STOP, already
    gets our texts, or was asked within ``OPT_IN_INTERVAL``. It goes out through the same exactly-once
    ledger as every other SMS (an ``SmsSend`` with one ``SmsMessage``, sent by the background pass,
    never from the request); the send starts as ``sending`` with its one row already written, so the
    pass never materialises other recipients into it."""
    phone = contact.phone
    if not phone:
        return None
    # The sign-up holds its own meeting, not the number: two sign-ups for two meetings with this number
    # at the same moment would both find nobody asked yet. The second now waits here and sees the first.
    lock_key(f"opt-in:{phone}")
    opted_out = sa.select(Contact.id).where(Contact.phone == phone, Contact.sms_opted_out_at.is_not(None)).exists()
    already_in = sa.select(Contact.id).where(Contact.phone == phone, has_sms_consent()).exists()
    recently_asked = (sa.select(SmsMessage.id).join(SmsSend, SmsSend.id == SmsMessage.send_id)
                      .where(SmsMessage.phone == phone, SmsSend.kind == SendKind.opt_in,
                             SmsSend.created_at >= utcnow() - OPT_IN_INTERVAL).exists())
    if db.session.scalar(sa.select(sa.or_(opted_out, already_in, recently_asked))):
        return None
    composed = compose(TemplateKind.opt_in, meeting, contact.language)
    analysis = texts.analyse(composed.body)
    now = utcnow()
    send = SmsSend(meeting_id=meeting.id, kind=SendKind.opt_in, send_at=now, status=SendStatus.sending,
                   started_at=now, created_by="web")
    send.messages.append(SmsMessage(contact_id=contact.id, phone=phone, language=composed.language,
                                    wanted_language=contact.language, body=composed.body,
                                    segments=analysis.segments, cost=analysis.cost(price_per_segment()),
                                    status=MessageStatus.pending))
    db.session.add(send)
    db.session.flush()
    return send


def confirm_opt_in(phone: str) -> list[Contact]:
    """A yes from the number: every SMS consent waiting for it is in force from now. Returns their contacts."""
    now = utcnow()
    waiting = list(db.session.scalars(
        sa.select(Consent).join(Contact, Contact.id == Consent.contact_id)
        .where(Contact.phone == phone, Consent.purpose == ConsentPurpose.news_sms,
               Consent.awaiting_confirmation.is_(True), Consent.withdrawn_at.is_(None))
        .order_by(Consent.id)))
    for consent in waiting:
        consent.awaiting_confirmation, consent.confirmed_at = False, now
        consent.contact.last_activity_at = now
    db.session.flush()
    return [consent.contact for consent in waiting]


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
        confirmed = confirm_opt_in(phone)
        meeting = last_reminded_meeting(phone)
        if meeting is not None:
            inbound.meaning = InboundMeaning.yes
            inbound.meeting_id = meeting.id
            contact = _contact_reminded(phone, meeting, contacts)
            inbound.contact_id = contact.id
            inbound.registration_id = _register(meeting, contact).id
            contact.last_activity_at = utcnow()
        elif confirmed:
            # The answer to the opt-in request (the web sign-up itself was the registration): a yes
            # without a registration, answered with the confirmation in the language the form was in.
            inbound.meaning = InboundMeaning.yes
            inbound.contact_id = confirmed[0].id
            inbound.language = language = confirmed[0].language
            for contact in confirmed:
                outreach.audit("sms.opt_in", contact.id, None, detail="YES by SMS confirmed the web consent")
    if inbound.meaning == InboundMeaning.other and phone:
        meeting = last_reminded_meeting(phone)
        inbound.meeting_id = meeting.id if meeting else None
    if inbound.meaning != InboundMeaning.other:
        inbound.body = inbound.body[:40]
    db.session.add(inbound)
    db.session.flush()
    return InboundResult(inbound.meaning, compose_reply(inbound), language, inbound.registration_id)


def _register(meeting: Meeting, contact: Contact) -> Registration:
    """The number's registration for the meeting: one per person, however many yeses (and whether the
    person signed up on the web or on a slip before)."""
    from ..outreach import funnel

    key = funnel.person_key(contact.phone)
    lock_row(Meeting, meeting.id)  # a second yes arriving at the same moment waits and finds ours
    registration = funnel.find_registration(meeting, key) or db.session.scalar(
        sa.select(Registration).where(Registration.meeting_id == meeting.id, Registration.contact_id == contact.id)
        .order_by(Registration.id).limit(1))
    if registration is not None:
        return registration
    try:
        return funnel.add_registration(meeting, dedupe_key=key, channel=Channel.sms, contact_id=contact.id, adults=1)
    except funnel.AlreadyRegistered as exc:
        return db.session.get(Registration, exc.registration_id)


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
    if kind == TemplateKind.reply_yes and inbound.meeting_id is None:  # a yes to the opt-in request
        kind = TemplateKind.opt_in_confirmed
    meeting = db.session.get(Meeting, inbound.meeting_id) if inbound.meeting_id else None
    return compose(kind, meeting if kind == TemplateKind.reply_yes else None, inbound.language).body


def inbox(only_open: bool = True) -> list[SmsInbound]:
    query = sa.select(SmsInbound).where(SmsInbound.meaning == InboundMeaning.other)
    if only_open:
        query = query.where(SmsInbound.handled_at.is_(None))
    return list(db.session.scalars(query.order_by(SmsInbound.received_at.desc())))
