"""Form fields every domain uses: dates that must exist, amounts that cannot be negative, languages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import DateField, DecimalField, SelectMultipleField, TimeField
from wtforms.widgets import CheckboxInput, ListWidget

from . import languages


class StrictDateField(DateField):
    """An ISO date; an impossible one (2026-02-30) is named in the error, not just refused."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip()
        try:
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
            self.data = dt.time.fromisoformat(raw)
        except ValueError:
            self.data = None
            raise ValueError(_("%(value)s is not a time of day (use HH:MM).", value=raw)) from None


class MoneyField(DecimalField):
    """Kroner with two decimals; never negative; accepts a Norwegian decimal comma."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("places", 2)
        super().__init__(label, validators, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        raw = valuelist[0].strip().replace(" ", "").replace("\u00a0", "").replace(",", ".")
        try:
            self.data = Decimal(raw)
        except InvalidOperation:
            self.data = None
            raise ValueError(_("Not an amount: %(value)s", value=valuelist[0])) from None
        if self.data < 0:
            raise ValueError(_("The amount cannot be negative."))


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
