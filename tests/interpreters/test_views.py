"""The pages: forms refuse bad input in Norwegian and save nothing; lists stay within a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from brukermote.extensions import db
from brukermote.interpreters import services
from brukermote.interpreters.models import (
    BookingMode,
    BookingStatus,
    Interpreter,
    InterpreterBooking,
    InterpreterProvider,
    RequestSource,
)
from brukermote.meetings.models import MeetingStatus
from brukermote.outreach.models import Channel, Registration

from ..browser_form import form_values
from .conftest import make_interpreter, new_meeting, today


def _count(model=InterpreterBooking):
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def _post_booking(client, meeting, **fields):
    data = {"language": "so", "provider_id": "", "interpreter_id": "", "mode": "plenary", "arrival": "",
            "minutes": "", "requested_by": "committee", "estimated_cost": "", "actual_cost": "", "reference": "",
            "day_contact": "", "notes": ""}
    data.update(fields)
    return client.post(f"/meetings/{meeting.id}/interpreters", data=data)


def test_booking_form_saves_with_defaults(member_client, meeting, public):
    response = _post_booking(member_client, meeting, language="so", provider_id=str(public.id))
    assert response.status_code == 302
    booking = db.session.scalar(sa.select(InterpreterBooking))
    assert booking.language == "so" and booking.estimated_cost == Decimal("1875.00")
    page = member_client.get(f"/meetings/{meeting.id}/interpreters").get_data(as_text=True)
    assert "Tolketjenesten" in page and "13:15–15:30" in page


def test_arrival_after_the_start_is_refused(member_client, meeting, public):
    response = _post_booking(member_client, meeting, arrival="13:45", provider_id=str(public.id))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Tolken må komme senest når møtet starter (13:30)" in html
    assert _count() == 0


def test_negative_cost_is_refused(member_client, meeting):
    response = _post_booking(member_client, meeting, estimated_cost="-100")
    assert response.status_code == 422
    assert "Beløpet kan ikke være negativt." in response.get_data(as_text=True)
    assert _count() == 0


def test_an_interpreter_who_lacks_the_language_is_refused(member_client, meeting, hawa):
    response = _post_booking(member_client, meeting, language="ar", interpreter_id=str(hawa.id))
    assert response.status_code == 422
    assert "Hawa Mohamud tolker ikke arabisk" in response.get_data(as_text=True)
    assert _count() == 0


def test_editing_a_booking_with_bad_input_changes_nothing(member_client, meeting, hawa):
    booking = services.create_booking(meeting, services.BookingData(language="so", interpreter_id=hawa.id))
    db.session.commit()
    response = member_client.post(f"/interpreters/bookings/{booking.id}", data={
        "language": "so", "mode": "plenary", "arrival": "14:00", "requested_by": "committee",
        "interpreter_id": str(hawa.id), "provider_id": "", "actual_cost": "-5"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Beløpet kan ikke være negativt." in html
    db.session.expire_all()
    assert db.session.get(InterpreterBooking, booking.id).arrives_at == services.default_arrival(meeting)
    response = member_client.post(f"/interpreters/bookings/{booking.id}", data={
        "language": "so", "mode": "plenary", "arrival": "14:00", "requested_by": "committee",
        "interpreter_id": str(hawa.id), "provider_id": ""})
    assert response.status_code == 422
    assert "senest når møtet starter" in response.get_data(as_text=True)


def test_deleting_a_provider_that_bookings_reference_is_refused(member_client, meeting, public):
    services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id))
    db.session.commit()
    response = member_client.post(f"/interpreters/providers/{public.id}/delete", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "Tolketjenesten kan ikke slettes: 1 bestilling viser til den" in html
    db.session.expire_all()
    assert db.session.get(InterpreterProvider, public.id) is not None
    assert _count() == 1


def test_an_unused_provider_can_be_deleted(member_client, agency):
    response = member_client.post(f"/interpreters/providers/{agency.id}/delete")
    assert response.status_code == 302
    assert _count(InterpreterProvider) == 0


def test_provider_and_interpreter_forms(member_client):
    response = member_client.post("/interpreters/providers/new", data={
        "name": "Nordlys Tolkebyrå", "kind": "agency", "lead_time_days": "7", "hourly_rate": "890,50",
        "minimum_hours": "2", "travel_cost": "400"})
    assert response.status_code == 302
    provider = db.session.scalar(sa.select(InterpreterProvider))
    assert provider.hourly_rate == Decimal("890.50") and provider.lead_time_days == 7
    response = member_client.post("/interpreters/providers/new", data={
        "name": "Feil", "kind": "agency", "lead_time_days": "-1", "minimum_hours": "1", "hourly_rate": "-3"})
    assert response.status_code == 422
    assert _count(InterpreterProvider) == 1

    response = member_client.post("/interpreters/people/new", data={
        "name": "Saba Tekle", "phone": "+4790011005", "provider_id": str(provider.id),
        "lang_ti": "4", "lang_ar": "0", "lang_zh_Hans": ""})
    assert response.status_code == 302
    saba = db.session.scalar(sa.select(Interpreter))
    assert saba.category("ti") == 4 and saba.category("ar") is None and saba.category("so") is False
    response = member_client.post("/interpreters/people/new", data={"name": "Ingen språk"})
    assert response.status_code == 422
    assert "Velg minst ett språk" in response.get_data(as_text=True)
    index = member_client.get("/interpreters").get_data(as_text=True)
    assert "Saba Tekle" in index and "kategori 4" in index and "ikke registrert" in index


def test_removing_a_language_the_interpreter_is_booked_for_is_refused(member_client, meeting, hawa):
    services.create_booking(meeting, services.BookingData(language="so", interpreter_id=hawa.id))
    db.session.commit()
    response = member_client.post(f"/interpreters/people/{hawa.id}", data={"name": "Hawa Mohamud", "lang_ar": "1"})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Interpreter, hawa.id).speaks("so")


def test_one_click_book_status_buttons_and_provider_told(member_client, meeting, public):
    db.session.add(Registration(meeting_id=meeting.id, channel=Channel.phone, interpreter_language="ti"))
    db.session.commit()
    page = member_client.get(f"/meetings/{meeting.id}/interpreters").get_data(as_text=True)
    assert "Legg inn: tigrinja" in page
    assert member_client.post(f"/meetings/{meeting.id}/interpreters/book", data={"language": "ti"}).status_code == 302
    booking = db.session.scalar(sa.select(InterpreterBooking))
    assert booking.language == "ti" and booking.provider_id == public.id
    assert booking.requested_by.value == "registration"

    member_client.post(f"/interpreters/bookings/{booking.id}/status", data={"status": "confirmed"})
    db.session.expire_all()
    assert db.session.get(InterpreterBooking, booking.id).status == BookingStatus.needed  # not allowed yet
    member_client.post(f"/interpreters/bookings/{booking.id}/status", data={"status": "ordered"})
    member_client.post(f"/interpreters/bookings/{booking.id}/status", data={"status": "confirmed"})
    db.session.expire_all()
    booking = db.session.get(InterpreterBooking, booking.id)
    assert booking.status == BookingStatus.confirmed

    from brukermote.meetings import services as meeting_services

    meeting_services.update_meeting(meeting, meeting_services.MeetingData(
        type=meeting.type, topic=meeting.topic, day=meeting.local_date + dt.timedelta(days=1),
        start=dt.time(13, 30), end=dt.time(15, 30), venue_id=meeting.venue_id), meeting.version)
    db.session.commit()
    page = member_client.get(f"/meetings/{meeting.id}/interpreters").get_data(as_text=True)
    assert "Leverandøren informert: tigrinja" in page
    member_client.post(f"/interpreters/bookings/{booking.id}/told")
    db.session.expire_all()
    assert not db.session.get(InterpreterBooking, booking.id).provider_must_be_told


def test_meeting_page_shows_the_panel_and_the_warnings(member_client, meeting, public):
    db.session.add(Registration(meeting_id=meeting.id, channel=Channel.phone, interpreter_language="ta"))
    services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id))
    db.session.commit()
    html = member_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert 'id="interpreters"' in html
    assert "1 påmelding trenger tolk på tamil" in html


def test_book_refuses_an_unknown_language(member_client, meeting):
    assert member_client.post(f"/meetings/{meeting.id}/interpreters/book", data={"language": "xx"}).status_code == 400
    assert _count() == 0


def _queries(app, fn) -> int:
    count = 0

    def before(*args, **kwargs):
        nonlocal count
        count += 1

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    return count


@pytest.mark.parametrize("path", ["meeting", "index", "costs"])
def test_pages_use_a_bounded_number_of_queries(app, member_client, venue, public, agency, path):
    day = today() + dt.timedelta(days=40)
    meetings = [new_meeting(day + dt.timedelta(days=i), venue=venue, status=MeetingStatus.planned) for i in range(6)]
    db.session.commit()
    codes = ["so", "ar", "ti", "ta", "fa", "ur", "pl", "es"]

    def add(n):
        for i in range(n):
            code = codes[i % len(codes)]
            person = make_interpreter(f"Tolk {path} {i}", **{code.replace("-", "_"): 3})
            for m in meetings:
                services.create_booking(m, services.BookingData(language=code, interpreter_id=person.id,
                                                                provider_id=(public if i % 2 else agency).id))
        db.session.commit()

    url = {"meeting": f"/meetings/{meetings[0].id}/interpreters", "index": "/interpreters",
           "costs": f"/interpreters/costs?start={day.isoformat()}&end={(day + dt.timedelta(days=10)).isoformat()}"}[path]
    add(2)
    few = _queries(app, lambda: member_client.get(url))
    add(6)
    many = _queries(app, lambda: member_client.get(url))
    assert member_client.get(url).status_code == 200
    assert many == few, f"{path}: {few} queries with 2 bookings per meeting, {many} with 8"


def test_saving_a_booking_unchanged_keeps_its_mode_and_who_asked(member_client, meeting, public):
    booking = services.create_booking(meeting, services.BookingData(
        language="so", provider_id=public.id, mode=BookingMode.phone, requested_by=RequestSource.phone))
    db.session.commit()
    page = member_client.get(f"/interpreters/bookings/{booking.id}").get_data(as_text=True)
    values = form_values(page, f"/interpreters/bookings/{booking.id}")
    assert (values["mode"], values["requested_by"]) == ("phone", "phone")
    assert member_client.post(f"/interpreters/bookings/{booking.id}", data=values).status_code == 302
    db.session.expire_all()
    saved = db.session.get(InterpreterBooking, booking.id)
    assert (saved.mode, saved.requested_by) == (BookingMode.phone, RequestSource.phone)


@pytest.mark.parametrize("amount, message", [
    ("NaN", "Ikke et beløp: NaN"), ("Infinity", "Ikke et beløp: Infinity"), ("-inf", "Ikke et beløp: -inf"),
    ("1e20", "Beløpet er for stort"), ("100000000", "Beløpet er for stort"), ("-1", "Beløpet kan ikke være negativt"),
])
def test_amounts_that_are_not_money_are_refused(member_client, meeting, amount, message):
    response = _post_booking(member_client, meeting, actual_cost=amount)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert _count() == 0
    assert member_client.get(f"/meetings/{meeting.id}").status_code == 200


def test_bookings_on_a_cancelled_meeting_can_only_be_cancelled(member_client, meeting, public):
    from brukermote.meetings import services as meeting_services

    booking = services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id))
    services.change_booking_status(booking, BookingStatus.ordered)
    db.session.commit()
    meeting_services.change_status(meeting, MeetingStatus.cancelled, "Lokalet brant")
    db.session.commit()

    page = member_client.get(f"/meetings/{meeting.id}/interpreters").get_data(as_text=True)
    assert "Bekreft: somali" not in page and "Tilbake til «trengs»: somali" not in page
    assert "Avlys bestillingen: somali" in page
    for status in ("confirmed", "needed"):
        response = member_client.post(f"/interpreters/bookings/{booking.id}/status", data={"status": status},
                                      follow_redirects=True)
        assert "Møtet er avlyst: tolkebestillingene kan bare avbestilles" in response.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(InterpreterBooking, booking.id).status == BookingStatus.ordered
    member_client.post(f"/interpreters/bookings/{booking.id}/status", data={"status": "cancelled"})
    db.session.expire_all()
    assert db.session.get(InterpreterBooking, booking.id).status == BookingStatus.cancelled
    # Reopening a cancelled booking would put it back on a meeting that will not happen.
    with pytest.raises(services.InterpreterError):
        services.change_booking_status(db.session.get(InterpreterBooking, booking.id), BookingStatus.needed)


def test_a_made_up_status_is_refused_in_norwegian(member_client, meeting, public):
    booking = services.create_booking(meeting, services.BookingData(language="so", provider_id=public.id))
    db.session.commit()
    response = member_client.post(f"/interpreters/bookings/{booking.id}/status", data={"status": "bogus"},
                                  follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "is not a valid BookingStatus" not in html
    assert "Det er ikke en status en bestilling kan ha." in html
    db.session.expire_all()
    assert db.session.get(InterpreterBooking, booking.id).status == BookingStatus.needed
