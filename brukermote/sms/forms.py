from __future__ import annotations

import datetime as dt

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ..core.forms import EnumSelectField, StrictTimeField
from ..core.validation import InputLimits
from .models import Audience, SendKind


class TemplateForm(InputLimits, FlaskForm):
    body = TextAreaField(_l("Text"), validators=[DataRequired(), Length(max=1600)],
                         description=_l("Placeholders: {topic} {date} {weekday} {time} {venue} {stop}"))
    approve = BooleanField(_l("I read this language and approve the wording"))


class ReminderForm(InputLimits, FlaskForm):
    days_before = IntegerField(_l("Days before the meeting"), default=2,
                               validators=[InputRequired(), NumberRange(min=0, max=60)])
    local_time = StrictTimeField(_l("At (Oslo time)"), default=dt.time(10, 0), validators=[InputRequired()])
    audience = EnumSelectField(_l("To"), choices=[c for c in Audience.choices() if c[0] not in ("reminded", "affected")],
                           default=Audience.consented.value)


class SendForm(InputLimits, FlaskForm):
    kind = EnumSelectField(_l("What"), choices=[c for c in SendKind.choices() if c[0] not in ("reminder", "opt_in")],
                       default=SendKind.manual.value)
    audience = EnumSelectField(_l("To"), choices=Audience.choices(), default=Audience.consented.value)
