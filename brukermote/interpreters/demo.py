"""Demo interpreters: the public interpreter service, a private agency, invented interpreters, and
bookings for the history (Somali and Arabic every time, now and then another language) and the
coming meeting, so a newcomer sees the warnings, the demand list and the costs working."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..extensions import db
from ..meetings.models import MeetingStatus
from . import services
from .models import (
    BookingMode,
    BookingStatus,
    Interpreter,
    InterpreterBooking,
    InterpreterLanguage,
    InterpreterProvider,
    ProviderKind,
    RequestSource,
)

#: (name, phone, provider key, {language: register category or None})
PEOPLE = [
    ("Hawa Mohamud Ali", "+4790011001", "public", {"so": 2}),
    ("Abdirahman Yusuf", "+4790011002", "public", {"so": 3}),
    ("Samira Haddad", "+4790011003", "public", {"ar": 1}),
    ("Karim Mansour", "+4790011004", "agency", {"ar": 3, "ckb": None}),
    ("Saba Tekle", "+4790011005", "agency", {"ti": 4}),
    ("Ravi Sivanathan", "+4790011006", "agency", {"ta": 3}),
    ("Nasrin Hosseini", "+4790011007", "public", {"fa": 2}),
]

#: Extra languages at past meetings (participants who called in), by date: (language, delivered?)
EXTRA = {
    dt.date(2008, 9, 24): [("ti", True)],
    dt.date(2009, 2, 25): [("ta", True)],
    dt.date(2009, 4, 22): [("ti", True), ("fa", False)],
    dt.date(2009, 5, 27): [("ti", True), ("ta", True)],
}


def load(by_date, upcoming) -> None:
    public = InterpreterProvider(
        name="Tolketjenesten (offentlig, demo)", kind=ProviderKind.public, contact_person="Bestillingskontoret",
        phone="+4721000000", email="bestilling@tolketjenesten.example.org",
        order_address="https://tolketjenesten.example.org/bestill", lead_time_days=14,
        hourly_rate=Decimal("650.00"), minimum_hours=Decimal("1.5"), travel_cost=Decimal("250.00"),
        notes="Har ikke alltid tigrinja og tamil; da bruker vi byrået.")
    agency = InterpreterProvider(
        name="Nordlys Tolkebyrå AS (demo)", kind=ProviderKind.agency, contact_person="Mette Larsen",
        phone="+4722000000", email="oppdrag@nordlys-tolk.example.org", lead_time_days=7,
        hourly_rate=Decimal("890.00"), minimum_hours=Decimal("2"), travel_cost=Decimal("400.00"),
        notes="Privat byrå. Dyrere, men har flere språk og kort bestillingsfrist.")
    db.session.add_all([public, agency])
    db.session.flush()
    providers = {"public": public, "agency": agency}
    people: dict[str, list[Interpreter]] = {}
    for name, phone, provider_key, codes in PEOPLE:
        interpreter = Interpreter(name=name, phone=phone, provider_id=providers[provider_key].id)
        for code, category in codes.items():
            interpreter.languages.append(InterpreterLanguage(language=code, register_category=category))
            people.setdefault(code, []).append(interpreter)
        db.session.add(interpreter)
    db.session.flush()

    def provider_for(code: str) -> InterpreterProvider:
        return public if code in ("so", "ar", "fa") else agency

    def add(meeting, code, status, source=RequestSource.committee, interpreter=None, actual=None):
        provider = provider_for(code)
        arrives = services.default_arrival(meeting)
        minutes = int((meeting.ends_at - arrives).total_seconds() // 60)
        booking = InterpreterBooking(
            meeting_id=meeting.id, language=code, provider_id=provider.id,
            interpreter_id=interpreter.id if interpreter else None, mode=BookingMode.plenary,
            arrives_at=arrives, minutes=minutes, status=status, requested_by=source,
            estimated_cost=services.estimate_cost(provider, minutes, BookingMode.plenary), actual_cost=actual,
            ordered_at=arrives - dt.timedelta(days=20) if status != BookingStatus.needed else None,
            confirmed_at=arrives - dt.timedelta(days=10)
            if status in (BookingStatus.confirmed, BookingStatus.delivered) else None,
            told_arrival_at=arrives if status != BookingStatus.needed else None)
        db.session.add(booking)
        return booking

    for day, meeting in sorted(by_date.items()):
        if meeting.status != MeetingStatus.held:
            continue
        for code in meeting.interpreter_languages or []:
            person = people[code][day.month % len(people[code])]
            estimate = services.estimate_cost(provider_for(code), meeting.duration_minutes + 15, BookingMode.plenary)
            add(meeting, code, BookingStatus.delivered, interpreter=person, actual=estimate)
        for code, delivered in EXTRA.get(day, []):
            status = BookingStatus.delivered if delivered else BookingStatus.no_show
            person = people[code][0]
            actual = services.estimate_cost(provider_for(code), meeting.duration_minutes + 15, BookingMode.plenary)
            add(meeting, code, status, RequestSource.phone, person, actual if delivered else None)

    # The coming meeting: Somali confirmed, Arabic ordered, Tigrinya needed (two registrations ask for
    # it); Tamil is asked for too but not booked yet, so the meeting page warns about it.
    add(upcoming, "so", BookingStatus.confirmed, interpreter=people["so"][0])
    add(upcoming, "ar", BookingStatus.ordered)
    from ..outreach.models import Channel, Registration

    for code in ("ti", "ti", "ta"):
        db.session.add(Registration(meeting_id=upcoming.id, channel=Channel.phone, adults=1,
                                    interpreter_language=code))
    db.session.flush()
    add(upcoming, "ti", BookingStatus.needed, RequestSource.registration)
    db.session.flush()
