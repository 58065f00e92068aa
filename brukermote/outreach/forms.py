from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..core.forms import (
    EnumSelectField,
    LanguagesField,
    MoneyField,
    MultiCheckboxField,
    StrictDateField,
    language_choices,
)
from ..core.phone import PhoneError, normalise_phone
from ..core.validation import InputLimits
from .models import ConsentMethod, ConsentPurpose


class ContactForm(InputLimits, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       description=_l("As it should appear on an envelope"))
    street = TextAreaField(_l("Street address"), validators=[Optional(), Length(max=300)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), Length(max=10)])
    city = StringField(_l("City"), validators=[Optional(), Length(max=100)])
    phone = StringField(_l("Mobile phone"), validators=[Optional(), Length(max=40)])
    language = SelectField(_l("Preferred language"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()
        self.phone_e164: str | None = None

    def validate_phone(self, field):
        if field.data and field.data.strip():
            try:
                self.phone_e164 = normalise_phone(field.data)
            except PhoneError as exc:
                raise ValidationError(str(exc)) from None


class ConsentForm(InputLimits, FlaskForm):
    purpose = EnumSelectField(_l("Consent to"), choices=ConsentPurpose.choices(), validators=[DataRequired()])
    method = EnumSelectField(_l("Given by"), choices=[c for c in ConsentMethod.choices() if c[0] != "import"],
                         validators=[DataRequired()])
    wording_version = StringField(_l("Wording version"), default="2026-1", validators=[DataRequired(), Length(max=20)])
    given_on = StrictDateField(_l("Given on"), validators=[Optional()], description=_l("Leave empty for today"))

    def validate_given_on(self, field):
        from ..core.timeutil import local_zone, utcnow

        if field.data and field.data > utcnow().astimezone(local_zone()).date():
            raise ValidationError(_l("A consent cannot be given in the future."))


class ImportUploadForm(InputLimits, FlaskForm):
    file = FileField(_l("File (CSV or XLSX)"), validators=[FileRequired(_l("Choose a file."))])


def _column(value):
    return int(value) if value not in (None, "", "None") else None


class ImportMappingForm(InputLimits, FlaskForm):
    name = SelectField(_l("Name"), coerce=_column)
    street = SelectField(_l("Street address"), coerce=_column)
    postcode = SelectField(_l("Postcode"), coerce=_column)
    city = SelectField(_l("City"), coerce=_column)
    phone = SelectField(_l("Mobile phone"), coerce=_column)
    language = SelectField(_l("Language"), coerce=_column)
    default_language = SelectField(_l("Language when the file has none"))
    purposes = MultiCheckboxField(_l("They have consented to (recorded as «import»)"), choices=ConsentPurpose.choices())
    wording_version = StringField(_l("Wording version of that consent"), default="2026-1",
                                  validators=[DataRequired(), Length(max=20)])

    COLUMNS = ("name", "street", "postcode", "city", "phone", "language")

    def set_headers(self, headers: list[str]) -> None:
        choices = [("", _l("– not in the file –"))] + [(i, h or f"#{i + 1}") for i, h in enumerate(headers)]
        for key in self.COLUMNS:
            getattr(self, key).choices = choices
        self.default_language.choices = language_choices()

    def mapping(self) -> dict:
        return {key: getattr(self, key).data for key in self.COLUMNS}


class MailingForm(InputLimits, FlaskForm):
    channel = SelectField(_l("Channel"))
    count = IntegerField(_l("How many"), default=0,
                         validators=[InputRequired(), NumberRange(min=0, message=_l("The count cannot be negative.")),
                                     NumberRange(max=1_000_000, message=_l("From 0 to 1 000 000."))])
    sent_on = StrictDateField(_l("Sent or started on"), validators=[Optional()])
    stop_on = StrictDateField(_l("Stopped on (enclosures)"), validators=[Optional()],
                              description=_l("Empty: a week before the meeting."))
    cost = MoneyField(_l("Cost (NOK)"), validators=[Optional()])
    done_by = StringField(_l("Done by"), validators=[Optional(), Length(max=120)])
    languages = LanguagesField(_l("Languages"))

    def validate_stop_on(self, field):
        if field.data and self.sent_on.data and field.data < self.sent_on.data:
            raise ValidationError(_l("The stop date is before the start date."))


class RegistrationForm(InputLimits, FlaskForm):
    """Quick entry from reply slips and phone calls: every field reachable with Tab, Enter saves."""

    channel = SelectField(_l("Channel"))
    adults = IntegerField(_l("Adults"), default=1,
                          validators=[InputRequired(), NumberRange(min=0, max=50, message=_l("Between 0 and 50."))])
    children = IntegerField(_l("Children"), default=0,
                            validators=[InputRequired(), NumberRange(min=0, max=50, message=_l("Between 0 and 50."))])
    interpreter_language = SelectField(_l("Interpreter needed in"))
    childcare_needed = BooleanField(_l("Childcare needed"))
    dietary = StringField(_l("Food needs"), validators=[Optional(), Length(max=200)])
    came = BooleanField(_l("Came"))
    #: Only offered to confidential members; anyone else registers anonymously. A name or phone
    #: number that finds one contact (a search field: a list of every contact would be thousands long).
    contact = StringField(_l("Contact (optional): name or phone"), validators=[Optional(), Length(max=200)])


class PosterLocationForm(InputLimits, FlaskForm):
    name = StringField(_l("Place"), validators=[DataRequired(), Length(max=120)])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    contact = StringField(_l("Ask / where exactly"), validators=[Optional(), Length(max=200)],
                          description=_l("Who gives permission, which notice board"))
    priority = IntegerField(_l("Priority"), default=1, description=_l("1 is the most important"),
                            validators=[InputRequired(), NumberRange(min=1, max=99, message=_l("From 1 to 99."))])
    active = BooleanField(_l("In use"), default=True)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class PosterHangingForm(InputLimits, FlaskForm):
    location = SelectField(_l("Place"), coerce=int)
    count = IntegerField(_l("How many posters"), default=1,
                         validators=[InputRequired(), NumberRange(min=0, max=500, message=_l("From 0 to 500."))])
    hung_on = StrictDateField(_l("Hung on"), validators=[Optional()])
    hung_by = StringField(_l("Hung by"), validators=[Optional(), Length(max=120)])
    languages = LanguagesField(_l("Languages"))
