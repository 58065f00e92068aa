import datetime as dt

import pytest

from brukermote.core.timeutil import local_zone, utcnow
from brukermote.extensions import db
from brukermote.meetings import services
from brukermote.meetings.models import MeetingType, Venue


@pytest.fixture
def venue(app):
    venue = Venue(name="Årvoll Gård", address="Årvollveien 36", transport="Buss 31", capacity=80, is_neutral=True)
    db.session.add(venue)
    db.session.commit()
    return venue


@pytest.fixture
def future_day(app):
    return utcnow().astimezone(local_zone()).date() + dt.timedelta(days=40)


@pytest.fixture
def meeting(app, venue, future_day, admin_user):
    meeting = services.create_meeting(
        services.MeetingData(type=MeetingType.user_meeting, topic="Bolig", day=future_day,
                             start=dt.time(13, 30), end=dt.time(15, 30), venue_id=venue.id),
        created_by=admin_user,
    )
    db.session.commit()
    return meeting


def meeting_form(**overrides):
    data = {
        "type": "user_meeting", "topic": "Arbeid", "day": "2030-05-15", "start": "13:30", "end": "15:30",
        "venue_id": "", "description": "", "catering": "frukt", "target_languages": ["nb", "so", "ar"],
        "interpreter_languages": ["so", "ar"],
    }
    data.update(overrides)
    return data
