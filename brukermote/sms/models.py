"""Tables of the sms domain.

- ``SmsTemplate``: the text participants receive, per kind and language, with the committee's approval.
- ``SmsSend``: one send for a meeting: a scheduled reminder (relative to the meeting), a manual
  "send now" or a cancellation notice.
- ``SmsMessage``: one row per (send, recipient), created before anything is sent; its status is
  claimed with a conditional UPDATE, which is what makes each (send, recipient) go out at most once.
- ``SmsInbound``: replies: yes (registered), stop (opted out) or anything else (for the committee).
- ``SmsEarlyStatus``: a delivery report that came before we had stored the message's SID, kept until
  the SID is stored and then applied.

Every change of a message's status follows ``TRANSITIONS`` (``status.set_status`` and
``status.move_status`` refuse anything else).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Money, UTCDateTime, at_most, str_enum
from ..core.timeutil import utcnow
from ..extensions import db
from ..meetings.models import TitledEnum


class TemplateKind(TitledEnum):
    reminder = "reminder", _l("Reminder")
    cancellation = "cancellation", _l("Cancellation notice")
    #: The meeting moved to another day or time (offered when a published meeting is moved).
    moved = "moved", _l("Change notice (day, time or venue)")
    reply_yes = "reply_yes", _l("Answer to a yes (registered)")
    reply_stop = "reply_stop", _l("Answer to a stop (opted out)")
    reply_other = "reply_other", _l("Answer to any other reply")
    #: The one SMS a number typed into the public sign-up form gets: reply yes to receive our texts.
    opt_in = "opt_in", _l("Asking a number from the web form to confirm (reply yes)")
    opt_in_confirmed = "opt_in_confirmed", _l("Answer to a yes that confirms SMS from the web form")


class SmsTemplate(db.Model):
    """What participants receive in one language. Only approved texts are sent in that language."""

    __tablename__ = "sms_template"
    __table_args__ = (sa.UniqueConstraint("kind", "language", name="uq_sms_template_kind_language"), *at_most(body=1600))

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TemplateKind] = mapped_column(str_enum(TemplateKind))
    language: Mapped[str] = mapped_column(sa.String(16))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    #: A committee member who reads the language approved this wording; unapproved → Norwegian is sent.
    approved: Mapped[bool] = mapped_column(default=False)
    #: The approver's name at the time (kept if the account is deleted) and their account.
    approved_by: Mapped[str] = mapped_column(sa.String(120), default="")
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SendKind(TitledEnum):
    reminder = "reminder", _l("Reminder")
    manual = "manual", _l("Sent by hand")
    cancellation = "cancellation", _l("Cancellation notice")
    moved = "moved", _l("Change notice (day, time or venue)")
    #: The opt-in request to one number given on the public form (``inbound.request_opt_in``); the
    #: committee never starts one.
    opt_in = "opt_in", _l("SMS confirmation request (web sign-up)")


class SendStatus(TitledEnum):
    scheduled = "scheduled", _l("Scheduled")
    sending = "sending", _l("Sending")
    done = "done", _l("Sent")
    cancelled = "cancelled", _l("Stopped")
    #: Preparing it failed (the reason is in ``error_message``); nothing was sent, later passes skip it.
    failed = "failed", _l("Failed")


class Audience(TitledEnum):
    consented = "consented", _l("Everyone who agreed to SMS")
    registered = "registered", _l("Those registered for this meeting")
    reminded = "reminded", _l("Those who got an SMS about this meeting")
    #: Everyone a change of the meeting concerns: registered, or told about it by SMS.
    affected = "affected", _l("Those registered or who got an SMS about this meeting")


#: The rows the reminder key applies to (the enum columns hold their values as plain strings).
SCHEDULED_REMINDER = "kind = 'reminder' AND status = 'scheduled'"


class SmsSend(db.Model):
    """One send about a meeting; reminders are relative to the meeting and move with it."""

    __tablename__ = "sms_send"
    __table_args__ = (
        sa.CheckConstraint("days_before IS NULL OR days_before >= 0", name="days_not_negative"),
        # Two scheduled reminders with the same offset, time and audience would move together and
        # text everybody twice (a double-clicked "Schedule", two tabs): the database refuses the second.
        sa.Index("uq_sms_send_scheduled_reminder", "meeting_id", "audience", "days_before", "local_time",
                 unique=True, sqlite_where=sa.text(SCHEDULED_REMINDER),
                 postgresql_where=sa.text(SCHEDULED_REMINDER)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    #: The one-time token of the confirmation page a "send now" came from: the same confirmation
    #: arriving twice (a double click, a resubmitted page) cannot make a second send.
    request_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[SendKind] = mapped_column(str_enum(SendKind))
    audience: Mapped[Audience] = mapped_column(str_enum(Audience), default=Audience.consented)
    #: Reminders: how many days before the meeting's date, at which Oslo wall-clock time.
    days_before: Mapped[int | None] = mapped_column()
    local_time: Mapped[dt.time | None] = mapped_column(sa.Time)
    #: When it is due (UTC); recomputed when the meeting moves.
    send_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[SendStatus] = mapped_column(str_enum(SendStatus), default=SendStatus.scheduled, index=True)
    created_by: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Why it failed (status ``failed``), for the committee's page.
    error_message: Mapped[str] = mapped_column(sa.String(300), default="", server_default="")

    meeting = relationship("Meeting")
    messages: Mapped[list[SmsMessage]] = relationship(back_populates="send", cascade="all, delete-orphan",
                                                      passive_deletes=True)


class MessageStatus(TitledEnum):
    pending = "pending", _l("Waiting")
    sending = "sending", _l("Being sent")
    sent = "sent", _l("Sent")
    delivered = "delivered", _l("Delivered")
    undelivered = "undelivered", _l("Not delivered")
    failed = "failed", _l("Failed")
    #: Twilio may or may not have it (timeouts until the attempts ran out, a worker that died while
    #: sending and no lookup possible): never sent again by us.
    unknown = "unknown", _l("Unknown – check at Twilio")
    skipped = "skipped", _l("Not sent (opted out or no consent)")
    cancelled = "cancelled", _l("Stopped (meeting cancelled or started)")


#: Which status may follow which. A status may also be "changed" to itself (a repeated report).
#: Delivery reports can arrive out of order: a final state is never undone by "sent"; an unknown
#: message may still be settled by a report or a lookup. Skipped and cancelled messages never leave.
TRANSITIONS: dict[MessageStatus, set[MessageStatus]] = {
    MessageStatus.pending: {MessageStatus.sending, MessageStatus.cancelled, MessageStatus.failed},
    MessageStatus.sending: {MessageStatus.sent, MessageStatus.delivered, MessageStatus.undelivered,
                            MessageStatus.failed, MessageStatus.pending, MessageStatus.unknown,
                            MessageStatus.skipped, MessageStatus.cancelled},
    MessageStatus.sent: {MessageStatus.delivered, MessageStatus.undelivered, MessageStatus.failed},
    MessageStatus.delivered: {MessageStatus.undelivered, MessageStatus.failed},
    MessageStatus.undelivered: {MessageStatus.delivered, MessageStatus.failed},
    MessageStatus.failed: {MessageStatus.delivered, MessageStatus.undelivered},
    MessageStatus.unknown: {MessageStatus.sent, MessageStatus.delivered, MessageStatus.undelivered,
                            MessageStatus.failed},
    MessageStatus.skipped: set(),
    MessageStatus.cancelled: set(),
}


class SmsMessage(db.Model):
    """One SMS to one recipient in one send. The unique (send, phone) row is the exactly-once ledger."""

    __tablename__ = "sms_message"
    __table_args__ = (
        sa.UniqueConstraint("send_id", "phone", name="uq_sms_message_send_phone"),
        sa.Index("ix_sms_message_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    send_id: Mapped[int] = mapped_column(sa.ForeignKey("sms_send.id", ondelete="CASCADE"), index=True)
    #: Null after erasure (the row stays, anonymous, so the counts stay right).
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact.id", ondelete="SET NULL"), index=True)
    #: E.164; null after erasure.
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    #: The language the text was sent in, and the one the person reads (differs on fallback).
    language: Mapped[str] = mapped_column(sa.String(16), default="nb")
    wanted_language: Mapped[str] = mapped_column(sa.String(16), default="nb")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    segments: Mapped[int] = mapped_column(default=1)
    cost: Mapped[Decimal | None] = mapped_column(Money)
    status: Mapped[MessageStatus] = mapped_column(str_enum(MessageStatus), default=MessageStatus.pending)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    claimed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The provider's id (Twilio "SM…"), used by the status callback.
    provider_sid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    error_code: Mapped[str] = mapped_column(sa.String(20), default="")
    error_message: Mapped[str] = mapped_column(sa.String(300), default="")

    send: Mapped[SmsSend] = relationship(back_populates="messages")


class SmsEarlyStatus(db.Model):
    """A signed delivery report for a SID no message has yet: Twilio can call back before the API call
    that created the message has answered us, or while a timed-out send waits to be looked up."""

    __tablename__ = "sms_early_status"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_sid: Mapped[str] = mapped_column(sa.String(64), index=True)
    status: Mapped[MessageStatus] = mapped_column(str_enum(MessageStatus))
    error_code: Mapped[str] = mapped_column(sa.String(20), default="")
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class InboundMeaning(TitledEnum):
    yes = "yes", _l("Yes (registered)")
    stop = "stop", _l("Stop (opted out)")
    other = "other", _l("Other")


class SmsInbound(db.Model):
    """A reply. Yes/stop keep only their meaning after erasure; other text is deleted with the person."""

    __tablename__ = "sms_inbound"

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str | None] = mapped_column(sa.String(20), index=True)
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact.id", ondelete="SET NULL"), index=True)
    body: Mapped[str] = mapped_column(sa.Text, default="")
    language: Mapped[str] = mapped_column(sa.String(16), default="nb")
    meaning: Mapped[InboundMeaning] = mapped_column(str_enum(InboundMeaning))
    #: The meeting the sender was last reminded of (what a yes registers for).
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True)
    provider_sid: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: A committee member read it.
    handled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
