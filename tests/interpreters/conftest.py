import datetime as dt
from decimal import Decimal

import pytest

from brukermote.core.timeutil import local_zone, utcnow
from brukermote.extensions import db
from brukermote.interpreters.models import Interpreter, InterpreterLanguage, InterpreterProvider, ProviderKind
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus, MeetingType, Venue


def today():
    return utcnow().astimezone(local_zone()).date()


def new_meeting(day, start=dt.time(13, 30), end=dt.time(15, 30), topic="Bolig", venue=None, created_by=None,
                status=None, interpreter_languages=("so", "ar")):
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic=topic, day=day, start=start, end=end,
        venue_id=venue.id if venue else None, interpreter_languages=list(interpreter_languages)),
        created_by=created_by)
    if status is not None:
        meeting.status = status
    db.session.flush()
    return meeting


@pytest.fixture
def venue(app):
    venue = Venue(name="Årvoll Gård", address="Årvollveien 36, 0590 Oslo", transport="Buss 31 til Årvoll senter")
    db.session.add(venue)
    db.session.commit()
    return venue


@pytest.fixture
def public(app):
    provider = InterpreterProvider(name="Tolketjenesten", kind=ProviderKind.public, lead_time_days=14,
                                   hourly_rate=Decimal("650.00"), minimum_hours=Decimal("1.5"),
                                   travel_cost=Decimal("250.00"), phone="+4721000000",
                                   email="bestilling@tolk.example.org", contact_person="Bestillingskontoret")
    db.session.add(provider)
    db.session.commit()
    return provider


@pytest.fixture
def agency(app):
    provider = InterpreterProvider(name="Nordlys Tolkebyrå AS", kind=ProviderKind.agency, lead_time_days=7,
                                   hourly_rate=Decimal("890.00"), minimum_hours=Decimal("2"),
                                   travel_cost=Decimal("400.00"))
    db.session.add(provider)
    db.session.commit()
    return provider


def make_interpreter(name, **codes):
    interpreter = Interpreter(name=name, phone="+4790000000")
    for code, category in codes.items():
        interpreter.languages.append(InterpreterLanguage(language=code.replace("_", "-"), register_category=category))
    db.session.add(interpreter)
    db.session.commit()
    return interpreter


@pytest.fixture
def hawa(app):
    return make_interpreter("Hawa Mohamud", so=2)


@pytest.fixture
def samira(app):
    return make_interpreter("Samira Haddad", ar=1)


@pytest.fixture
def meeting(app, venue, admin_user):
    """A planned meeting 40 days ahead, 13:30–15:30 Oslo time."""
    meeting = new_meeting(today() + dt.timedelta(days=40), venue=venue, created_by=admin_user,
                          status=MeetingStatus.planned)
    db.session.commit()
    return meeting


def meeting_data(meeting, **changes):
    """The meeting as the form would save it, with some fields changed (a move, a longer meeting)."""
    data = meeting_services.MeetingData(
        type=meeting.type, topic=meeting.topic, day=meeting.local_date, start=meeting.local_start.time(),
        end=meeting.local_end.time(), venue_id=meeting.venue_id)
    for key, value in changes.items():
        setattr(data, key, value)
    return data
