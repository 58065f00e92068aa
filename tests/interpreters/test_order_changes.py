"""A change to what the provider was ordered (arrival, duration, venue) is flagged until they are told;
a computed estimate follows the duration."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from brukermote.extensions import db
from brukermote.interpreters import services
from brukermote.interpreters.models import BookingMode, BookingStatus, InterpreterBooking
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import Venue

from ..browser_form import form_values
from .conftest import meeting_data


def _told_warnings(meeting):
    return [w.message for w in services.warnings(meeting) if "Tolkebestillingen er endret" in w.message]


def _ordered(meeting, provider, **fields):
    booking = services.create_booking(meeting, services.BookingData(language="so", provider_id=provider.id, **fields))
    services.change_booking_status(booking, BookingStatus.ordered)
    db.session.commit()
    return booking


def test_a_later_end_of_the_meeting_must_be_told_to_the_provider(app, meeting, public):
    booking = _ordered(meeting, public)
    assert booking.minutes == 135 and not booking.provider_must_be_told

    meeting_services.update_meeting(meeting, meeting_data(meeting, end=dt.time(17, 30)), meeting.version)
    db.session.commit()

    assert booking.minutes == 255  # 13:15–17:30
    assert booking.provider_must_be_told
    with app.test_request_context():
        told = _told_warnings(meeting)
    assert len(told) == 1 and "bli til kl. 17:30" in told[0] and "Tolketjenesten" in told[0]
    # Moving the start away and back does not hide the longer booking the provider has not heard of.
    start = meeting.local_start.time()
    meeting_services.update_meeting(meeting, meeting_data(meeting, start=dt.time(14, 0), end=dt.time(18, 0)),
                                    meeting.version)
    meeting_services.update_meeting(meeting, meeting_data(meeting, start=start, end=dt.time(17, 30)), meeting.version)
    assert booking.provider_must_be_told

    services.mark_provider_told(booking)
    db.session.commit()
    with app.test_request_context():
        assert _told_warnings(meeting) == []


def test_editing_the_duration_of_a_confirmed_booking_must_be_told(member_client, meeting, public):
    booking = _ordered(meeting, public)
    services.change_booking_status(booking, BookingStatus.confirmed)
    db.session.commit()
    values = form_values(member_client.get(f"/interpreters/bookings/{booking.id}").get_data(as_text=True),
                         f"/interpreters/bookings/{booking.id}")
    values["minutes"] = "90"
    assert member_client.post(f"/interpreters/bookings/{booking.id}", data=values).status_code == 302
    page = member_client.get(f"/meetings/{meeting.id}/interpreters").get_data(as_text=True)
    assert "Tolkebestillingen er endret" in page and "bli til kl. 14:45" in page
    assert "Bestillingen er endret; leverandøren har ikke fått beskjed" in page

    # Saving other details (a note) afterwards does not clear the pending change.
    values["notes"] = "Spør etter Hawa"
    member_client.post(f"/interpreters/bookings/{booking.id}", data=values)
    db.session.expire_all()
    assert db.session.get(InterpreterBooking, booking.id).provider_must_be_told


def test_a_new_venue_must_be_told_to_on_site_interpreters_only(app, meeting, public):
    on_site = _ordered(meeting, public)
    by_phone = services.create_booking(meeting, services.BookingData(language="ar", provider_id=public.id,
                                                                     mode=BookingMode.phone))
    services.change_booking_status(by_phone, BookingStatus.ordered)
    other = Venue(name="Veitvet senter", address="Veitvetveien 8")
    db.session.add(other)
    db.session.commit()

    meeting_services.update_meeting(meeting, meeting_data(meeting, venue_id=other.id), meeting.version)
    db.session.commit()

    assert on_site.provider_must_be_told and not by_phone.provider_must_be_told
    with app.test_request_context():
        told = _told_warnings(meeting)
    assert len(told) == 1 and "på Veitvet senter" in told[0]


def test_a_computed_estimate_follows_a_longer_meeting_but_a_typed_one_stays(meeting, public):
    computed = _ordered(meeting, public)
    typed = services.create_booking(meeting, services.BookingData(language="ar", provider_id=public.id,
                                                                  estimated_cost=Decimal("1500.00")))
    assert computed.estimated_cost == Decimal("1875.00")  # 2.5 h × 650 + 250

    meeting_services.update_meeting(meeting, meeting_data(meeting, end=dt.time(17, 30)), meeting.version)
    db.session.commit()

    assert computed.minutes == 255 and computed.estimated_cost == Decimal("3175.00")  # 4.5 h × 650 + 250
    assert computed.cost == Decimal("3175.00")
    assert typed.estimated_cost == Decimal("1500.00")


def test_clearing_the_estimate_on_the_edit_form_computes_it(member_client, meeting, public):
    booking = services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id,
                                                                    estimated_cost=Decimal("999.00")))
    db.session.commit()
    values = form_values(member_client.get(f"/interpreters/bookings/{booking.id}").get_data(as_text=True),
                         f"/interpreters/bookings/{booking.id}")
    values["estimated_cost"] = ""
    assert member_client.post(f"/interpreters/bookings/{booking.id}", data=values).status_code == 302
    db.session.expire_all()
    assert db.session.get(InterpreterBooking, booking.id).estimated_cost == Decimal("1875.00")

    # A shorter duration typed on the form, with the computed estimate left as it was, is re-estimated.
    values = form_values(member_client.get(f"/interpreters/bookings/{booking.id}").get_data(as_text=True),
                         f"/interpreters/bookings/{booking.id}")
    values["minutes"] = "60"
    member_client.post(f"/interpreters/bookings/{booking.id}", data=values)
    db.session.expire_all()
    assert db.session.get(InterpreterBooking, booking.id).estimated_cost == Decimal("1225.00")  # 1.5 h min + 250
