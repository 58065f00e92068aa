"""Input limits every form, import and service applies: text a database and a printer can hold, dates
in a range a committee plans in, and the messages that name the field (in the user's language).

Text:
- NUL and the other C0 control characters (and DEL) are refused: PostgreSQL cannot store NUL at all,
  and the others are invisible, break printed output and CSV files, and never come from a keyboard.
  Multi-line fields keep tab and line breaks.
- Bidi embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) are refused too: kept,
  they let a name or title reorder what is printed and shown ("Tekst\u202etxet" reads backwards). Nobody
  can see them, and text pasted from a word processor often carries them around Arabic or Hebrew words,
  so a form removes them from the text it shows back and says so: saving again is all it takes. (A
  service, the CLI or an import has nothing to show back: it names the field and the character.)
  Without them the Unicode bidi algorithm still orders right-to-left text correctly, and printed
  documents isolate each text themselves. ZWNJ and ZWJ (U+200C, U+200D) stay: Persian and Kurdish
  spelling needs them. So do LRM and RLM (U+200E, U+200F), which only mark a direction.
- Length: at most the column's length, counted in characters, with a message naming the field.
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import gettext as _
from wtforms import IntegerField, StringField, TextAreaField
from wtforms.validators import Length

#: Control characters refused everywhere (C0 without tab, LF and CR; DEL).
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: ... and on one line, tab and line breaks too.
_CONTROL_LINE = re.compile("[\x00-\x1f\x7f]")
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")

#: Dates a committee can enter: meetings, mailings, posters, consents, follow-ups. The demo's history
#: starts in 2007; nothing is planned beyond 2100. Also keeps date arithmetic (a week before, a year of
#: Oslo time) far from the ends of Python's calendar.
DATE_MIN = dt.date(2000, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)

#: A 32-bit signed integer: what an Integer column holds on PostgreSQL.
INT_MAX = 2**31 - 1

#: For a free-text field whose column has no length (Text): long enough for any note, short enough to print.
DEFAULT_TEXT_MAX = 10_000


class InputError(ValueError):
    """A value no form would accept, found by a service (the CLI, the API, imports)."""


def strip_bidi_controls(text: str) -> str:
    return BIDI_CONTROLS.sub("", text)


def bidi_control(text: str) -> str | None:
    """The first bidi embedding, override or isolate control in ``text`` as "U+202E", or None."""
    match = BIDI_CONTROLS.search(text or "")
    return f"U+{ord(match.group()):04X}" if match else None


def control_character(text: str, multiline: bool = False) -> str | None:
    """The first refused control character in ``text`` as "U+0000", or None."""
    match = (_CONTROL_MULTILINE if multiline else _CONTROL_LINE).search(text or "")
    return f"U+{ord(match.group()):04X}" if match else None


def clean_text(text: str | None, multiline: bool = False) -> str:
    """For text nobody can be asked to correct (the public pages, an SMS): control characters and bidi
    controls removed, line breaks kept where the field has several lines."""
    text = strip_bidi_controls(text or "")
    return (_CONTROL_MULTILINE if multiline else _CONTROL_LINE).sub("" if multiline else " ", text) if text else ""


def text_problem(label: str, text: str, max_length: int | None, multiline: bool = False) -> str | None:
    """What is wrong with a text for the field ``label``, as a message naming the field, or None."""
    code = control_character(text, multiline)
    if code:
        return _("%(field)s contains an invisible control character (%(code)s). Type the text again "
                 "without it.", field=label, code=code)
    code = bidi_control(text)
    if code:
        return _("%(field)s contains an invisible direction mark (%(code)s). Type the text again without it.",
                 field=label, code=code)
    if max_length is not None and len(text) > max_length:
        return _("%(field)s can be at most %(max)d characters (this is %(n)d).", field=label, max=max_length,
                 n=len(text))
    return None


def check_text(label: str, text: str | None, max_length: int | None, multiline: bool = False) -> str:
    """The text; InputError when it has control characters or bidi controls, or is too long."""
    text = text or ""
    problem = text_problem(label, text, max_length, multiline)
    if problem:
        raise InputError(problem)
    return text


def date_problem(label: str, day: dt.date | None) -> str | None:
    if day is not None and not (DATE_MIN <= day <= DATE_MAX):
        return _("%(field)s must lie between %(first)s and %(last)s.", field=label, first=DATE_MIN.year,
                 last=DATE_MAX.year)
    return None


def check_date(label: str, day: dt.date | None) -> dt.date | None:
    problem = date_problem(label, day)
    if problem:
        raise InputError(problem)
    return day


def _label(field) -> str:
    return str(field.label.text) if field.label is not None and field.label.text else field.name


def _max_length(field) -> int | None:
    """The limit to check here: None when the field's own Length has a message of its own ("The topic
    can be at most 200 characters."), which then stands."""
    for validator in field.validators:
        if isinstance(validator, Length) and validator.max is not None and validator.max >= 0:
            return None if validator.message else validator.max
    return DEFAULT_TEXT_MAX if isinstance(field, TextAreaField) else None


class InputLimits:
    """Mixed into every form (before FlaskForm/Form): the text, length and integer limits above, checked
    on every text and integer field, with one message that names the field in place of the generic ones.

    A field-specific validator still runs; where a limit here is broken, its message replaces the
    field's others (a 100 000-character topic gets "Topic can be at most 200 characters", not also
    "Field cannot be longer than 200 characters")."""

    def validate(self, extra_validators=None):
        problems: dict[str, str] = {}
        for field in self:
            if isinstance(field, StringField) and isinstance(field.data, str):
                code = bidi_control(field.data)
                # Shown back without it (see above), so that saving again is all it takes.
                field.data = strip_bidi_controls(field.data)
                problem = text_problem(_label(field), field.data, _max_length(field),
                                       multiline=isinstance(field, TextAreaField))
                if code and not problem:
                    problem = _("%(field)s contained an invisible direction mark (%(code)s). It has been "
                                "removed: check the text and save again.", field=_label(field), code=code)
                if problem:
                    problems[field.name] = problem
            elif isinstance(field, IntegerField) and isinstance(field.data, int) and abs(field.data) > INT_MAX:
                problems[field.name] = _("%(field)s: the number is too large.", field=_label(field))
        valid = super().validate(extra_validators)
        for field in self:
            if field.name in problems:
                field.errors = [problems[field.name]]
        return valid and not problems


PHONE_CHARACTERS = re.compile(r"^[0-9+ ().\-/]*$")


def phone_characters(form, field):
    """A free-text phone (a provider's switchboard, printed on order sheets) holds digits and the usual
    separators only: "4000OOO1" with letters O is a typo, not a number."""
    if field.data and not PHONE_CHARACTERS.match(field.data):
        from wtforms.validators import ValidationError

        raise ValidationError(_("%(field)s: a phone number has only digits (and + - spaces).",
                                field=_label(field)))
