"""The interpreter briefing sheet tells interpreters when their booking says to arrive."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

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


def test_briefing_lists_the_languages_booked_not_the_meetings_defaults(app):
    from brukermote.core import languages

    meeting = make_meeting()  # interpreter languages by default: Somali and Arabic
    provider = InterpreterProvider(name="Tolketjenesten", lead_time_days=14)
    db.session.add(provider)
    db.session.flush()
    # Without bookings the sheet falls back to the meeting's languages.
    assert printed(_briefing(meeting), languages.get("so").native_name)
    for code in ("ti", "ta", "fa"):
        services.create_booking(meeting, services.BookingData(language=code, provider_id=provider.id))
    cancelled = services.create_booking(meeting, services.BookingData(language="ur", provider_id=provider.id))
    services.change_booking_status(cancelled, BookingStatus.cancelled)
    db.session.commit()

    pdf = _briefing(meeting)
    if os.environ.get("BRIEFING_PDF_OUT"):  # to look at the sheet by hand
        Path(os.environ["BRIEFING_PDF_OUT"]).write_bytes(pdf)
    for code in ("ti", "ta", "fa"):
        assert printed(pdf, languages.get(code).native_name), code
    for code in ("so", "ar", "ur"):
        assert not printed(pdf, languages.get(code).native_name), code
