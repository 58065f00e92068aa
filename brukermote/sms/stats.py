"""The figures on the committee's SMS pages: per send and per meeting, counts, costs and fallbacks."""


from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from ..extensions import db
from ..meetings.models import Meeting
from ..outreach.models import Contact, Registration
from . import texts
from .models import (
    Audience,
    InboundMeaning,
    MessageStatus,
    SmsInbound,
    SmsMessage,
    SmsSend,
    TemplateKind,
)
from .services import (
    LEFT_US,
    _opted_out_phones,
    has_sms_consent,
    price_per_segment,
    sends_for,
    usable_template,
)

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
    langs = sorted(recipient_languages(meeting, Audience.consented))
    return [code for code in langs if code != texts.FALLBACK_LANGUAGE
            and usable_template(TemplateKind.reminder, code)[1]]


def recipient_languages(meeting: Meeting, audience: Audience) -> set[str]:
    """The languages of ``recipients(meeting, audience)``, counted in SQL rather than by loading every
    consented contact (thousands, on every view of the overview and the meeting page)."""
    query = sa.select(sa.func.min(Contact.id)).where(
        Contact.phone.is_not(None), Contact.sms_opted_out_at.is_(None), has_sms_consent(),
        Contact.phone.not_in(_opted_out_phones()))
    if audience == Audience.registered:
        query = query.where(Contact.id.in_(sa.select(Registration.contact_id).where(
            Registration.meeting_id == meeting.id, Registration.contact_id.is_not(None))))
    elif audience == Audience.reminded:
        query = query.where(Contact.phone.in_(
            sa.select(SmsMessage.phone).join(SmsSend, SmsSend.id == SmsMessage.send_id)
            .where(SmsSend.meeting_id == meeting.id, SmsMessage.status.in_(LEFT_US))))
    # One per phone number, the first contact with it, as recipients() does.
    first = query.group_by(Contact.phone)
    return set(db.session.scalars(sa.select(Contact.language).distinct().where(Contact.id.in_(first))))
