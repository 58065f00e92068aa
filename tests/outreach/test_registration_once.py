"""A reply slip typed in twice by the committee is one registration, with a message saying which one
is there already (issue 15); the funnel counts people, once each."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingType
from brukermote.outreach import funnel as funnel_service
from brukermote.outreach import services
from brukermote.outreach.models import Channel, Contact, Registration


def _meeting():
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic="Bolig", day=dt.date(2031, 9, 10), start=dt.time(17, 30),
        end=dt.time(19, 30)))
    db.session.commit()
    return meeting


def _slip(client, meeting, contact_id="", adults=2, channel="reply_slip"):
    return client.post(f"/meetings/{meeting.id}/outreach", data={
        "form": "registration", "r-channel": channel, "r-adults": str(adults), "r-children": "1",
        "r-interpreter_language": "so", "r-contact": str(contact_id)})


def _count(meeting) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Registration.id)).where(Registration.meeting_id == meeting.id))


def test_a_slip_typed_in_twice_is_one_registration_with_a_clear_message(admin_client, app):
    meeting = _meeting()
    hodan = services.create_contact(services.ContactData(name="Hodan Abdi", phone="+4791234567", language="so"))
    db.session.commit()
    assert _slip(admin_client, meeting, hodan.id).status_code == 302
    second = _slip(admin_client, meeting, hodan.id, adults=3)
    page = second.get_data(as_text=True)
    assert second.status_code == 422
    assert "Ikke lagret: denne personen er allerede påmeldt til dette møtet (Svarslipp, 2 voksne, 1 barn" in page
    assert _count(meeting) == 1
    # The same person phoning in afterwards, as another contact record with the same number: still one.
    again = services.create_contact(services.ContactData(name="Hodan A.", phone="+4791234567", language="so"))
    db.session.commit()
    assert _slip(admin_client, meeting, again.id, channel="phone").status_code == 422
    # A contact without a phone is known by the name, written however.
    ali = services.create_contact(services.ContactData(name="Ali Warsame", language="so"))
    ali2 = services.create_contact(services.ContactData(name="ali  warsame", language="so"))
    db.session.commit()
    assert _slip(admin_client, meeting, ali.id).status_code == 302
    assert _slip(admin_client, meeting, ali2.id).status_code == 422
    assert _count(meeting) == 2
    # The funnel counts people: Hodan's 2 adults and Ali's 2, once each.
    assert funnel_service.funnel([meeting.id]).registered == 4


def test_anonymous_slips_are_head_counts_and_may_repeat(admin_client, app):
    meeting = _meeting()
    assert _slip(admin_client, meeting).status_code == 302
    assert _slip(admin_client, meeting).status_code == 302
    assert _count(meeting) == 2


def test_after_erasure_the_key_is_gone_and_the_count_stays(admin_client, app):
    meeting = _meeting()
    hodan = services.create_contact(services.ContactData(name="Hodan Abdi", phone="+4791234567", language="so"))
    db.session.commit()
    funnel_service.add_registration(meeting, channel=Channel.reply_slip, contact_id=hodan.id, adults=1)
    db.session.commit()
    services.erase_contact(hodan)
    db.session.commit()
    [registration] = funnel_service.registrations(meeting)
    assert registration.contact_id is None and registration.dedupe_key is None and registration.adults == 1
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0
