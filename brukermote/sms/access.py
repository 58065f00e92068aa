"""What the SMS log holds about a person, for a subject-access request (see outreach.export_contact)."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from ..outreach.models import Contact
from .models import SmsInbound, SmsMessage, SmsSend


def _iso(moment):
    return moment.isoformat() if moment else None


def sms_record(contact: Contact) -> dict:
    """Messages sent to the person (by record or by their number) and their replies."""
    to_person = SmsMessage.contact_id == contact.id
    if contact.phone:
        to_person = sa.or_(to_person, SmsMessage.phone == contact.phone)
    messages = db.session.execute(
        sa.select(SmsMessage, SmsSend.meeting_id).join(SmsSend, SmsMessage.send_id == SmsSend.id)
        .where(to_person).order_by(SmsMessage.id)).all()
    from_person = SmsInbound.contact_id == contact.id
    if contact.phone:
        from_person = sa.or_(from_person, SmsInbound.phone == contact.phone)
    replies = db.session.scalars(sa.select(SmsInbound).where(from_person).order_by(SmsInbound.id)).all()
    return {
        "sms_messages": [
            {"meeting_id": meeting_id, "phone": message.phone, "language": message.language, "text": message.body,
             "status": message.status.value, "sent_at": _iso(message.sent_at)}
            for message, meeting_id in messages
        ],
        "sms_replies": [
            {"phone": reply.phone, "text": reply.body, "meaning": reply.meaning.value, "meeting_id": reply.meeting_id,
             "received_at": _iso(reply.received_at)}
            for reply in replies
        ],
    }
