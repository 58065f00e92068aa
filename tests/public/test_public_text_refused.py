"""Free text on the public pages that a database or a printer cannot hold (a NUL byte, an invisible
control character, a bidi override, more than the field holds) is refused with a message in the visitor's
language that names the field, and nothing is saved (issue 15). The text comes back without the invisible
character, so sending the form again is all the visitor has to do."""

from __future__ import annotations

import lxml.html
import pytest
import sqlalchemy as sa
from markupsafe import escape

from brukermote.attendance.models import Feedback
from brukermote.extensions import db
from brukermote.outreach.models import Consent, Contact, Registration
from brukermote.printing.texts import text_set
from brukermote.sms.models import SmsMessage
from tests.attendance.test_attendance_feedback import _held
from tests.printing.helpers import make_meeting


def _rows() -> tuple:
    return tuple(db.session.scalar(sa.select(sa.func.count()).select_from(model))
                 for model in (Registration, Contact, Consent, SmsMessage, Feedback))


def _field_value(page: str, name: str) -> str:
    element = lxml.html.fromstring(page).xpath(f"//*[@name='{name}']")[0]
    return element.text_content() if element.tag == "textarea" else element.get("value")


def test_norwegian_and_english_messages_read_as_written(app):
    """The two sentences a visitor sees, exactly (Norwegian first; the others are unreviewed drafts)."""
    nb, en = text_set("nb"), text_set("en")
    assert nb("web.error_invisible", field=nb("web.name")) == (
        "Det du skrev i «Navnet ditt (frivillig)», inneholdt et usynlig tegn som vi ikke kan lagre. "
        "Vi har fjernet det. Se over teksten og send skjemaet på nytt.")
    assert nb("web.error_too_long", field=nb("web.useful"), max=2000) == (
        "Det du skrev i «Hva var nyttig?», er for langt. Du kan skrive høyst 2000 tegn.")
    assert en("web.error_too_long", field=en("web.name"), max=200) == (
        "What you wrote in “Your name (optional)” is too long. You can write at most 200 characters.")
    for language in ("ar", "so", "ta", "ti", "zh-Hans", "ckb", "kmr", "fa", "ur", "pl", "es"):
        t = text_set(language)
        for key in ("web.error_invisible", "web.error_too_long"):
            text = t(key, field="X", max=7)
            # Written in the language (not the English fallback), with the field and the limit in it.
            assert "X" in text and (key == "web.error_invisible" or "7" in text), (language, key)
            assert text != text_set("en")(key, field="X", max=7), (language, key)


@pytest.mark.parametrize("language, name", [
    ("nb", "Amina\x00Yusuf"), ("ar", "أمينة\u202eيوسف"), ("so", "Amina\x07\x1bYusuf"), ("ta", "Amina\u2066Yusuf")])
def test_an_invisible_character_in_the_name_is_refused_in_the_visitors_language(client, app, language, name):
    meeting = make_meeting()
    before = _rows()
    response = client.post(f"/m/{meeting.uid}/signup", data={
        "lang": language, "adults": "2", "name": name, "phone": "912 34 567", "sms_consent": "1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    t = text_set(language)
    message = escape(t("web.error_invisible", field=t("web.name")))
    assert page.count(message) == 2  # in the summary at the top and at the field itself
    assert 'id="f-name"' in page and 'aria-describedby="e-name"' in page
    assert _rows() == before  # no registration, no contact, no consent, no SMS
    # The name comes back without the invisible character: sending the form again signs the person up.
    shown = _field_value(page, "name")
    # (a control character between two words leaves a space, a bidi control nothing)
    assert shown == " ".join(name.translate({0: " ", 7: " ", 0x1b: " ", 0x202e: None, 0x2066: None}).split())
    again = client.post(f"/m/{meeting.uid}/signup", data={
        "lang": language, "adults": "2", "name": shown, "phone": "912 34 567", "sms_consent": "1"})
    assert again.status_code == 302
    assert db.session.scalar(sa.select(Contact.name)) == shown


def test_a_name_longer_than_the_field_holds_is_refused_not_cut(client, app):
    meeting = make_meeting()
    long_name = "Amina " + "Yusuf" * 100
    response = client.post(f"/m/{meeting.uid}/signup", data={"lang": "nb", "adults": "1", "name": long_name})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Det du skrev i «Navnet ditt (frivillig)», er for langt. Du kan skrive høyst 200 tegn." in page
    assert _field_value(page, "name") == long_name  # shown whole, to be shortened by its writer
    assert _rows() == (0, 0, 0, 0, 0)


def test_a_nul_in_the_phone_is_refused_and_never_echoed(client, app):
    meeting = make_meeting()
    response = client.post(f"/m/{meeting.uid}/signup", data={"lang": "en", "adults": "1", "phone": "912\x0034 567",
                                                             "sms_consent": "1"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert escape(text_set("en")("web.error_phone")) in page and "\x00" not in page
    assert _rows() == (0, 0, 0, 0, 0)


@pytest.mark.parametrize("field, value, key", [
    ("useful", "Tolken\x00var bra", "web.error_invisible"),
    ("missing", "Mer tid\u202e", "web.error_invisible"),
    ("next_topic", "Bolig\tog arbeid", "web.error_invisible"),  # one line: a tab is a control character there
    ("missing", "x" * 2001, "web.error_too_long"),
    ("next_topic", "y" * 301, "web.error_too_long"),
])
def test_public_feedback_refuses_bad_text_naming_the_answer(client, app, field, value, key):
    meeting = _held(days_ago=1)
    data = {"lang": "so", "rating": "4", "useful": "Waa fiicnaa", field: value}
    response = client.post(f"/m/{meeting.uid}/feedback", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    t = text_set("so")
    limit = {"next_topic": 300}.get(field, 2000)
    assert page.count(escape(t(key, field=t(f"web.{field}"), max=limit))) == 2
    assert db.session.scalar(sa.select(sa.func.count(Feedback.id))) == 0
    # The other answers are kept on the page, and the face stays chosen.
    assert 'value="4" checked' in page
    if field != "useful":
        assert _field_value(page, "useful") == "Waa fiicnaa"
    if key == "web.error_invisible":  # shown again without it: sending again is enough
        shown = _field_value(page, field)
        assert shown and all(ch not in shown for ch in "\x00\u202e\t")
        assert client.post(f"/m/{meeting.uid}/feedback", data={**data, field: shown}).status_code == 302
        assert db.session.scalar(sa.select(sa.func.count(Feedback.id))) == 1


def test_the_public_feedback_fields_tell_the_browser_their_limits(client, app):
    meeting = _held(days_ago=1)
    page = client.get(f"/m/{meeting.uid}/feedback?lang=nb").get_data(as_text=True)
    limits = {name: _field_value_attr(page, name) for name in ("useful", "missing", "next_topic")}
    assert limits == {"useful": "2000", "missing": "2000", "next_topic": "300"}


def _field_value_attr(page: str, name: str) -> str:
    return lxml.html.fromstring(page).xpath(f"//*[@name='{name}']")[0].get("maxlength")
