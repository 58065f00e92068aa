"""Every language, also by SMS (issue 17): each of the 13 languages ships every SMS text, unapproved
until a reader of it approves; the yes and stop words are recognised in each language and script."""

from __future__ import annotations

import tomllib

import pytest
import sqlalchemy as sa

from brukermote.core import languages
from brukermote.extensions import db
from brukermote.outreach.models import Contact, Registration
from brukermote.sms import delivery, services, texts
from brukermote.sms.models import SmsTemplate, TemplateKind
from tests.printing.helpers import make_meeting

from .conftest import add_contacts, approve_language, due_reminder
from .test_webhooks import inbound

CODES = [lang.code for lang in languages.all_languages()]
RAW = tomllib.loads(languages.REGISTRY_FILE.read_text(encoding="utf-8"))["languages"]

#: The yes word each language's reminder and opt-in question asks for: it must be one that is understood.
YES_IN_TEXT = {"nb": "JA", "en": "YES", "so": "HAA", "ar": "نعم", "ta": "ஆம்", "ti": "እወ", "fa": "بله",
               "ur": "ہاں", "ckb": "بەڵێ", "kmr": "ERÊ", "zh-Hans": "是", "es": "SÍ", "pl": "TAK"}


def test_there_are_thirteen_languages_and_every_kind_ships_in_each():
    assert len(CODES) == 13 and set(YES_IN_TEXT) == set(CODES)
    for kind in TemplateKind:
        assert set(texts.DEFAULTS[kind.value]) == set(CODES), kind
        for code, body in texts.DEFAULTS[kind.value].items():
            assert not texts.problems(kind.value, body), (kind, code)
            if code not in ("nb", "en"):
                assert body != texts.DEFAULTS[kind.value]["nb"], (kind, code)  # really translated


@pytest.mark.parametrize("code", CODES)
def test_the_yes_word_a_text_asks_for_is_recognised_in_its_language(code):
    for kind in ("reminder", "opt_in"):
        assert YES_IN_TEXT[code] in texts.DEFAULTS[kind][code], (kind, code)
    assert languages.get(code).is_yes(YES_IN_TEXT[code])
    assert languages.get(code).is_stop(texts.stop_word(code))


def test_other_languages_ship_unapproved_and_their_readers_get_norwegian_until_a_reader_approves(app):
    meeting = make_meeting()
    services.ensure_templates()
    db.session.commit()
    rows = db.session.execute(sa.select(SmsTemplate.language, SmsTemplate.approved)).all()
    assert {code for code, _approved in rows} == set(CODES)
    assert {code for code, approved in rows if approved} == {"nb", "en"}
    before = services.compose(TemplateKind.reminder, meeting, "ta")
    assert before.fallback and before.language == "nb" and before.body.startswith("Påminnelse")
    approve_language("ta")
    after = services.compose(TemplateKind.moved, meeting, "ta")
    assert not after.fallback and after.body.startswith("மாற்றம்")
    assert "நிறுத்து" in after.body  # the Tamil stop word, not STOPP


@pytest.fixture
def reminded_in(twilio_app, fake):
    def make(code: str) -> tuple:
        meeting = make_meeting()
        approve_language(code)
        [person] = add_contacts(1, language=code, start=40)
        due_reminder(meeting)
        delivery.run_pass()
        return meeting, person
    return make


def _replies(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/xml"
    return response.get_data(as_text=True)


@pytest.mark.parametrize("code", CODES)
def test_yes_and_stop_in_each_language_are_answered_in_it_and_stop_wins(client, reminded_in, code):
    meeting, person = reminded_in(code)
    expected_yes = services.compose(TemplateKind.reply_yes, meeting, code)
    assert expected_yes.language == code
    # Every yes word of the language, written as a participant would (lower case where there is one).
    for number, word in enumerate(RAW[code]["yes"]):
        xml = _replies(inbound(client, person.phone, word.lower(), sid=f"SM{number:032d}"))
        assert expected_yes.body in xml, word
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1  # one person, one registration
    # A yes word together with a stop word: stop wins, answered in the language.
    both = f"{RAW[code]['yes'][0]} {RAW[code]['stop'][0]}"
    xml = _replies(inbound(client, person.phone, both, sid="SM" + "f" * 32))
    assert services.compose(TemplateKind.reply_stop, None, code).body in xml
    db.session.expire_all()
    assert db.session.get(Contact, person.id).sms_opted_out_at is not None


@pytest.mark.parametrize("code", CODES)
def test_each_stop_word_of_each_language_opts_out(app, code):
    from brukermote.sms.inbound import receive
    from brukermote.sms.models import InboundMeaning

    for number, word in enumerate(RAW[code]["stop"]):
        [person] = add_contacts(1, language=code, start=100 + number)
        result = receive(person.phone, word.lower())
        assert result.meaning == InboundMeaning.stop, (code, word)
        db.session.commit()


@pytest.mark.parametrize("reply,code,meaning", [
    ("好的", "zh-Hans", "yes"), ("是的，谢谢", "zh-Hans", "yes"), ("不好", "zh-Hans", "other"),
    ("请停止发送", "zh-Hans", "stop"), ("جي", "ur", "yes"), ("هاں", "ur", "yes"), ("نَعَم", "ar", "yes"),
    ("ايقاف", "ar", "stop"), ("بەلێ", "ckb", "yes"), ("እወ።", "ti", "yes"), ("١", "ar", "yes"),
    ("\u200fبله", "fa", "yes"), ("ஆம் நன்றி", "ta", "yes"),
])
def test_replies_as_phones_write_them_in_each_script(app, reply, code, meaning):
    lang = languages.get(code)
    found = "stop" if lang.is_stop(reply) else "yes" if lang.is_yes(reply) else "other"
    assert found == meaning


def test_the_moved_notice_is_neutral_and_keeps_the_norwegian_placeholders_in_every_language():
    """A move of the venue alone keeps the time: the notice says "changed", not "new time"."""
    import re

    def names(body):
        return sorted(re.findall(r"\{(\w+)\}", body))

    moved = texts.DEFAULTS["moved"]
    assert set(moved) == set(CODES)
    assert moved["nb"].startswith("Endret: ") and moved["en"].startswith("Changed: ")
    assert "Ny tid" not in moved["nb"] and "New time" not in moved["en"]
    for code, body in moved.items():
        assert names(body) == names(moved["nb"]), code
