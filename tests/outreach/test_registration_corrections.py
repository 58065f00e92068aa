"""Correcting registrations (issue 17): edit and delete with undo, by role; the audit log; no snapshot
of a person outlives their erasure."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from brukermote.core import undo
from brukermote.core.models import AuditEntry
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingType
from brukermote.outreach import services
from brukermote.outreach.models import Channel, Registration
from tests.conftest import login

NAME = "Hodan Abdi"


def _meeting():
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic="Bolig", day=dt.date(2031, 9, 10), start=dt.time(17, 30),
        end=dt.time(19, 30)))
    db.session.commit()
    return meeting


def _linked(meeting, dietary="Glutenfri, diabetes"):
    contact = services.create_contact(services.ContactData(name=NAME, phone="+4791234567", language="so"))
    db.session.flush()
    registration = Registration(meeting_id=meeting.id, channel=Channel.phone, contact_id=contact.id, adults=2,
                                children=1, dietary=dietary, dedupe_key="tel:+4791234567")
    db.session.add(registration)
    db.session.commit()
    return contact, registration


def _actions(contact_id) -> list[str]:
    return list(db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.target == f"contact:{contact_id}")
                                   .order_by(AuditEntry.id)))


def _form(**values):
    data = {"r-channel": "phone", "r-adults": "2", "r-children": "1", "r-interpreter_language": "so",
            "r-dietary": "", "r-contact": ""}
    data.update(values)
    return data


def test_a_member_without_secrecy_corrects_counts_and_never_sees_who(client, member_user):
    login(client, member_user.email)
    meeting = _meeting()
    contact, registration = _linked(meeting)
    page = client.get(f"/registrations/{registration.id}/edit").get_data(as_text=True)
    assert NAME not in page and "Glutenfri" not in page and 'name="r-contact"' not in page
    assert "Bare medlemmer med taushetsplikt ser hvem det er" in page
    response = client.post(f"/registrations/{registration.id}/edit", data={
        "r-channel": "reply_slip", "r-adults": "3", "r-children": "0", "r-interpreter_language": "",
        "r-came": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    registration = db.session.get(Registration, registration.id)
    assert (registration.channel, registration.adults, registration.children, registration.came) == (
        Channel.reply_slip, 3, 0, True)
    assert (registration.contact_id, registration.dietary) == (contact.id, "Glutenfri, diabetes")  # untouched
    assert _actions(contact.id) == ["registration.edit"]  # nothing about the person was shown


def test_a_confidential_member_links_and_unlinks_the_person_audited(admin_client, admin_user):
    meeting = _meeting()
    anonymous = Registration(meeting_id=meeting.id, channel=Channel.reply_slip, adults=1)
    db.session.add(anonymous)
    contact = services.create_contact(services.ContactData(name=NAME, phone="+4791234567", language="so"))
    db.session.commit()
    page = admin_client.get(f"/registrations/{anonymous.id}/edit").get_data(as_text=True)
    assert 'name="r-contact"' in page and NAME not in page  # a search field, not a list of every name
    response = admin_client.post(f"/registrations/{anonymous.id}/edit", data=_form(**{
        "r-contact": str(contact.id), "r-dietary": "Halal"}))
    assert response.status_code == 302
    db.session.expire_all()
    registration = db.session.get(Registration, anonymous.id)
    assert (registration.contact_id, registration.dedupe_key, registration.dietary) == (
        contact.id, "tel:+4791234567", "Halal")
    assert _actions(contact.id) == ["registration.link"]
    admin_client.post(f"/registrations/{anonymous.id}/edit", data=_form())
    db.session.expire_all()
    registration = db.session.get(Registration, anonymous.id)
    assert (registration.contact_id, registration.dedupe_key) == (None, None)
    assert _actions(contact.id) == ["registration.link", "registration.unlink"]


@pytest.mark.parametrize("values, message", [
    ({"r-adults": "-1"}, "Mellom 0 og 50"),
    ({"r-adults": "0", "r-children": "0"}, "minst én person"),
    ({"r-adults": "to"}, "Ikke en gyldig heltallsverdi"),
    ({"r-channel": "letter"}, "Ikke et gyldig valg"),
    ({"r-dietary": "x" * 201}, "200"),
])
def test_bad_registration_corrections_are_shown_again_and_nothing_saved(admin_client, values, message):
    meeting = _meeting()
    contact, registration = _linked(meeting)
    response = admin_client.post(f"/registrations/{registration.id}/edit", data=_form(
        **{"r-contact": str(contact.id), "r-dietary": "Glutenfri"} | values))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    registration = db.session.get(Registration, registration.id)
    assert (registration.adults, registration.children, registration.channel, registration.dietary) == (
        2, 1, Channel.phone, "Glutenfri, diabetes")


def test_linking_someone_already_registered_is_refused(admin_client):
    meeting = _meeting()
    contact, _registration = _linked(meeting)
    other = Registration(meeting_id=meeting.id, channel=Channel.reply_slip, adults=1)
    db.session.add(other)
    db.session.commit()
    response = admin_client.post(f"/registrations/{other.id}/edit", data=_form(**{"r-contact": str(contact.id)}))
    assert response.status_code == 422
    assert "allerede påmeldt" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Registration, other.id).contact_id is None


def test_delete_and_undo_a_linked_registration_audited(admin_client):
    meeting = _meeting()
    contact, registration = _linked(meeting)
    page = admin_client.post(f"/registrations/{registration.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "Påmeldingen er slettet." in page
    db.session.expire_all()
    assert db.session.get(Registration, registration.id) is None
    entry_id = int(re.search(r'action="/undo/(\d+)"', page).group(1))
    admin_client.post(f"/undo/{entry_id}")
    db.session.expire_all()
    back = db.session.get(Registration, registration.id)
    assert (back.contact_id, back.dietary, back.dedupe_key, back.adults) == (
        contact.id, "Glutenfri, diabetes", "tel:+4791234567", 2)
    assert _actions(contact.id) == ["registration.delete", "registration.restore"]


@pytest.mark.parametrize("linked", [True, False])
def test_an_undo_of_a_registration_does_not_outlive_erasure(admin_client, linked):
    meeting = _meeting()
    contact, registration = _linked(meeting)
    if not linked:  # known only by the number (another record of the same person made it)
        registration.contact_id = None
        db.session.commit()
    page = admin_client.post(f"/registrations/{registration.id}/delete", follow_redirects=True).get_data(as_text=True)
    entry_id = int(re.search(r'action="/undo/(\d+)"', page).group(1))
    services.erase_contact(contact)
    db.session.commit()
    assert db.session.get(undo.UndoEntry, entry_id) is None
    page = admin_client.post(f"/undo/{entry_id}", follow_redirects=True).get_data(as_text=True)
    assert "Det er for sent å angre" in page
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    assert "Glutenfri" not in str(db.session.scalars(sa.select(undo.UndoEntry.payload)).all())


@pytest.mark.parametrize("values", [{"r-adults": "-1"}, {"link_other": True}])
def test_a_refused_correction_shown_again_is_audited_like_the_first_view(admin_client, values):
    """The 422 page shows who the registration is and their food need again: in the audit log, also
    when the correction itself was rolled back."""
    meeting = _meeting()
    contact, registration = _linked(meeting)
    form = {"r-contact": str(contact.id), "r-dietary": "Glutenfri"}
    values = dict(values)  # the parameter is shared by the SQLite and PostgreSQL runs
    if values.pop("link_other", False):
        other = services.create_contact(services.ContactData(name="Amina Noor", phone="+4791234568", language="so"))
        db.session.flush()
        db.session.add(Registration(meeting_id=meeting.id, channel=Channel.phone, contact_id=other.id, adults=1,
                                    dedupe_key="tel:+4791234568"))
        db.session.commit()
        form["r-contact"] = str(other.id)  # already registered: the service refuses and rolls back
    response = admin_client.post(f"/registrations/{registration.id}/edit", data=_form(**form | values))
    assert response.status_code == 422 and NAME in response.get_data(as_text=True)  # "Linked to <name>"
    db.session.expire_all()
    assert _actions(contact.id)[-1] == "registration.view"


@pytest.mark.parametrize("change", ["moved", "cancelled"])
def test_an_undo_into_a_meeting_moved_or_cancelled_meanwhile_is_refused(admin_client, change):
    """Whoever was registered got the "new time" or cancellation notice; the deleted person did not,
    so putting them back silently would leave them with the old time."""
    meeting = _meeting()
    contact, registration = _linked(meeting)
    page = admin_client.post(f"/registrations/{registration.id}/delete", follow_redirects=True).get_data(as_text=True)
    entry_id = int(re.search(r'action="/undo/(\d+)"', page).group(1))
    db.session.expire_all()
    meeting = db.session.get(type(meeting), meeting.id)
    if change == "moved":
        meeting.starts_at += dt.timedelta(days=1)
        meeting.ends_at += dt.timedelta(days=1)
    else:
        meeting_services.change_status(meeting, meeting_services.MeetingStatus.cancelled, "Lokalet brant")
    db.session.commit()
    page = admin_client.post(f"/undo/{entry_id}", follow_redirects=True).get_data(as_text=True)
    assert "flyttet eller avlyst etter at påmeldingen ble slettet" in page
    db.session.expire_all()
    assert db.session.get(Registration, registration.id) is None
