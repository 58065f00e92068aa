"""Double opt-in (issue 15): a number typed into the public sign-up form gets one SMS asking for a yes,
and nothing else until the yes comes; nobody can use the form to text someone else's phone."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from brukermote.core.timeutil import utcnow
from brukermote.extensions import db
from brukermote.outreach import services as outreach
from brukermote.outreach.models import Consent, ConsentPurpose, Contact, Registration
from brukermote.sms import delivery, texts
from brukermote.sms.models import MessageStatus, SendKind, SmsInbound, SmsMessage, SmsSend
from tests.printing.helpers import make_meeting

from .conftest import due_reminder
from .test_webhooks import inbound

NUMBER = "+4791234567"


def sign_up(client, meeting, lang="en", phone="912 34 567", **extra):
    return client.post(f"/m/{meeting.uid}/signup", data={"lang": lang, "adults": "1", "phone": phone,
                                                         "sms_consent": "1", **extra})


def texts_to(fake, number=NUMBER) -> list[str]:
    return [p.form["Body"] for p in fake.posts_to(number)]


def opt_in_sends() -> int:
    return db.session.scalar(sa.select(sa.func.count(SmsSend.id)).where(SmsSend.kind == SendKind.opt_in))


def test_the_web_number_gets_one_request_and_nothing_else_until_it_says_yes(twilio_app, fake, client):
    meeting = make_meeting()
    response = sign_up(client, meeting)
    assert response.status_code == 302
    # The thanks page tells them to answer the SMS.
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Reply YES to it" in thanks
    # Exactly one SMS, in the language of the form, sent by the background pass (inline in tests).
    assert texts_to(fake) == [texts.DEFAULTS["opt_in"]["en"]]
    contact = db.session.scalar(sa.select(Contact))
    assert not contact.consents_to(ConsentPurpose.news_sms) and contact.sms_consent_pending

    # The same form again (a double click, a second try): no second request, no second consent.
    assert sign_up(client, meeting).status_code == 200
    assert len(texts_to(fake)) == 1
    assert db.session.scalar(sa.select(sa.func.count(Consent.id))) == 1

    # A reminder before the yes: the number is not among the recipients.
    due_reminder(meeting)
    delivery.run_pass()
    assert len(texts_to(fake)) == 1

    # The yes confirms the consent, answered with the confirmation in the person's language.
    answer = inbound(client, NUMBER, "Yes").get_data(as_text=True)
    assert "You will now get texts about the open meetings" in answer
    db.session.expire_all()
    consent = db.session.scalar(sa.select(Consent))
    assert not consent.awaiting_confirmation and consent.confirmed_at is not None
    assert db.session.get(Contact, contact.id).consents_to(ConsentPurpose.news_sms)
    # It was the answer to the request, not a registration: the web sign-up is the one registration.
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1

    # From now on reminders reach the number.
    other = make_meeting()
    due_reminder(other)
    delivery.run_pass()
    assert len(texts_to(fake)) == 2 and "Reminder" in texts_to(fake)[-1]


def test_a_second_sign_up_with_the_number_within_24_hours_sends_no_second_request(twilio_app, fake, client):
    first, second, third = make_meeting(), make_meeting(), make_meeting()
    sign_up(client, first, lang="nb")
    sign_up(client, second, lang="nb")  # another meeting, another contact: still no second SMS
    assert len(texts_to(fake)) == 1 and "Svar JA" in texts_to(fake)[0]
    assert opt_in_sends() == 1
    # A day later the number may be asked once more (it may have missed the first).
    db.session.execute(sa.update(SmsSend).values(created_at=utcnow() - dt.timedelta(hours=25)))
    db.session.commit()
    sign_up(client, third, lang="nb")
    assert len(texts_to(fake)) == 2 and opt_in_sends() == 2
    # One yes confirms every waiting consent of the number.
    inbound(client, NUMBER, "ja")
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Consent.id)).where(Consent.awaiting_confirmation)) == 0
    assert db.session.scalar(sa.select(sa.func.count(Consent.id))) == 3


def test_a_number_that_sent_stop_or_already_gets_our_texts_is_not_asked(twilio_app, fake, client):
    from brukermote.outreach.models import ConsentMethod

    meeting = make_meeting()
    owner = outreach.create_contact(outreach.ContactData(name="Hodan", phone=NUMBER, language="so"))
    outreach.give_consent(owner, ConsentPurpose.news_sms, ConsentMethod.slip, "2026-1")
    db.session.commit()
    sign_up(client, meeting)  # already subscribed through the committee: nothing to ask
    assert texts_to(fake) == []
    outreach.opt_out_phone(NUMBER)
    db.session.commit()
    sign_up(client, make_meeting())  # STOP stands against the form
    assert texts_to(fake) == [] and opt_in_sends() == 0


def test_a_yes_twice_after_a_reminder_is_one_registration(twilio_app, fake, client):
    meeting = make_meeting()
    sign_up(client, make_meeting())  # signed up on the web for another meeting, then confirmed
    inbound(client, NUMBER, "yes", sid="SM" + "1" * 32)
    due_reminder(meeting)
    delivery.run_pass()
    assert len(texts_to(fake)) == 2
    inbound(client, NUMBER, "yes", sid="SM" + "2" * 32)
    inbound(client, NUMBER, "Yes please", sid="SM" + "3" * 32)
    registrations = db.session.scalars(sa.select(Registration).where(Registration.meeting_id == meeting.id)).all()
    assert len(registrations) == 1 and registrations[0].dedupe_key == f"tel:{NUMBER}"
    # A yes from a number that signed up on the web for this very meeting finds that registration.
    web = make_meeting()
    sign_up(client, web)
    due_reminder(web)
    delivery.run_pass()
    inbound(client, NUMBER, "yes", sid="SM" + "4" * 32)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id)).where(Registration.meeting_id == web.id)) == 1


def test_erasure_still_removes_everything(twilio_app, fake, client, admin_client):
    meeting = make_meeting()
    sign_up(client, meeting, name="Amina Hassan")
    inbound(client, NUMBER, "yes")
    contact = db.session.scalar(sa.select(Contact))
    outreach.erase_contact(contact)
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(Consent.id))) == 0
    assert db.session.scalar(sa.select(sa.func.count(SmsMessage.id)).where(SmsMessage.phone == NUMBER)) == 0
    assert db.session.scalar(sa.select(sa.func.count(SmsInbound.id)).where(SmsInbound.phone == NUMBER)) == 0
    [registration] = db.session.scalars(sa.select(Registration)).all()
    assert registration.contact_id is None and registration.dedupe_key is None  # an anonymous count
    # The opt-in row stays as an anonymous count, like every other SMS.
    assert db.session.scalar(sa.select(SmsMessage.status)) == MessageStatus.sent
