"""Twilio's status callback and inbound SMS: signed requests accepted, anything else refused (403)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from twilio.request_validator import RequestValidator

from brukermote.core import languages
from brukermote.extensions import db
from brukermote.outreach.models import Channel, Contact, Registration
from brukermote.sms import delivery
from brukermote.sms import stats as sms_stats
from brukermote.sms.inbound import receive as inbound_receive
from brukermote.sms.models import InboundMeaning, MessageStatus, SmsInbound, SmsMessage
from tests.printing.helpers import make_meeting

from .conftest import AUTH_TOKEN, add_contacts, approve_language, due_reminder, manual_send

PUBLIC = "http://127.0.0.1:5000"


def sign(path: str, params: dict, token: str = AUTH_TOKEN) -> str:
    return RequestValidator(token).compute_signature(PUBLIC + path, params)


def post_signed(client, path, params, signature=None):
    headers = {"X-Twilio-Signature": signature if signature is not None else sign(path, params)}
    return client.post(path, data=params, headers=headers)


def inbound(client, phone, body, sid="SM" + "a" * 32):
    return post_signed(client, "/sms/twilio/inbound", {"From": phone, "To": "+4759440000", "Body": body,
                                                       "MessageSid": sid, "AccountSid": "AC" + "1" * 32})


@pytest.fixture
def reminded(twilio_app, fake):
    meeting = make_meeting()
    approve_language("ar")
    people = add_contacts(2) + add_contacts(1, language="ar", start=10)
    due_reminder(meeting)
    delivery.run_pass()
    return meeting, people


def test_a_signed_status_callback_is_recorded(client, reminded):
    message = db.session.scalar(sa.select(SmsMessage).limit(1))
    params = {"MessageSid": message.provider_sid, "MessageStatus": "delivered", "AccountSid": "AC" + "1" * 32}
    response = post_signed(client, "/sms/twilio/status", params)
    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(SmsMessage, message.id).status == MessageStatus.delivered
    # A late "sent" callback does not undo "delivered".
    post_signed(client, "/sms/twilio/status", {**params, "MessageStatus": "sent"})
    db.session.expire_all()
    assert db.session.get(SmsMessage, message.id).status == MessageStatus.delivered
    other = db.session.scalars(sa.select(SmsMessage).order_by(SmsMessage.id)).all()[1]
    failed = {"MessageSid": other.provider_sid, "MessageStatus": "undelivered", "ErrorCode": "30005"}
    assert post_signed(client, "/sms/twilio/status", failed).status_code == 204
    db.session.expire_all()
    row = db.session.get(SmsMessage, other.id)
    assert row.status == MessageStatus.undelivered and row.error_code == "30005"


@pytest.mark.parametrize("path", ["/sms/twilio/status", "/sms/twilio/inbound"])
def test_unsigned_forged_or_tampered_webhooks_are_refused(client, reminded, path):
    meeting, people = reminded
    message = db.session.scalar(sa.select(SmsMessage).limit(1))
    params = {"MessageSid": message.provider_sid, "MessageStatus": "failed", "From": people[0].phone, "Body": "STOPP"}
    assert client.post(path, data=params).status_code == 403  # unsigned
    assert post_signed(client, path, params, signature="").status_code == 403
    assert post_signed(client, path, params, signature=sign(path, params, token="not-the-token")).status_code == 403
    assert post_signed(client, path, params, signature=sign("/other", params)).status_code == 403
    tampered = dict(params, Body="JA", MessageStatus="delivered")
    assert post_signed(client, path, tampered, signature=sign(path, params)).status_code == 403
    added = dict(params, Extra="1")
    assert post_signed(client, path, added, signature=sign(path, params)).status_code == 403
    db.session.expire_all()
    assert db.session.get(SmsMessage, message.id).status == MessageStatus.sent
    assert db.session.get(Contact, people[0].id).sms_opted_out_at is None
    assert db.session.scalar(sa.select(sa.func.count(SmsInbound.id))) == 0
    # And with the right signature the same request is accepted (so the refusals were about the signature).
    assert post_signed(client, path, params).status_code in (200, 204)


def test_without_a_configured_auth_token_every_webhook_is_refused(client, reminded, twilio_app):
    twilio_app.config["TWILIO_AUTH_TOKEN"] = ""
    params = {"From": "+4791000000", "Body": "JA"}
    assert post_signed(client, "/sms/twilio/inbound", params).status_code == 403


def test_yes_registers_for_the_meeting_reminded_of_and_answers_in_the_senders_language(client, reminded):
    meeting, people = reminded
    arabic = people[2]
    response = inbound(client, arabic.phone, " نعم ")
    assert response.status_code == 200 and response.mimetype == "application/xml"
    xml = response.get_data(as_text=True)
    assert "<Response><Message>" in xml and "شكراً" in xml
    registration = db.session.scalar(sa.select(Registration))
    assert (registration.meeting_id, registration.channel, registration.contact_id) == (meeting.id, Channel.sms, arabic.id)
    # Twilio retrying the same webhook does not register twice.
    inbound(client, arabic.phone, " نعم ")
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1
    response = inbound(client, people[0].phone, "ja", sid="SM" + "b" * 32)
    assert "Du er påmeldt" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 2
    stats = sms_stats.meeting_stats(meeting)
    assert stats.yes == 2 and stats.replies == 2


def test_other_replies_are_kept_for_the_committee(client, reminded, admin_client):
    meeting, people = reminded
    response = inbound(client, people[1].phone, "Kan jeg ta med barna?")
    assert "Arbeidsutvalget leser den" in response.get_data(as_text=True)
    row = db.session.scalar(sa.select(SmsInbound))
    assert row.meaning == InboundMeaning.other and row.meeting_id == meeting.id
    page = admin_client.get("/sms/inbox").get_data(as_text=True)
    assert "Kan jeg ta med barna?" in page


#: What participants write to stop, each with the language of the sender it is tried for.
STOP_REPLIES = [
    ("nb", word) for word in (
        "STOP", "stopp", "Avslutt", "UNSUBSCRIBE", "Stopp takk", "\"STOP\"", "stop please",
        "STOPALL", "Cancel", "end", "quit", "REVOKE", "optout",
        # A yes word before the stop ("Ok stopp") must not sign the sender up; punctuation, emoji
        # and full-width letters must not hide a stop.
        "Ok stopp", "Ja, stopp", "Stopp! Takk", "Vennligst stopp", "🙏 Stopp", "STOP\u200b", "ＳＴＯＰ")
] + [("ar", "توقف"), ("ar", "\u200fتوقف")]  # with the right-to-left mark phones insert before Arabic


@pytest.mark.parametrize("language, word", STOP_REPLIES)
def test_every_stop_reply_is_read_as_stop(language, word):
    """The reading of each reply, without a database; the webhook test below follows one of them
    through to the opt-out (``receive`` checks stop before yes)."""
    assert languages.get(language).is_stop(word)


def test_a_stop_word_of_another_language_stops_too(app):
    """A Norwegian-speaking sender who writes the Arabic stop word (and an unknown number) stops."""
    contact = Contact(name="Nora", phone="+4791000077", language="nb")
    db.session.add(contact)
    db.session.commit()
    assert inbound_receive(contact.phone, "\u200fتوقف").meaning == InboundMeaning.stop
    assert inbound_receive("+4791000078", "STOPP").meaning == InboundMeaning.stop
    db.session.commit()
    assert db.session.get(Contact, contact.id).sms_opted_out_at is not None


@pytest.mark.parametrize("word, who", [("Ok stopp", 0), ("توقف", 2)])
def test_stop_opts_out_everywhere_and_no_later_sms_reaches_the_number(client, reminded, fake, word, who):
    meeting, people = reminded
    target = people[who]
    twin = Contact(name="Same phone", phone=target.phone, language="nb")  # another record with that number
    db.session.add(twin)
    db.session.commit()
    before = len(fake.posts_to(target.phone))
    response = inbound(client, target.phone, word)
    assert response.status_code == 200
    reply = response.get_data(as_text=True)
    assert ("لن تصلك" in reply) if target.language == "ar" else ("Du får ikke flere SMS" in reply)
    db.session.expire_all()
    assert db.session.get(Contact, target.id).sms_opted_out_at is not None
    assert db.session.get(Contact, twin.id).sms_opted_out_at is not None
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    # A later reminder and a manual send: the others get them, this number does not.
    due_reminder(meeting)
    manual_send(meeting)
    delivery.run_pass()
    assert len(fake.posts_to(target.phone)) == before
    assert len(fake.posts_to(people[1].phone)) == 3
    assert sms_stats.meeting_stats(meeting).opt_outs == 1


def test_a_stop_arriving_after_the_batch_was_prepared_still_wins(twilio_app, fake, client):
    meeting = make_meeting()
    first, second = add_contacts(2)
    due_reminder(meeting)
    delivery.start_due_sends()  # rows materialised for both
    inbound(client, second.phone, "STOPP")
    delivery.deliver()
    assert len(fake.posts_to(second.phone)) == 0 and len(fake.posts_to(first.phone)) == 1
    statuses = dict(db.session.execute(sa.select(SmsMessage.phone, SmsMessage.status)).all())
    assert statuses[second.phone] == MessageStatus.skipped


def test_erasure_leaves_the_phone_number_nowhere_in_the_sms_tables(client, reminded):
    from brukermote.outreach import services as outreach

    meeting, people = reminded
    person = people[0]
    phone = person.phone
    inbound(client, phone, "Hvem er dere?", sid="SM" + "c" * 32)
    inbound(client, phone, "JA", sid="SM" + "d" * 32)
    outreach.erase_contact(db.session.get(Contact, person.id))
    db.session.commit()
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).all():
            assert phone not in str(row) and "Hvem er dere" not in str(row), table.name
    # The counts stay, anonymous.
    stats = sms_stats.meeting_stats(meeting)
    assert stats.sent == 3 and stats.yes == 1


def test_a_short_yes_with_thanks_registers_but_a_long_message_is_for_the_committee(client, reminded):
    meeting, people = reminded
    inbound(client, people[0].phone, "Ja takk!", sid="SM" + "c" * 32)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1
    inbound(client, people[1].phone, "Ja, men jeg kan ikke komme før klokken to", sid="SM" + "d" * 32)
    inbound(client, people[1].phone, "Ok jeg kommer ikke", sid="SM" + "e" * 32)
    inbound(client, people[2].phone, "اي ساعة؟", sid="SM" + "f" * 32)  # "what time?", not a yes
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1
    row = db.session.scalar(sa.select(SmsInbound).where(SmsInbound.provider_sid == "SM" + "d" * 32))
    assert row.meaning == InboundMeaning.other
