"""Interpreter arrivals in the member's calendar feed; the order sheet PDF."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
from pathlib import Path

from icalendar import Calendar

from brukermote.calendar import services as calendar_services
from brukermote.core.timeutil import to_local
from brukermote.extensions import db
from brukermote.interpreters import services
from brukermote.interpreters.models import BookingMode, BookingStatus
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus
from tests.printing.helpers import pdftotext, setup_organisation

from .conftest import new_meeting, today


def _arrivals(data: bytes):
    calendar = Calendar.from_ical(data)
    return {str(e["uid"]): e for e in calendar.walk("VEVENT") if str(e["uid"]).startswith("interpreter-booking-")}


def test_member_feed_has_the_arrival_event_with_an_alarm(app, meeting, public, member_user, hawa):
    booking = services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id,
                                                                    interpreter_id=hawa.id))
    db.session.commit()
    events = _arrivals(calendar_services.member_feed(member_user))
    event = events[f"interpreter-booking-{booking.id}@brukermote"]
    start = event.decoded("dtstart")
    assert start.tzinfo is not None and str(event["dtstart"].params["TZID"]) == "Europe/Oslo"
    assert start == to_local(booking.arrives_at) and start.strftime("%H:%M") == "13:15"
    assert event.decoded("dtend").strftime("%H:%M") == "15:30"
    assert "somali" in str(event["summary"]) and "Årvoll Gård" in str(event["location"])
    assert "Hawa Mohamud" in str(event["description"])
    assert str(event["status"]) == "TENTATIVE"
    assert [a for a in event.walk("VALARM")]
    sequence = int(event["sequence"])

    # The meeting moves: same UID, new time, higher SEQUENCE.
    meeting_services.update_meeting(meeting, meeting_services.MeetingData(
        type=meeting.type, topic=meeting.topic, day=meeting.local_date + dt.timedelta(days=1),
        start=dt.time(17, 30), end=dt.time(19, 30), venue_id=meeting.venue_id), meeting.version)
    services.change_booking_status(booking, BookingStatus.ordered)
    services.change_booking_status(booking, BookingStatus.confirmed)
    db.session.commit()
    event = _arrivals(calendar_services.member_feed(member_user))[f"interpreter-booking-{booking.id}@brukermote"]
    assert event.decoded("dtstart").strftime("%H:%M") == "17:15"
    assert int(event["sequence"]) > sequence
    assert str(event["status"]) == "CONFIRMED"

    services.change_booking_status(booking, BookingStatus.cancelled)
    db.session.commit()
    event = _arrivals(calendar_services.member_feed(member_user))[f"interpreter-booking-{booking.id}@brukermote"]
    assert str(event["status"]) == "CANCELLED" and not list(event.walk("VALARM"))


def test_feed_over_http_and_drafts_left_out(app, client, venue, member_user, public):
    draft = new_meeting(today() + dt.timedelta(days=20), venue=venue)
    planned = new_meeting(today() + dt.timedelta(days=21), venue=venue, status=MeetingStatus.planned)
    hidden = services.create_booking(draft, services.BookingData(language="ar"))
    shown = services.create_booking(planned, services.BookingData(language="ar"))
    db.session.commit()
    response = client.get(f"/calendar/member/{member_user.calendar_token}.ics")
    assert response.status_code == 200
    uids = set(_arrivals(response.data))
    assert f"interpreter-booking-{shown.id}@brukermote" in uids
    assert f"interpreter-booking-{hidden.id}@brukermote" not in uids


def test_order_sheet_pdf(member_client, meeting, public, hawa, tmp_path):
    setup_organisation()
    booking = services.create_booking(meeting, services.BookingData(
        language="so", provider_id=public.id, interpreter_id=hawa.id, mode=BookingMode.tables,
        reference="TT-4711", day_contact="Kari Nordmann, 900 11 222", notes="Ta med hodetelefoner."))
    db.session.commit()
    response = member_client.get(f"/interpreters/bookings/{booking.id}/order.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f"BM-{meeting.id}-{booking.id}" in response.headers["Content-Disposition"]
    text = " ".join(pdftotext(response.data).split())
    for wanted in ("Bestilling av tolk", "Til: Tolketjenesten", "Somali (Soomaali)", "ved bordene",
                   "13:15 – 15 minutter før møtet starter kl. 13:30", "2 t 15 min (til kl. 15:30)",
                   "Årvoll Gård, Årvollveien 36, 0590 Oslo", "Kontaktperson på dagen", "Kari Nordmann, 900 11 222",
                   "Betales av", "NAV Bjerke", f"BM-{meeting.id}-{booking.id}", "Deres referanse: TT-4711",
                   "Hawa Mohamud", "kr 1 875,00", "Ta med hodetelefoner."):
        assert wanted in text, wanted
    weekday = to_local(booking.arrives_at).date()
    from babel.dates import format_date

    assert format_date(weekday, "full", locale="nb_NO") in text
    # It renders: one A4 page that is not blank.
    path = tmp_path / "order.pdf"
    path.write_bytes(response.data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Pages:\s+1$", info, re.M) and "595.276 x 841.89" in info


def test_order_sheet_of_a_cancelled_meeting_says_avlyst(member_client, meeting, public):
    setup_organisation()
    booking = services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id))
    services.change_booking_status(booking, BookingStatus.ordered)
    db.session.commit()
    meeting_services.change_status(meeting, MeetingStatus.cancelled, "Lokalet brant")
    db.session.commit()

    response = member_client.get(f"/interpreters/bookings/{booking.id}/order.pdf")
    assert response.status_code == 200
    assert "tolkeavbestilling-" in response.headers["Content-Disposition"]
    if os.environ.get("ORDER_PDF_OUT"):  # to look at the sheet by hand
        Path(os.environ["ORDER_PDF_OUT"]).write_bytes(response.data)
    text = " ".join(pdftotext(response.data).split())
    assert "AVLYST – avbestilling av tolk" in text and "Bestilling av tolk" not in text
    assert "Møtet er avlyst (Lokalet brant). Bestillingen avbestilles – tolken skal ikke komme." in text
    assert "Bekreft avbestillingen" in text


def test_order_sheet_names_the_meetings_type(member_client, venue, public):
    from brukermote.meetings.models import MeetingType

    setup_organisation()
    listening = new_meeting(today() + dt.timedelta(days=30), venue=venue, status=MeetingStatus.planned, topic="")
    listening.type = MeetingType.listening_post
    booking = services.create_booking(listening, services.BookingData(language="ar", provider_id=public.id))
    db.session.commit()
    text = " ".join(pdftotext(member_client.get(f"/interpreters/bookings/{booking.id}/order.pdf").data).split())
    assert "Lyttepost – lyttepost der NAV lytter til beboere og brukere." in text
    assert "åpent brukermøte" not in text and "AVLYST" not in text
