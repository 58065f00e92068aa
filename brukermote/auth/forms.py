from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from .services import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    remember = BooleanField(_l("Keep me signed in"))


class UserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200)],
        description=_l("At least %(n)d characters. Leave empty to keep the current password.", n=MIN_PASSWORD_LENGTH),
    )
    is_admin = BooleanField(_l("Administrator"))
    is_confidential = BooleanField(
        _l("Bound by professional secrecy (may see participants' personal data)")
    )
    is_active_member = BooleanField(_l("Active"), default=True)
    locale = SelectField(_l("Language"), choices=[("nb", "Norsk bokmål"), ("en", "English")])


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=[("nb", "Norsk bokmål"), ("en", "English")])
    password = PasswordField(
        _l("New password"), validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
