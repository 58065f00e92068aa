"""Replies from participants: "yes" registers for the meeting the person was last reminded of, "stop"
opts the number out everywhere, anything else waits in the committee's inbox. Each answered in the
sender's language."""


from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from ..core import languages
from ..core.phone import PhoneError, normalise_phone
from ..core.timeutil import utcnow
from ..extensions import db
from ..meetings.models import Meeting, MeetingStatus
from ..outreach import services as outreach
from ..outreach.models import Channel, Contact, Registration
from . import texts
from .models import (
    InboundMeaning,
    SendKind,
    SmsInbound,
    SmsMessage,
    SmsSend,
    TemplateKind,
)
from .services import compose
from .status import LEFT_US

INBOUND_PATH = "/sms/twilio/inbound"


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
