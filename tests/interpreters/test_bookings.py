"""Booking life cycle, moving with the meeting, and the warnings on the meeting page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from brukermote.core.timeutil import to_local, to_utc, utcnow
from brukermote.extensions import db
from brukermote.interpreters import services
from brukermote.interpreters.models import BookingMode, BookingStatus, InterpreterBooking
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus
from brukermote.outreach.models import Channel, Registration

from .conftest import meeting_data, new_meeting, today


def _messages(meeting):
    """The interpreter warnings' texts, lower-cased (language names are lower case in Norwegian)."""
    return [w.message.lower() for w in services.warnings(meeting)]


def test_default_booking_arrives_15_minutes_early_until_the_end_with_an_estimate(meeting, public):
    booking = services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id))
    db.session.commit()
    assert to_local(booking.arrives_at).time() == dt.time(13, 15)
    assert booking.minutes == 135  # 13:15–15:30
    assert booking.status == BookingStatus.needed
    # 135 minutes → 2.5 hours billed × 650 + 250 travel
    assert booking.estimated_cost == Decimal("1875.00")


def test_price_model_minimum_hours_and_no_travel_by_phone(public):
    assert services.billed_hours(public, 30) == Decimal("1.5")  # the minimum
    assert services.billed_hours(public, 121) == Decimal("2.5")  # started half hour
    assert services.estimate_cost(public, 60, BookingMode.phone) == Decimal("975.00")
    assert services.estimate_cost(public, 60, BookingMode.plenary) == Decimal("1225.00")
    assert services.estimate_cost(None, 60, BookingMode.plenary) is None


def test_life_cycle_needed_ordered_confirmed_delivered(meeting, public, hawa):
    booking = services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id))
    with pytest.raises(services.InterpreterError):
        services.change_booking_status(booking, BookingStatus.confirmed)  # must be ordered first
    services.change_booking_status(booking, BookingStatus.ordered)
    assert booking.ordered_at is not None and booking.told_arrival_at == booking.arrives_at
    services.update_booking(booking, services.BookingData(language="so", provider_id=public.id, interpreter_id=hawa.id,
                                                          estimated_cost=booking.estimated_cost, reference="T-123"))
    services.change_booking_status(booking, BookingStatus.confirmed)
    with pytest.raises(services.InterpreterError):  # not before the arrival time
        services.change_booking_status(booking, BookingStatus.delivered)
    services.change_booking_status(booking, BookingStatus.delivered, now=booking.arrives_at + dt.timedelta(hours=3))
    assert booking.status == BookingStatus.delivered
    assert booking.next_statuses == ()
    with pytest.raises(services.InterpreterError):
        services.change_booking_status(booking, BookingStatus.cancelled)
    db.session.commit()
    assert db.session.get(InterpreterBooking, booking.id).interpreter.name == "Hawa Mohamud"


def test_ordering_needs_a_provider(meeting):
    booking = services.create_booking(meeting, services.BookingData(language="ar"))
    with pytest.raises(services.InterpreterError):
        services.change_booking_status(booking, BookingStatus.ordered)


def test_booking_moves_with_the_meeting_and_warns_until_the_provider_is_told(meeting, public, agency):
    ordered = services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id))
    services.change_booking_status(ordered, BookingStatus.ordered)
    needed = services.create_booking(meeting, services.BookingData(language="ti", provider_id=agency.id))
    db.session.commit()
    old_arrival = ordered.arrives_at
    new_day = meeting.local_date + dt.timedelta(days=7)

    meeting_services.update_meeting(meeting, meeting_data(meeting, day=new_day, start=dt.time(17, 30),
                                                           end=dt.time(19, 45)), meeting.version)
    db.session.commit()

    ordered = db.session.get(InterpreterBooking, ordered.id)
    assert to_local(ordered.arrives_at) == to_local(to_utc(new_day, dt.time(17, 15)))
    assert ordered.minutes == 150  # still until the (new) end: 17:15–19:45
    # The duration changed too (135 → 150), which is not recorded as told: the old arrival alone no
    # longer describes what the provider has, so it is dropped and only "told" clears the flag.
    assert old_arrival is not None and ordered.told_arrival_at is None
    assert ordered.provider_must_be_told
    assert to_local(db.session.get(InterpreterBooking, needed.id).arrives_at).time() == dt.time(17, 15)
    moved = [m for m in _messages(meeting) if "flyttet" in m]
    assert len(moved) == 1 and "tolketjenesten" in moved[0]  # only the one the provider knows of
    assert "17:15" in moved[0] and "bli til kl. 19:45" in moved[0]

    services.mark_provider_told(ordered)
    db.session.commit()
    assert not any("flyttet" in m for m in _messages(meeting))
    assert ordered.told_arrival_at == ordered.arrives_at


