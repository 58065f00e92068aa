"""A bidi override (U+202E) or another embedding/isolate control in a committee form, a service or an
import is refused with a message naming the field (issue 15), like any other invisible control
character. A form shows the text back without it, so saving again is all it takes; nothing is saved
until then."""

from __future__ import annotations

import datetime as dt
import io

import lxml.html
import pytest
import sqlalchemy as sa

from brukermote.core.timeutil import local_today
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import Meeting, MeetingType
from brukermote.outreach.models import Contact


def _meeting_form(topic: str) -> dict:
    day = (local_today() + dt.timedelta(days=40)).isoformat()
    return {"type": "user_meeting", "topic": topic, "day": day, "start": "13:30", "end": "15:30",
            "target_languages": ["nb"]}


def test_a_topic_with_a_bidi_override_is_refused_and_shown_back_without_it(admin_client):
    response = admin_client.post("/meetings/new", data=_meeting_form("Arbeid\u202e og kurs"))
    assert response.status_code in (200, 422)
    page = response.get_data(as_text=True)
    assert ("Tema inneholdt et usynlig retningstegn (U+202E). Det er fjernet: se over teksten og lagre på nytt."
            in page)
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0
    shown = lxml.html.fromstring(page).xpath("//input[@name='topic']")[0].get("value")
    assert shown == "Arbeid og kurs"
    again = admin_client.post("/meetings/new", data=_meeting_form(shown))
    assert again.status_code == 302
    assert db.session.scalar(sa.select(Meeting.topic)) == "Arbeid og kurs"


@pytest.mark.parametrize("control", ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067",
                                     "\u2068", "\u2069"])
def test_the_service_refuses_every_bidi_control_naming_field_and_character(app, control):
    with pytest.raises(meeting_services.MeetingError) as refused:
        meeting_services.create_meeting(meeting_services.MeetingData(
            type=MeetingType.user_meeting, topic="Bolig", description=f"Om bolig{control}", day=dt.date(2031, 3, 12),
            start=dt.time(13, 30), end=dt.time(15, 30)))
    assert f"(U+{ord(control):04X})" in str(refused.value) and "beskrivelse" in str(refused.value).lower()
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == 0


def test_direction_marks_and_joiners_are_kept(admin_client):
    """RLM/LRM only mark a direction and ZWNJ/ZWJ are part of Persian and Kurdish spelling: not refused."""
    topic = "می\u200cخواهم \u200fArbeid\u200e"
    assert admin_client.post("/meetings/new", data=_meeting_form(topic)).status_code == 302
    assert db.session.scalar(sa.select(Meeting.topic)) == topic


def test_an_import_row_with_a_bidi_override_is_refused_naming_row_and_column(admin_client):
    body = "navn;telefon;språk\nAmina Yusuf;40000005;so\nTekst\u202etxet;40000006;ar\n".encode()
    response = admin_client.post("/contacts/import", data={"file": (io.BytesIO(body), "k.csv")},
                                 content_type="multipart/form-data")
    assert response.status_code == 302
    page = admin_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Rad 3" in page and "usynlig retningstegn (U+202E)" in page
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0
