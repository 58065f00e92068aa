"""The message status rulebook and delivery reports.

Every status change goes through ``set_status`` (a loaded row) or ``move_status`` (a conditional
UPDATE), which refuse what ``models.TRANSITIONS`` does not allow.

A delivery report whose SID no message has yet (Twilio called back before the API call answered, or
the send timed out and waits for its lookup) is kept in ``sms_early_status`` and applied as soon as the
SID is stored.
"""


from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..core.timeutil import utcnow
from ..extensions import db
from ..outreach import services as outreach
from .models import (
    TRANSITIONS,
    MessageStatus,
    SmsEarlyStatus,
    SmsMessage,
)

#: Statuses meaning the message left us (for "sent" counts and "last reminded of").
LEFT_US = (MessageStatus.sent, MessageStatus.delivered, MessageStatus.undelivered, MessageStatus.sending,
           MessageStatus.unknown)



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
    result = update_rows(sa.update(SmsMessage).where(*where, SmsMessage.status == old).values(status=new, **values))
    return result.rowcount


# -- the worker: start due sends, deliver rows ----------------------------------------------------

def update_rows(stmt):
    return db.session.execute(stmt.execution_options(synchronize_session=False))


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
