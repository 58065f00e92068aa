"""The same person signing up twice for the same meeting is one registration (issue 15): the page says
they are already signed up, shows what they asked for only to the browser that asked, and the rule holds
in the database even when the two posts arrive at the same moment."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from brukermote.extensions import db
from brukermote.outreach.models import Channel, Consent, Contact, Registration
from brukermote.printing.texts import text_set
from tests.printing.helpers import make_meeting

FORM = {"lang": "so", "name": "Amina Hassan", "adults": "2", "children": "1", "interpreter_language": "so",
        "childcare": "1", "phone": "912 34 567", "sms_consent": "1"}


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_fifteen_identical_posts_are_one_contact_one_registration_one_consent(client, app):
    meeting = make_meeting()
    answers = [client.post(f"/m/{meeting.uid}/signup", data=FORM) for _ in range(15)]
    assert [a.status_code for a in answers] == [302] + [200] * 14
    assert (count(Contact), count(Registration), count(Consent)) == (1, 1, 1)
    # The browser that signed up sees, in Somali, that it is signed up and what it asked for.
    page = answers[-1].get_data(as_text=True)
    t = text_set("so")
    assert t("web.already_title") in page and t("web.already_yours") in page
    assert "Soomaali" in page  # the interpreter language, by its own name
    assert t("web.childcare") in page
    assert t("web.already_phone") not in page
    # The registration is the first post's.
    registration = db.session.scalar(sa.select(Registration))
    assert (registration.adults, registration.children, registration.interpreter_language) == (2, 1, "so")
    assert registration.dedupe_key == "tel:+4791234567"


def test_another_browser_with_the_same_number_learns_nothing_about_the_earlier_sign_up(app):
    meeting = make_meeting()  # the office's number is +47 23 00 00 00
    assert app.test_client().post(f"/m/{meeting.uid}/signup", data=FORM).status_code == 302
    stranger = app.test_client()
    answer = stranger.post(f"/m/{meeting.uid}/signup", data={**FORM, "lang": "nb", "name": "", "adults": "5",
                                                            "interpreter_language": "ar"})
    page = answer.get_data(as_text=True)
    t = text_set("nb")
    assert answer.status_code == 200
    assert t("web.already_phone") in page and t("web.already_change_call", phone="23 00 00 00") in page
    assert t("web.already_yours") not in page and "Soomaali" not in page and "Amina" not in page
    assert count(Registration) == 1 and db.session.scalar(sa.select(Registration.adults)) == 2


def test_the_same_name_without_a_number_is_one_registration(client, app):
    meeting = make_meeting()
    for name in ("Amina Hassan", "  amina   HASSAN ", "Amina Hassan"):
        client.post(f"/m/{meeting.uid}/signup", data={"lang": "nb", "name": name, "adults": "1"})
    # Composed and decomposed "å" are the same name.
    client.post(f"/m/{meeting.uid}/signup", data={"lang": "nb", "name": "Åse Berg", "adults": "1"})
    page = client.post(f"/m/{meeting.uid}/signup", data={"lang": "nb", "name": "A\u030ase berg", "adults": "1"})
    assert text_set("nb")("web.already_title") in page.get_data(as_text=True)
    assert count(Registration) == 2 and count(Contact) == 2
    # Without a name or number a sign-up is a head count: two families of four are eight people.
    for _ in range(2):
        client.post(f"/m/{meeting.uid}/signup", data={"lang": "nb", "adults": "4"})
    assert count(Registration) == 4


def test_the_rule_is_in_the_database(app):
    meeting = make_meeting()
    for _ in range(2):
        db.session.add(Registration(meeting_id=meeting.id, channel=Channel.web, dedupe_key=None))
    db.session.commit()  # NULL keys may repeat
    db.session.add(Registration(meeting_id=meeting.id, channel=Channel.web, dedupe_key="tel:+4791234567"))
    db.session.commit()
    db.session.add(Registration(meeting_id=meeting.id, channel=Channel.sms, dedupe_key="tel:+4791234567"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()

# Fifty pairs of simultaneous sign-ups over real HTTP: tests/public/test_simultaneous_signup.py.
