"""The interpreter briefing sheet tells interpreters when their booking says to arrive."""

from __future__ import annotations

import datetime as dt

from brukermote.extensions import db
from brukermote.interpreters import services
from brukermote.interpreters.models import BookingStatus, InterpreterProvider
from brukermote.printing.services import PrintRequest, render
from tests.printing.helpers import make_meeting, printed


def _briefing(meeting, lang="nb") -> bytes:
    pdf, _report = render(meeting, PrintRequest(document="briefing", language=lang))
    return pdf


def test_briefing_uses_the_booked_arrival_time(app):
    meeting = make_meeting()  # 13:30 in Europe/Oslo, every phrase approved
    provider = InterpreterProvider(name="Tolketjenesten", lead_time_days=14)
    db.session.add(provider)
    db.session.flush()
    # No booking ordered yet: the usual 15 minutes before the start.
    assert printed(_briefing(meeting), "Kom klokken 13:15, 15 minutter før start")
    booking = services.create_booking(meeting, services.BookingData(
        language="so", provider_id=provider.id, arrival=dt.time(12, 45)))
    services.change_booking_status(booking, BookingStatus.ordered)
    db.session.commit()
    pdf = _briefing(meeting)
    assert printed(pdf, "Kom klokken 12:45 for en kort orientering før møtet.")
    assert not printed(pdf, "15 minutter før start")
    # A cancelled booking no longer decides.
    services.change_booking_status(booking, BookingStatus.cancelled)
    db.session.commit()
    assert printed(_briefing(meeting), "Kom klokken 13:15, 15 minutter før start")
