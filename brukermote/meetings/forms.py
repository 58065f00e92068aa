from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from ..core.forms import EnumSelectField, LanguagesField, MoneyField, StrictDateField, StrictTimeField
from ..core.validation import InputLimits
from .models import BudgetCategory, ChecklistPhase, MeetingType, ProgrammeKind

TOPIC_MAX = 200


class VenueForm(InputLimits, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    name_en = StringField(_l("Name in English"), validators=[Optional(), Length(max=120)],
                          description=_l("For reports in English; leave empty if the name stays the same"))
    address = StringField(_l("Address"), validators=[Optional(), Length(max=300)])
    transport = StringField(_l("Public transport"), validators=[Optional(), Length(max=300)],
                            description=_l("E.g. «Metro line 5 to Veitvet, 3 minutes' walk»"))
    step_free = BooleanField(_l("Step-free access"))
    capacity = IntegerField(_l("Capacity (people)"), validators=[
        Optional(), NumberRange(min=0, message=_l("The capacity cannot be negative.")),
        NumberRange(max=100_000, message=_l("The capacity must be between 0 and 100 000."))])
    rental_cost = MoneyField(_l("Rental cost (NOK)"), validators=[Optional()])
    is_neutral = BooleanField(_l("Neutral place (not a NAV office)"), default=True)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class MeetingForm(InputLimits, FlaskForm):
    version = HiddenField()
    type = EnumSelectField(_l("Type"), choices=MeetingType.choices(), validators=[DataRequired()])
    topic = StringField(
        _l("Topic"),
        validators=[DataRequired(), Length(max=TOPIC_MAX, message=_l("The topic can be at most %(max)d characters."))],
    )
    description = TextAreaField(_l("Short description"), validators=[Optional(), Length(max=2000)])
    day = StrictDateField(_l("Date"), validators=[InputRequired(message=_l("Choose a date."))])
    start = StrictTimeField(_l("Starts"), validators=[InputRequired(message=_l("Give a start time."))])
    end = StrictTimeField(_l("Ends"), validators=[InputRequired(message=_l("Give an end time."))])
    venue_id = SelectField(_l("Venue"), coerce=lambda v: int(v) if v not in (None, "", "None") else None)
    catering = StringField(_l("Food and drink"), validators=[Optional(), Length(max=200)],
                           description=_l("E.g. «halal pizza» or «fruit and biscuits»"))
    catering_halal = BooleanField(_l("Halal"))
    catering_vegetarian = BooleanField(_l("Vegetarian option"))
    childcare = BooleanField(_l("Childcare offered"))
    target_languages = LanguagesField(_l("Languages of printed material"))
    interpreter_languages = LanguagesField(_l("Interpreter languages"))

    def validate_version(self, field):
        # Sent back by the page as it was given; anything else is a forged or broken request.
        if field.data and not str(field.data).isdigit():
            raise ValidationError(_("The form is out of date. Open the meeting again."))

    def validate_end(self, field):
        if self.start.data and field.data and field.data <= self.start.data:
            raise ValidationError(_("The meeting must end after it starts."))


class CancelForm(InputLimits, FlaskForm):
    reason = StringField(_l("Reason (shown to participants)"), validators=[DataRequired(), Length(max=500)])


class StatusForm(InputLimits, FlaskForm):
    status = HiddenField(validators=[DataRequired()])


class CopyForm(InputLimits, FlaskForm):
    day = StrictDateField(_l("Date of the new meeting"), validators=[InputRequired(message=_l("Choose a date."))])


class ProgrammeItemForm(InputLimits, FlaskForm):
    kind = EnumSelectField(_l("Kind"), choices=ProgrammeKind.choices())
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    speaker_id = SelectField(_l("Speaker"), coerce=lambda v: int(v) if v not in (None, "", "None") else None)
    minutes = IntegerField(
        _l("Minutes"),
        validators=[InputRequired(), NumberRange(min=0, max=600, message=_l("Between 0 and 600 minutes."))],
        default=10,
    )


class SpeakerForm(InputLimits, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    is_internal = BooleanField(_l("Internal (from the office or the college)"), default=True)
    contact = StringField(_l("Phone or e-mail"), validators=[Optional(), Length(max=200)])
    told_about_interpreters = BooleanField(_l("Told how to speak through interpreters"))
    brings_brochures = BooleanField(_l("Brings brochures"))
    fee = MoneyField(_l("Fee (NOK)"), validators=[Optional()])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


class BudgetForm(InputLimits, FlaskForm):
    """One estimated/actual pair per budget category (fields added below)."""


# One estimated/actual pair per category, added as attributes so the template can loop.
for _category in BudgetCategory:
    setattr(BudgetForm, f"{_category.value}_estimated", MoneyField(_category.title, validators=[Optional()]))
    setattr(BudgetForm, f"{_category.value}_actual", MoneyField(_category.title, validators=[Optional()]))


class TaskForm(InputLimits, FlaskForm):
    title = StringField(_l("Task"), validators=[DataRequired(), Length(max=200)])
    phase = EnumSelectField(_l("When"), choices=ChecklistPhase.choices())
    offset_days = IntegerField(
        _l("Days relative to the meeting"),
        validators=[InputRequired(), NumberRange(min=-365, max=365)],
        default=-7,
        description=_l("Negative: before the meeting; 0: the day; positive: after."),
    )


class TaskEditForm(TaskForm):
    """A task corrected from the checklist: what, when and who."""

    assignee_id = SelectField(_l("Responsible"), coerce=lambda v: int(v) if v not in (None, "", "None") else None,
                              validate_choice=False)


class AssignForm(InputLimits, FlaskForm):
    assignee_id = SelectField(_l("Responsible"), coerce=lambda v: int(v) if v not in (None, "", "None") else None)


class ChecklistTemplateForm(TaskForm):
    active = BooleanField(_l("New meetings get this task"), default=True)
