"""Demo SMS: the shipped texts, two reminders for the coming meeting (a week and two days before, at
10:00), and a reply waiting in the inbox — nothing is sent (the console backend only logs)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from ..core.timeutil import utcnow
from ..extensions import db
from ..outreach.models import Contact
from . import services
from .models import InboundMeaning, SmsInbound


def load(by_date, upcoming) -> None:
    from ..auth.services import find_by_email
    from ..demo import DEMO_ADMIN

    services.ensure_templates()
    admin = find_by_email(DEMO_ADMIN[0])
    for days in (7, 2):
        services.add_reminder(upcoming, days, dt.time(10, 0), actor=admin)
    # A question from one of the demo contacts, in her own language, for the committee to answer.
    sender = db.session.scalar(sa.select(Contact).where(Contact.language == "so", Contact.phone.is_not(None)))
    if sender is not None:
        db.session.add(SmsInbound(phone=sender.phone, contact_id=sender.id, body="Ma keeni karaa deriskayga?",
                                  language="so", meaning=InboundMeaning.other, meeting_id=upcoming.id,
                                  received_at=utcnow() - dt.timedelta(hours=3)))
    db.session.flush()
