from __future__ import annotations

import datetime as dt

import pytest

from brukermote.auth.capabilities import SystemActor
from brukermote.core.timeutil import utcnow
from brukermote.extensions import db
from brukermote.outreach.models import Consent, ConsentMethod, ConsentPurpose, Contact
from brukermote.sms import services
from brukermote.sms.models import SendKind, SmsSend

from .fake_twilio import FakeTwilio

ACCOUNT_SID = "AC" + "1" * 32
#: The services now take the acting user (issue 16); tests that call them directly act as the system.
ACTOR = SystemActor("test")
AUTH_TOKEN = "fake-auth-token-0123456789abcdef"


@pytest.fixture
def fake():
    server = FakeTwilio().start()
    yield server
    server.stop()


def twilio_settings(fake: FakeTwilio) -> dict:
    return {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": "+4759440000",
        "TWILIO_API_BASE_URL": fake.base_url,
        "TWILIO_TIMEOUT": "5",
        "SMS_RETRY_BACKOFF": "0.01",
        "SMS_PASS_MAX_WAIT": "5",
        "SMS_PRICE_PER_SEGMENT": "0.80",
    }


@pytest.fixture
def twilio_app(app, fake):
    app.config.update(twilio_settings(fake))
    return app


def add_contacts(n: int, language: str = "nb", start: int = 0, consent: bool = True) -> list[Contact]:
    contacts = []
    for index in range(start, start + n):
        contact = Contact(name=f"Deltaker {index:04d}", phone=f"+4791{index:06d}", language=language)
        if consent:
            contact.consents.append(Consent(purpose=ConsentPurpose.news_sms, method=ConsentMethod.slip))
        db.session.add(contact)
        contacts.append(contact)
    db.session.commit()
    return contacts


def due_reminder(meeting) -> SmsSend:
    """A reminder whose time has come (the meeting itself is years ahead)."""
    send = services.add_reminder(meeting, 2, dt.time(10, 0), actor=ACTOR)
    send.send_at = utcnow() - dt.timedelta(minutes=1)
    db.session.commit()
    return send


def manual_send(meeting, kind=SendKind.manual):
    from brukermote.sms.models import Audience

    send = services.send_now(meeting, kind, Audience.consented, actor=ACTOR)
    db.session.commit()
    return send


def approve_language(language: str) -> None:
    """What a committee member who reads the language does on the editor page, for every kind."""
    from brukermote.sms import texts
    from brukermote.sms.models import TemplateKind

    for kind in TemplateKind:
        services.save_template(kind, language, texts.DEFAULTS[kind.value][language], True, ACTOR)
    db.session.commit()


def confirmation_token(client, meeting_id: int, form: dict) -> str:
    """The one-time token of the confirmation page that the first step of "send now" shows."""
    import re

    page = client.post(f"/meetings/{meeting_id}/sms/send", data=form).get_data(as_text=True)
    match = re.search(r'name="send_token" value="([A-Za-z0-9_-]+)"', page)
    assert match, "the confirmation page carries no one-time token"
    return match.group(1)


def confirm_send(client, meeting_id: int, kind: str = "manual", audience: str = "consented"):
    """What a committee member does: ask, read the count and cost, press "Send"."""
    form = {"kind": kind, "audience": audience}
    token = confirmation_token(client, meeting_id, form)
    return client.post(f"/meetings/{meeting_id}/sms/send", data={**form, "confirm": "yes", "send_token": token})
