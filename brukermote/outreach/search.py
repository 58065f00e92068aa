"""Finding contacts: by name or by phone number however it is written, by language, consent and the
channel they signed up through; 50 a page, filtered and paged in SQL (issue 17, issue 18)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..core.paging import Page, paginate
from .models import REGISTRATION_CHANNELS, Channel, Consent, ConsentPurpose, Contact, Registration
from .services import _consent_in_force


@dataclass
class ContactFilter:
    text: str = ""
    language: str = ""
    consent: ConsentPurpose | None = None
    channel: Channel | None = None

    @classmethod
    def from_args(cls, args) -> ContactFilter:
        consent = args.get("consent", "")
        channel = args.get("channel", "")
        return cls(
            text=args.get("q", "").strip()[:200],
            language=args.get("language", "").strip()[:16],
            consent=ConsentPurpose(consent) if consent in {p.value for p in ConsentPurpose} else None,
            channel=Channel(channel) if channel in {c.value for c in REGISTRATION_CHANNELS} else None,
        )

    @property
    def active(self) -> bool:
        return bool(self.text or self.language or self.consent or self.channel)


def phone_digits(text: str) -> str | None:
    """The digits to look for when ``text`` is a phone number in any common writing ("912 34 567",
    "+47 912 34 567", "0047-91234567", "(+47) 91 23 45 67"); None when it is not a number."""
    if not re.fullmatch(r"[\d\s+().\-/]+", text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.lstrip().startswith("00"):
        digits = digits[2:]
    # Norwegian numbers are stored as +47 and eight digits; the country code may be left out.
    if len(digits) == 10 and digits.startswith("47"):
        digits = digits[2:]
    return digits if len(digits) >= 3 else None


def search(filters: ContactFilter, number: int) -> Page:
    query = sa.select(Contact)
    if filters.text:
        digits = phone_digits(filters.text)
        if digits is not None:
            query = query.where(Contact.phone.contains(digits, autoescape=True))
        else:
            query = query.where(sa.func.lower(Contact.name).contains(filters.text.lower(), autoescape=True))
    if filters.language:
        query = query.where(Contact.language == filters.language)
    if filters.consent is not None:
        query = query.where(sa.select(Consent.id).where(Consent.contact_id == Contact.id,
                                                        Consent.purpose == filters.consent,
                                                        _consent_in_force()).exists())
    if filters.channel is not None:
        query = query.where(sa.select(Registration.id).where(Registration.contact_id == Contact.id,
                                                             Registration.channel == filters.channel).exists())
    query = query.order_by(Contact.name, Contact.id).options(selectinload(Contact.consents))
    return paginate(query, number)


def find_one(text: str) -> int:
    """The contact a registration form's search field names: "#25" or 25 (a contact's number), a whole
    phone number in any writing, or (part of) a name that fits exactly one person."""
    from flask_babel import gettext as _

    from ..extensions import db
    from .funnel import OutreachError

    text = text.strip()
    number = text.removeprefix("#")
    if number.isdigit() and len(number) <= 6:
        if db.session.get(Contact, int(number)) is None:
            raise OutreachError(_("There is no contact number %(n)s.", n=number))
        return int(number)
    digits = phone_digits(text)
    if digits is not None and len(digits) < 8:
        raise OutreachError(_("Write the whole phone number, or the name."))
    page = search(ContactFilter(text=text), 1)
    if page.total == 1:
        return page.rows[0].id
    if not page.total:
        raise OutreachError(_("No contact matches «%(text)s». Register the person anonymously, or add them "
                              "as a contact first.", text=text))
    shown = ", ".join(c.name for c in page.rows[:5])
    raise OutreachError(_("%(n)d contacts match «%(text)s» (%(names)s …): write more of the name, or the phone "
                          "number.", n=page.total, text=text, names=shown))
