from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..core.forms import DecimalCommaField
from ..core.validation import InputLimits


class MarkUploadForm(InputLimits, FlaskForm):
    file = FileField(_l("File (PNG, JPEG, PDF or SVG)"), validators=[FileRequired(_l("Choose a file."))])


class MarkSettingsForm(InputLimits, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    required = BooleanField(_l("Required on every printed document"))
    min_width_mm = DecimalCommaField(_l("Smallest printed width (mm)"), places=1,
                                validators=[DataRequired(), NumberRange(min=1, max=200)])
    required_colour = StringField(_l("Required colour (#RRGGBB, empty for any)"),
                                  validators=[Optional(), Regexp(r"^#[0-9A-Fa-f]{6}$", message=_l("Use the form #C30000."))])


class PhraseReviewForm(InputLimits, FlaskForm):
    # Who approved is the signed-in reviewer (auth.capabilities), never a typed name.
    text = TextAreaField(_l("Approved text"), validators=[DataRequired(), Length(max=2000)])


class MeetingTextForm(InputLimits, FlaskForm):
    topic = StringField(_l("Topic"), validators=[Optional(), Length(max=300)])
    description = TextAreaField(_l("Short description"), validators=[Optional(), Length(max=3000)])
    translator = StringField(_l("Translated by"), validators=[Optional(), Length(max=120)])
    approve = BooleanField(_l("I read this language fluently and approve this translation"))


class GlossaryTermForm(InputLimits, FlaskForm):
    term = StringField(_l("Norwegian terms, comma-separated"), validators=[DataRequired(), Length(max=200)])
    source_terms = StringField(_l("English source words, comma-separated"), validators=[Optional(), Length(max=200)])
    note = TextAreaField(_l("Note for translators"), validators=[Optional(), Length(max=3000)])


class GlossaryRenderingForm(InputLimits, FlaskForm):
    language = SelectField(_l("Language"))
    rendering = StringField(_l("Approved rendering"), validators=[DataRequired(), Length(max=500)])
    note = StringField(_l("What to avoid"), validators=[Optional(), Length(max=500)])
    approved = BooleanField(_l("Approved by a fluent reader"), default=True)


class PrintForm(InputLimits, FlaskForm):
    document = SelectField(_l("Document"))
    language = SelectField(_l("Language"))
    size = SelectField(_l("Size"), validators=[Optional()])
    with_nb = BooleanField(_l("Norwegian alongside"))
