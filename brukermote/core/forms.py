"""Form fields every domain uses: dates that must exist, amounts that cannot be negative, languages."""

from __future__ import annotations

import datetime as dt
import enum
import re
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, SelectField, SelectMultipleField, TimeField
from wtforms.validators import StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from . import languages

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_TIME = re.compile(r"\d{1,2}:\d{2}(:\d{2})?")


class StrictDateField(DateField):
    """An ISO date; an impossible one (2026-02-30) is named in the error, not just refused, and one
    outside the years a committee plans in (validation.DATE_MIN–DATE_MAX) is refused naming the field."""

    def __init__(self, label=None, validators=None, planning_range: bool = True, **kwargs):
        super().__init__(label, validators, **kwargs)
        #: False for a filter over what exists (a report's period), which has its own, wider range.
        self.planning_range = planning_range

    def pre_validate(self, form):
        from .validation import date_problem

        problem = date_problem(str(self.label.text), self.data) if self.planning_range else None
        if problem:
            raise StopValidation(problem)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip()
        try:
            if not _ISO_DATE.fullmatch(raw):  # fromisoformat also takes 20260530 and week dates
                raise ValueError(raw)
            self.data = dt.date.fromisoformat(raw)
        except ValueError:
            self.data = None
            raise ValueError(_("%(value)s is not a date in the calendar (use YYYY-MM-DD).", value=raw)) from None


class StrictTimeField(TimeField):
    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip()
        try:
            self.data = dt.time.fromisoformat(raw) if _ISO_TIME.fullmatch(raw) else None
        except ValueError:
            self.data = None
        # "12:00+05:00" parses, but a meeting's times are Oslo wall-clock times: an offset is refused.
        if self.data is None or self.data.tzinfo is not None:
            self.data = None
            raise ValueError(_("%(value)s is not a time of day (use HH:MM).", value=raw))


#: Amounts are stored as Numeric(10, 2): below 100 million kroner.
MONEY_LIMIT = Decimal(100_000_000)
MONEY_LIMIT_TEXT = "99\u00a0999\u00a0999"


def _parse_decimal(raw: str) -> Decimal | None:
    """A finite decimal from what a Norwegian types ("1,5", "1 250,00"), or None."""
    text = raw.strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class DecimalCommaField(DecimalField):
    """A decimal number that accepts a Norwegian decimal comma and refuses NaN and infinity."""

    def not_a_number(self, raw: str) -> str:
        return _("Not a number: %(value)s", value=raw)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        self.data = _parse_decimal(valuelist[0])
        if self.data is None:
            raise ValueError(self.not_a_number(valuelist[0]))


class MoneyField(DecimalCommaField):
    """Kroner with two decimals; never negative; accepts a Norwegian decimal comma."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("places", 2)
        super().__init__(label, validators, **kwargs)

    def not_a_number(self, raw: str) -> str:
        return _("Not an amount: %(value)s", value=raw)

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is None:
            return
        if self.data < 0:
            raise ValueError(_("The amount cannot be negative."))
        if self.data >= MONEY_LIMIT:
            raise ValueError(_("The amount is too large (at most %(limit)s kr).", limit=MONEY_LIMIT_TEXT))


class EnumSelectField(SelectField):
    """A select whose choices are an enum's values, filled from a model's enum attribute.

    WTForms fills a field from ``obj`` before keyword defaults, so without this an edit form shows no
    option as selected and a browser saves the first one back (every meeting becoming the first type)."""

    def process_data(self, value):
        super().process_data(value.value if isinstance(value, enum.Enum) else value)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def language_choices() -> list[tuple[str, str]]:
    return [(lang.code, f"{lang.name_nb} – {lang.native_name}") for lang in languages.all_languages()]


class LanguagesField(MultiCheckboxField):
    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label or _l("Languages"), validators, **kwargs)
        self.choices = language_choices()


def parse_iso_date(value: str | None):
    """A YYYY-MM-DD query parameter as a date, or None when empty or malformed (filters ignore it)."""
    import datetime as dt

    try:
        return dt.date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None
