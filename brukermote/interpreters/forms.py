from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional

from ..core import languages
from ..core.forms import DecimalCommaField, EnumSelectField, MoneyField, StrictDateField, StrictTimeField
from ..core.validation import InputLimits, phone_characters
from .models import BookingMode, ProviderKind, RequestSource


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class ProviderForm(InputLimits, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    kind = EnumSelectField(_l("Kind"), choices=ProviderKind.choices())
    contact_person = StringField(_l("Contact person"), validators=[Optional(), Length(max=120)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), phone_characters])
    email = StringField(_l("E-mail"), validators=[Optional(), Email(message=_l("Not an e-mail address.")),
                                                  Length(max=254)])
    order_address = StringField(_l("Where to order"), validators=[Optional(), Length(max=300)],
                                description=_l("Web page, e-mail or postal address for orders"))
    lead_time_days = IntegerField(
        _l("Ordering lead time (days)"), default=14,
        validators=[InputRequired(message=_l("Give the lead time in days.")),
                    NumberRange(min=0, max=365, message=_l("Between 0 and 365 days."))],
        description=_l("How many days before the assignment the order must be in"))
    hourly_rate = MoneyField(_l("Price per hour (NOK)"), validators=[Optional()])
    minimum_hours = DecimalCommaField(
        _l("Minimum hours billed"), places=1, default=1,
        validators=[InputRequired(message=_l("Give the minimum hours (0 if none).")),
                    NumberRange(min=0, max=24, message=_l("Between 0 and 24 hours."))])
    travel_cost = MoneyField(_l("Travel per on-site assignment (NOK)"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


CATEGORY_CHOICES = [("", _l("– does not interpret this –")), ("0", _l("Not registered"))] + [
    (str(n), _l("Category %(n)d", n=n)) for n in range(1, 6)]


def _lang_field_name(code: str) -> str:
    return "lang_" + code.replace("-", "_")


def interpreter_form_class():
    """The interpreter form with one select per language (register category or "does not interpret")."""

    class InterpreterForm(InputLimits, FlaskForm):
        name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
        phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40), phone_characters])
        email = StringField(_l("E-mail"), validators=[Optional(), Email(message=_l("Not an e-mail address.")),
                                                      Length(max=254)])
        provider_id = SelectField(_l("Usually booked through"), coerce=_optional_int)
        notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])

        def language_fields(self):
            return [(code, getattr(self, _lang_field_name(code))) for code in interpretable_codes()]

        def categories(self) -> dict[str, int | None]:
            result = {}
            for code, field in self.language_fields():
                if field.data not in (None, ""):
                    result[code] = int(field.data) or None
            return result

    for lang in languages.all_languages():
        if lang.code == "nb":
            continue
        setattr(InterpreterForm, _lang_field_name(lang.code),
                SelectField(f"{lang.name_nb} – {lang.native_name}", choices=CATEGORY_CHOICES, default=""))
    return InterpreterForm


def interpretable_codes() -> list[str]:
    return [lang.code for lang in languages.all_languages() if lang.code != "nb"]


def language_field_name(code: str) -> str:
    return _lang_field_name(code)


class BookingForm(InputLimits, FlaskForm):
    language = SelectField(_l("Language"), validators=[DataRequired(message=_l("Choose a language."))])
    provider_id = SelectField(_l("Provider"), coerce=_optional_int)
    interpreter_id = SelectField(_l("Interpreter (once known)"), coerce=_optional_int)
    mode = EnumSelectField(_l("Mode"), choices=BookingMode.choices(), default=BookingMode.plenary.value)
    arrival = StrictTimeField(_l("Arrives"), validators=[Optional()],
                              description=_l("Empty: 15 minutes before the start, for the briefing"))
    minutes = IntegerField(_l("Duration (minutes)"),
                           validators=[Optional(), NumberRange(min=1, max=1440, message=_l("Between 1 and 1440 minutes."))],
                           description=_l("Empty: from arrival until the meeting ends"))
    requested_by = EnumSelectField(_l("Asked for by"), choices=RequestSource.choices(),
                               default=RequestSource.committee.value)
    estimated_cost = MoneyField(_l("Estimated cost (NOK)"), validators=[Optional()],
                                description=_l("Empty: computed from the provider's prices"))
    actual_cost = MoneyField(_l("Actual cost (NOK)"), validators=[Optional()])
    reference = StringField(_l("Provider's reference"), validators=[Optional(), Length(max=80)])
    day_contact = StringField(_l("Contact person on the day"), validators=[Optional(), Length(max=200)],
                              description=_l("Name and phone; printed on the order sheet"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class StatusForm(InputLimits, FlaskForm):
    status = HiddenField(validators=[DataRequired()])


class CostFilterForm(InputLimits, FlaskForm):
    class Meta:
        csrf = False

    start = StrictDateField(_l("From"), validators=[Optional()], planning_range=False)
    end = StrictDateField(_l("To"), validators=[Optional()], planning_range=False)