def test_moving_back_to_the_time_the_provider_has_clears_the_flag(meeting, public):
    booking = services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id))
    services.change_booking_status(booking, BookingStatus.ordered)
    original = meeting.local_start.time()
    meeting_services.update_meeting(meeting, meeting_data(meeting, start=dt.time(14, 0), end=dt.time(16, 0)),
                                    meeting.version)
    assert booking.provider_must_be_told
    meeting_services.update_meeting(meeting, meeting_data(meeting, start=original, end=dt.time(15, 30)),
                                    meeting.version)
    assert not booking.provider_must_be_told


def test_cancelled_meeting_with_standing_bookings_warns(app, meeting, public):
    ordered = services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id))
    services.change_booking_status(ordered, BookingStatus.ordered)
    needed = services.create_booking(meeting, services.BookingData(language="ar", provider_id=public.id))
    db.session.commit()

    meeting_services.change_status(meeting, MeetingStatus.cancelled, "Lokalet brant")
    db.session.commit()

    assert needed.status == BookingStatus.cancelled  # nobody had ordered it: cancelled with the meeting
    assert ordered.status == BookingStatus.ordered  # the provider must be told first
    with app.test_request_context():
        warnings = services.warnings(meeting)
        assert [w.level for w in warnings] == ["error"]
        assert "avlyst" in warnings[0].message
        assert warnings[0].url == f"/meetings/{meeting.id}/interpreters"
        # The meeting page (which only asks the providers for a cancelled meeting) shows it too.
        assert warnings[0] in meeting_services.meeting_warnings(meeting)

    services.change_booking_status(ordered, BookingStatus.cancelled)
    assert services.warnings(meeting) == []
    with pytest.raises(services.InterpreterError):
        services.create_booking(meeting, services.BookingData(language="ti"))


def test_same_interpreter_at_two_overlapping_meetings_warns(meeting, venue, public, hawa):
    other = new_meeting(meeting.local_date, start=dt.time(14, 30), end=dt.time(16, 0), topic="arbeid",
                        status=MeetingStatus.planned)
    later = new_meeting(meeting.local_date, start=dt.time(18, 0), end=dt.time(20, 0), topic="Kveld",
                        status=MeetingStatus.planned)
    for m in (meeting, other, later):
        services.create_booking(m, services.BookingData(language="so", provider_id=public.id, interpreter_id=hawa.id))
    db.session.commit()
    clash = [m for m in _messages(meeting) if "hawa mohamud" in m]
    assert len(clash) == 1 and "arbeid" in clash[0]
    assert not any("hawa mohamud" in m for m in _messages(later))
    # A cancelled booking no longer clashes.
    booking = services.bookings(other)[0]
    services.change_booking_status(booking, BookingStatus.cancelled)
    assert not any("hawa mohamud" in m for m in _messages(meeting))


def test_one_interpreter_for_two_languages_at_once_warns(meeting, public):
    from .conftest import make_interpreter

    amal = make_interpreter("Amal Yusuf", so=3, ar=3)
    services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id, interpreter_id=amal.id))
    assert not any("amal yusuf" in m for m in _messages(meeting))
    arabic = services.create_booking(meeting, services.BookingData(language="ar", provider_id=public.id,
                                                                   interpreter_id=amal.id))
    [warning] = [m for m in _messages(meeting) if "amal yusuf" in m]
    assert "somali" in warning and "arabisk" in warning
    services.change_booking_status(arabic, BookingStatus.cancelled)
    assert not any("amal yusuf" in m for m in _messages(meeting))


