"""Phone numbers, parsed with phonenumbers and stored as E.164 (+4791234567)."""

from __future__ import annotations

import phonenumbers
from flask_babel import gettext as _

DEFAULT_REGION = "NO"


class PhoneError(ValueError):
    pass


def normalise_phone(raw: str, region: str = DEFAULT_REGION) -> str:
    text = (raw or "").strip()
    # phonenumbers reads letters as a keypad would ("4000OOO1" becomes 40006661): a typo, not a number.
    if any(ch.isalpha() for ch in text) or any(ord(ch) < 32 for ch in text):
        raise PhoneError(_("«%(value)s» is not a phone number.", value=raw.replace("\x00", "")))
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise PhoneError(_("«%(value)s» is not a phone number.", value=raw)) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(_("«%(value)s» is not a valid phone number.", value=raw))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def can_receive_sms(e164: str) -> bool:
    """False for numbers known to be landlines (22 33 44 55); mobiles, and numbers whose kind the
    numbering plan does not tell, may receive SMS."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.FIXED_LINE


def display_phone(e164: str | None) -> str:
    """A number as Norwegians write it: «912 34 567» (mobile), «22 33 44 55» (landline), others in
    international form. The one helper for every page and the import preview; a number typed as free
    text (an interpreter's, "91234567" or "+47 91 23 45 67") is read as Norwegian when it has no +."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164.strip(), DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        return e164
    if not phonenumbers.is_possible_number(number):
        return e164
    if number.country_code == 47:
        digits = phonenumbers.national_significant_number(number)
        if len(digits) == 8:
            # Mobiles (4xx, 9xx) in groups of three, two and three; landlines in pairs, as Norwegians
            # write them (the numbering-plan metadata groups both in pairs).
            if digits[0] in "49":
                return f"{digits[:3]} {digits[3:5]} {digits[5:]}"
            return " ".join(digits[i:i + 2] for i in range(0, 8, 2))
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
