"""Phone numbers, parsed with phonenumbers and stored as E.164 (+4791234567)."""

from __future__ import annotations

import phonenumbers
from flask_babel import gettext as _

DEFAULT_REGION = "NO"


class PhoneError(ValueError):
    pass


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    text = (raw or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise PhoneError(_("«%(value)s» is not a phone number.", value=raw)) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(_("«%(value)s» is not a valid phone number.", value=raw))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164: str | None) -> str:
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if number.country_code == 47:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
