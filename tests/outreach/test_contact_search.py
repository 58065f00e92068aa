"""Finding contacts (issue 17): name or phone in any writing, language, consent, sign-up channel,
50 a page; phone numbers written as Norwegians write them; names of registered people."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from brukermote.core.models import AuditEntry
from brukermote.core.phone import display_phone
from brukermote.extensions import db
from brukermote.outreach.models import Channel, Consent, ConsentMethod, ConsentPurpose, Contact, Registration
from brukermote.outreach.search import phone_digits
from tests.printing.helpers import make_meeting


@pytest.mark.parametrize("stored, shown", [
    ("+4791234567", "912 34 567"), ("+4722334455", "22 33 44 55"), ("91234567", "912 34 567"),
    ("+47 41 23 45 67", "412 34 567"), ("+46701234567", "+46 70 123 45 67"), ("", ""), ("sentralbord", "sentralbord"),
])
def test_numbers_are_written_as_norwegians_write_them(stored, shown):
    assert display_phone(stored) == shown


@pytest.mark.parametrize("typed, digits", [
    ("912 34 567", "91234567"), ("+47 912 34 567", "91234567"), ("0047-91234567", "91234567"),
    ("(+47) 91 23 45 67", "91234567"), ("912", "912"), ("Amina", None), ("12", None),
])
def test_a_phone_number_is_recognised_however_it_is_written(typed, digits):
    assert phone_digits(typed) == digits


def _people(n: int) -> list[Contact]:
    people = []
    for index in range(n):
        contact = Contact(name=f"Person {index:03d}", phone=f"+479{index:07d}", language="so" if index % 4 == 0 else "ar")
        if index % 2 == 0:
            contact.consents.append(Consent(purpose=ConsentPurpose.news_sms, method=ConsentMethod.slip))
        people.append(contact)
    special = Contact(name="Hodan Abdi Warsame", phone="+4791234567", language="so")
    db.session.add_all([*people, special])
    db.session.flush()
    return [*people, special]


def _names(html: str) -> list[str]:
    import re

    return re.findall(r'/contacts/\d+">([^<]+)</a>', html)


def test_contacts_are_listed_fifty_a_page_and_found_by_name_phone_and_filters(admin_client, app):
    people = _people(120)
    meeting = make_meeting()
    db.session.add(Registration(meeting_id=meeting.id, channel=Channel.phone, contact_id=people[7].id))
    db.session.commit()

    first = admin_client.get("/contacts").get_data(as_text=True)
    assert len(_names(first)) == 50 and "Viser 1–50 av 121." in first and "Side 1 av 3" in first
    third = admin_client.get("/contacts?page=3").get_data(as_text=True)
    assert len(_names(third)) == 21
    assert _names(admin_client.get("/contacts?page=99").get_data(as_text=True)) == _names(third)
    assert "912 34 567" in first  # Hodan sorts first; her number as Norwegians write it

    for typed in ("912 34 567", "+47 912 34 567", "0047 91234567", "hodan", "ABDI WAR"):
        assert _names(admin_client.get("/contacts", query_string={"q": typed}).get_data(as_text=True)) == [
            "Hodan Abdi Warsame"], typed
    somali = _names(admin_client.get("/contacts?language=so").get_data(as_text=True))
    assert len(somali) == 31 and "Person 004" in somali and "Person 001" not in somali
    sms = admin_client.get("/contacts?consent=news_sms").get_data(as_text=True)
    assert "av 60." in sms and "Person 001" not in _names(sms)
    assert _names(admin_client.get("/contacts?channel=phone").get_data(as_text=True)) == ["Person 007"]
    nothing = admin_client.get("/contacts?q=Nobody").get_data(as_text=True)
    assert _names(nothing) == [] and "Ingen kontakter passer til søket." in nothing

    audit = db.session.scalars(sa.select(AuditEntry.detail).where(AuditEntry.action == "contact.list")).all()
    assert "50 of 121 contacts" in audit and "1 of 1 contacts (search)" in audit


def test_members_without_secrecy_see_counts_but_no_names_or_search(member_client, app):
    _people(3)
    db.session.commit()
    html = member_client.get("/contacts?q=Hodan").get_data(as_text=True)
    assert "Hodan Abdi Warsame" not in html and 'name="q"' not in html and "4 kontakter" in html


def test_registrations_show_the_persons_name_to_confidential_members(admin_client, app):
    people = _people(2)
    meeting = make_meeting()
    db.session.commit()
    response = admin_client.post(f"/meetings/{meeting.id}/outreach", data={
        "form": "registration", "r-channel": "phone", "r-adults": "1", "r-children": "0",
        "r-interpreter_language": "", "r-contact": "912 34 567"})
    assert response.status_code == 302
    html = admin_client.get(f"/meetings/{meeting.id}/outreach").get_data(as_text=True)
    assert "Hodan Abdi Warsame" in html and "Kontakt #" not in html
    ambiguous = admin_client.post(f"/meetings/{meeting.id}/outreach", data={
        "form": "registration", "r-channel": "phone", "r-adults": "1", "r-children": "0",
        "r-interpreter_language": "", "r-contact": "Person"})
    assert ambiguous.status_code == 422 and "2 kontakter passer til «Person»" in ambiguous.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1
    assert people[0].id


def test_interpreter_numbers_are_written_the_same_way(admin_client, app):
    from brukermote.interpreters.models import Interpreter

    db.session.add(Interpreter(name="Farah Tolk", phone="+4722334455"))
    db.session.commit()
    assert "22 33 44 55" in admin_client.get("/interpreters").get_data(as_text=True)
    assert dt.date.today()
