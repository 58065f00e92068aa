"""The public sign-up form: no account, every field optional but the head count, texts in the
participant's language (from the reviewed printables phrases), and an honeypot instead of a CAPTCHA."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..core import languages
from ..core.locks import lock_row
from ..core.phone import PhoneError, can_receive_sms, normalise_phone
from ..core.timeutil import utcnow
from ..core.validation import BIDI_CONTROLS, clean_text, control_character
from ..extensions import db
from ..meetings.models import Meeting, MeetingStatus

MAX_PEOPLE = 20
#: As long as the column (Contact.name); the page's maxlength says the same to the browser.
MAX_NAME = 200


def text_error(text: str, max_length: int, multiline: bool = False) -> tuple[str, dict] | None:
    """What is wrong with free text a visitor typed: (phrase key, its values) or None. The phrase names the
    field with ``{field}`` (the field's label in the visitor's language, filled in by the page).

    A control character or a bidi control is refused, not silently dropped: the visitor is told, and the
    text shown back to them has it removed (``clean_text``), so sending the form again is enough. A text
    too long for its column is refused and shown back whole, to be shortened by the person who wrote it."""
    if control_character(text, multiline) or BIDI_CONTROLS.search(text):
        return "web.error_invisible", {}
    if len(text) > max_length:
        return "web.error_too_long", {"max": max_length}
    return None


def signup_open(meeting: Meeting) -> bool:
    return meeting.status == MeetingStatus.published and meeting.ends_at > utcnow()


def consent_wording_version(text: str) -> str:
    """Identifies the exact consent sentence the person saw (language and wording) in 12 characters."""
    return "web-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


@dataclass
class SignupData:
    name: str = ""
    adults: int = 1
    children: int = 0
    interpreter_language: str = ""
    childcare: bool = False
    phone: str = ""
    sms_consent: bool = False
    phone_e164: str | None = None
    #: field name -> phrase key of the message, shown in the participant's language.
    errors: dict[str, str] = field(default_factory=dict)
    #: What was typed into the count fields, shown again as typed when it was refused.
    typed: dict[str, str] = field(default_factory=dict)
    #: field name -> values for its message's placeholders besides {field} (``text_error``).
    error_values: dict[str, dict] = field(default_factory=dict)

    def shown(self, name: str) -> str:
        return self.typed[name] if name in self.errors and name in self.typed else str(getattr(self, name))


def _count(raw: str | None, default: int) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        return None
    value = int(raw)
    return value if 0 <= value <= MAX_PEOPLE else None


def parse(form) -> SignupData:
    name = (form.get("name") or "").strip()
    data = SignupData(
        name=name,
        interpreter_language=form.get("interpreter_language") or "",
        childcare=form.get("childcare") == "1",
        phone=(form.get("phone") or "").strip()[:40],
        sms_consent=form.get("sms_consent") == "1",
    )
    problem = text_error(name, MAX_NAME)
    if problem:
        data.errors["name"], data.error_values["name"] = problem
        if problem[0] == "web.error_invisible":
            data.name = " ".join(clean_text(name).split())
    if data.interpreter_language not in languages.LANGUAGES or data.interpreter_language == "nb":
        data.interpreter_language = ""
    for name, default in (("adults", 1), ("children", 0)):
        data.typed[name] = (form.get(name) or "")[:20]
        value = _count(form.get(name), default)
        if value is None:
            data.errors[name] = "web.error_count"
        else:
            setattr(data, name, value)
    if "adults" not in data.errors and data.adults < 1:
        data.errors["adults"] = "web.error_nobody"
    if data.phone:
        try:
            data.phone_e164 = normalise_phone(data.phone)
            if not can_receive_sms(data.phone_e164):  # the number is only for an SMS reminder
                raise PhoneError(data.phone)
        except PhoneError:
            data.phone_e164 = None
            data.errors["phone"] = "web.error_phone"
            data.phone = " ".join(clean_text(data.phone).split())  # shown again: never with a NUL in the page
        else:
            if not data.sms_consent:
                data.errors["sms_consent"] = "web.error_consent"
    return data


@dataclass
class Saved:
    """What a sign-up came to: the registration, whether it was there already (and what matched: "tel"
    or "name"), and the opt-in SMS to send once this is committed."""

    registration_id: int
    already: bool = False
    matched: str = ""
    opt_in_send_id: int | None = None
    #: The person gave a number or a name, so a repeat would be recognised (an anonymous head count never is).
    identified: bool = False


def save(meeting: Meeting, data: SignupData, language: str, consent_text: str) -> Saved:
    """One registration (channel web) per person; a contact only when the person gave a name or a phone number.

    The same number (or, without one, the same name) for the same meeting again is the same person: the
    earlier registration stands and nothing is added (no second contact, consent or opt-in SMS).

    A public form proves nothing about who typed a number, so it never touches an existing contact:
    it does not link to one, and it cannot lift the opt-out of a number that sent STOP (that stands
    until the number itself asks again, by SMS or through the committee). For the same reason the
    SMS consent given here waits for a "yes" from the number (double opt-in, ``sms.inbound``)."""
    from ..outreach import funnel
    from ..outreach import services as outreach
    from ..outreach.models import Channel, ConsentMethod, ConsentPurpose, Contact
    from ..sms import inbound

    key = funnel.person_key(data.phone_e164, data.name)
    if key is not None:
        # First in the transaction: a simultaneous post for this meeting waits here for our commit and
        # then finds our registration.
        lock_row(Meeting, meeting.id)
        existing = funnel.find_registration(meeting, key)
        if existing is not None:
            return Saved(existing.id, already=True, matched=key.split(":", 1)[0], identified=True)
    opt_in = None
    try:
        with db.session.begin_nested():  # all or nothing: no contact or consent without its registration
            contact = None
            if data.name or data.phone_e164:
                contact = outreach.create_contact(outreach.ContactData(
                    name=data.name or "–", street="", postcode="", city="", phone=data.phone_e164,
                    language=language))
                if data.phone_e164 and data.sms_consent:
                    consent = outreach.give_consent(contact, ConsentPurpose.news_sms, ConsentMethod.web,
                                                    consent_wording_version(consent_text), utcnow())
                    consent.awaiting_confirmation = True
                    opted_out_at = db.session.scalar(sa.select(sa.func.max(Contact.sms_opted_out_at)).where(
                        Contact.phone == data.phone_e164, Contact.id != contact.id))
                    if opted_out_at is not None:
                        contact.sms_opted_out_at = opted_out_at
                    db.session.flush()
                    opt_in = inbound.request_opt_in(meeting, contact)
            registration = funnel.add_registration(
                meeting, dedupe_key=key, channel=Channel.web, adults=data.adults, children=data.children,
                interpreter_language=data.interpreter_language,
                childcare_needed=data.childcare and meeting.childcare,
                contact_id=contact.id if contact is not None else None)
    except funnel.AlreadyRegistered as exc:  # the lock makes this rare; the constraint makes it safe
        return Saved(exc.registration_id, already=True, matched=key.split(":", 1)[0], identified=True)
    return Saved(registration.id, opt_in_send_id=opt_in.id if opt_in is not None else None,
                 identified=key is not None)