def test_language_registrations_need_but_no_booking_covers(meeting, public):
    for code in ("ti", "ti", "so"):
        db.session.add(Registration(meeting_id=meeting.id, channel=Channel.phone, interpreter_language=code))
    db.session.flush()
    services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id))
    messages = _messages(meeting)
    uncovered = [m for m in messages if "2" in m and ("tigrinja" in m or "tigrinya" in m)]
    assert len(uncovered) == 1
    assert not any("somali" in m and "påmelding" in m for m in messages)
    booking = services.create_booking(meeting, services.BookingData(language="ti"))
    assert not any("tigrinja" in m and "påmelding" in m for m in _messages(meeting))
    services.change_booking_status(booking, BookingStatus.cancelled)
    assert any("tigrinja" in m and "påmelding" in m for m in _messages(meeting))


def test_not_confirmed_when_the_lead_time_has_passed(app, venue, public, agency):
    soon = new_meeting(today() + dt.timedelta(days=10), venue=venue, status=MeetingStatus.planned)
    so = services.create_booking(soon, services.BookingData(language="so", provider_id=public.id))  # 14 days
    services.create_booking(soon, services.BookingData(language="ar", provider_id=agency.id))  # 7 days
    services.change_booking_status(so, BookingStatus.ordered)
    lead = [m for m in _messages(soon) if "14" in m]
    assert len(lead) == 1 and "somali" in lead[0]
    assert not any("arabisk" in m for m in _messages(soon))
    # Eight days later the agency's seven days have passed too.
    later = utcnow() + dt.timedelta(days=4)
    assert len(services.warnings(soon, now=later)) == 2
    services.change_booking_status(so, BookingStatus.confirmed)
    assert not any("somali" in m for m in _messages(soon))


def test_after_the_meeting_only_a_reminder_to_record_delivery(app, venue, public, hawa):
    past = new_meeting(today() - dt.timedelta(days=3), venue=venue, status=MeetingStatus.held)
    db.session.add(Registration(meeting_id=past.id, channel=Channel.phone, interpreter_language="ta"))
    booking = services.create_booking(past, services.BookingData(language="so", provider_id=public.id,
                                                                 interpreter_id=hawa.id))
    services.change_booking_status(booking, BookingStatus.ordered)
    services.change_booking_status(booking, BookingStatus.confirmed)
    warnings = services.warnings(past)
    assert [w.level for w in warnings] == ["info"] and "somali" in warnings[0].message
    services.change_booking_status(booking, BookingStatus.delivered)
    assert services.warnings(past) == []


def test_deleting_an_interpreter_keeps_the_booking(app, meeting, public, hawa):
    booking = services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id,
                                                                    interpreter_id=hawa.id))
    db.session.commit()
    db.session.delete(hawa)
    db.session.commit()
    db.session.expire_all()
    booking = db.session.get(InterpreterBooking, booking.id)
    assert booking is not None and booking.interpreter_id is None and booking.language == "so"


def test_editing_the_arrival_of_an_ordered_booking_flags_it_too(meeting, public):
    booking = services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id))
    services.change_booking_status(booking, BookingStatus.ordered)
    services.update_booking(booking, services.BookingData(language="so", provider_id=public.id, arrival=dt.time(13, 0)))
    assert booking.provider_must_be_told
    assert any("flyttet" in m for m in _messages(meeting))
    # Arriving earlier "until the end" lengthened the booking (135 → 150 minutes). Only the arrival the
    # provider has is recorded, not the duration, so going back does not prove they have this order:
    # the flag stays until someone marks them as told.
    services.update_booking(booking, services.BookingData(language="so", provider_id=public.id, arrival=dt.time(13, 15)))
    assert booking.provider_must_be_told
    services.mark_provider_told(booking)
    assert not booking.provider_must_be_told
    # With the duration kept, an arrival moved and moved back again is what the provider has.
    services.update_booking(booking, services.BookingData(language="so", provider_id=public.id, arrival=dt.time(13, 0),
                                                          minutes=135))
    assert booking.provider_must_be_told
    services.update_booking(booking, services.BookingData(language="so", provider_id=public.id, arrival=dt.time(13, 15),
                                                          minutes=135))
    assert not booking.provider_must_be_told
