from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from ..core.validation import InputLimits
from . import passwords
from .passwords import MIN_PASSWORD_LENGTH


def strong_password(form, field):
    """The rules of ``auth.passwords``, named in the member's language."""
    if not field.data:
        return
    problem = passwords.problem(field.data)
    if problem == "short":
        raise ValidationError(_l("The password must be at least %(n)d characters.", n=MIN_PASSWORD_LENGTH))
    if problem == "long":
        raise ValidationError(_l("The password must be at most %(n)d characters.", n=passwords.MAX_PASSWORD_LENGTH))
    if problem == "common":
        raise ValidationError(_l(
            "This password is too easy to guess: it is a common password, or a common word with digits or "
            "signs added, repeated, or a run like 1234567890. Choose a phrase of a few words."))


class LoginForm(InputLimits, FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in"))


class UserForm(InputLimits, FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=254)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=200), strong_password],
        description=_l("At least %(n)d characters, not a common password. Leave empty to keep the current "
                       "password. A new password signs the member out everywhere.", n=MIN_PASSWORD_LENGTH),
    )
    is_admin = BooleanField(_l("Administrator"))
    is_confidential = BooleanField(
        _l("Bound by professional secrecy (may see participants' personal data)")
    )
    is_active_member = BooleanField(_l("Active"), default=True)
    locale = SelectField(_l("Language"), choices=[("nb", "Norsk bokmål"), ("en", "English")])


class ProfileForm(InputLimits, FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=120)])
    locale = SelectField(_l("Language"), choices=[("nb", "Norsk bokmål"), ("en", "English")])
    current_password = PasswordField(
        _l("Current password"), validators=[Length(max=200)],
        description=_l("Needed to change the password."))
    password = PasswordField(
        _l("New password"), validators=[Optional(), Length(max=200), strong_password],
        description=_l("At least %(n)d characters, not a common password. Signs you out on your other devices.",
                       n=MIN_PASSWORD_LENGTH))
