from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.form import Form
from wtforms.validators import InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from ..core.forms import EnumSelectField, LanguagesField, StrictDateField, language_choices
from ..core.validation import InputLimits
from .counts import CountError, parse_count
from .models import FeedbackChannel

COUNT_HELP = _l("A number (18), a range (15–20) or about (ca. 20)")


class HeadCountField(Field):
    """Accepts «18», «15–20», «15-20», «ca. 20», «about 20»; keeps the text on error."""

    widget = TextInput()

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return self.data.plain() if self.data is not None else ""

    def process_formdata(self, valuelist):
        self.data = None
        if valuelist:
            try:
                self.data = parse_count(valuelist[0])
            except CountError as exc:
                raise ValueError(str(exc)) from None


class StaffForm(InputLimits, Form):
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=120)])
    count = HeadCountField(_l("Staff present"))


def _count(label, **kw):
    return IntegerField(label, default=0, validators=[
        InputRequired(), NumberRange(min=0, max=999, message=_l("From 0 to 999."))], **kw)


class AttendanceForm(InputLimits, FlaskForm):
    adults = HeadCountField(_l("Adults"), description=COUNT_HELP)
    children = HeadCountField(_l("Children"))
    people = HeadCountField(_l("Everyone (not counted apart)"),
                            description=_l("Only when adults and children were not counted separately"))
    walk_ins = _count(_l("Came without registering"))
    organisers = _count(_l("Organisers"))
    speakers = _count(_l("Speakers"))
    staff = FieldList(FormField(StaffForm), min_entries=3, max_entries=8)
    interpreted_languages = LanguagesField(_l("Languages actually interpreted"))
    interpreter_note = StringField(_l("About the interpreting"), validators=[Optional(), Length(max=300)],
                                   description=_l("E.g. «no interpreter; a caseworker translated to English»"))
    interpreter_note_en = StringField(_l("The same in English (for funders)"),
                                      validators=[Optional(), Length(max=300)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=5000)])


#: In the order of the faces on the printed form: the happiest (5) first.
RATING_CHOICES = [(str(n), str(n)) for n in range(5, 0, -1)]


class FeedbackForm(InputLimits, FlaskForm):
    """Entry from the paper forms: faces as 1–5, the three questions, language and how it was given."""

    rating = RadioField(_l("Face"), choices=[("", _l("none"))] + RATING_CHOICES, default="",
                        validators=[Optional()])
    useful = TextAreaField(_l("What was useful?"), validators=[Optional(), Length(max=5000)])
    missing = TextAreaField(_l("What was missing?"), validators=[Optional(), Length(max=5000)])
    topic_text = StringField(_l("Topic suggestion"), validators=[Optional(), Length(max=300)])
    language = SelectField(_l("Language"))
    channel = EnumSelectField(_l("Given"), choices=[c for c in FeedbackChannel.choices() if c[0] != "web"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()


class FollowUpForm(InputLimits, FlaskForm):
    action = TextAreaField(_l("What was done"), validators=[Optional(), Length(max=5000)])
    done_on = StrictDateField(_l("Done on"), validators=[Optional()])
    done_by = StringField(_l("Done by"), validators=[Optional(), Length(max=120)])


class TopicForm(InputLimits, FlaskForm):
    title = StringField(_l("Topic"), validators=[InputRequired(), Length(max=200)])
