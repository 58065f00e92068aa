from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user

from ..core.timeutil import utcnow
from ..extensions import db
from . import capabilities, sessions, throttle
from .access import admin_required, public
from .forms import LoginForm, ProfileForm, UserForm
from .models import User, UserSession
from .services import (
    UserError,
    authenticate,
    change_own_password,
    create_user,
    find_by_email,
    reset_password,
    set_active,
    sign_out_everywhere,
)
from .sessions import EndReason

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("meetings.dashboard")


def _signed_out_message(reason: str | None) -> str | None:
    """Why this browser is no longer signed in, for the sign-in page."""
    if reason == EndReason.idle:
        return _("You were signed out because you had been inactive for %(time)s.",
                 time=format_timedelta(sessions.idle_limit()))
    if reason == EndReason.password:
        return _("You were signed out because the password of this account was changed.")
    if reason == EndReason.deactivated:
        return _("You were signed out because this account has been deactivated.")
    if reason == EndReason.expired:
        return _("You were signed out because \"Keep me signed in\" lasts at most %(n)d days.",
                 n=sessions.REMEMBER_DAYS)
    if reason in (EndReason.logout, EndReason.device, EndReason.everywhere):
        return _("You were signed out: this session was ended by signing out, here or on another device.")
    return None


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    notice = _signed_out_message(session.pop(sessions.REASON_KEY, None))
    if form.validate_on_submit():
        wait = throttle.refused(form.email.data)
        if wait:
            flash(_("Too many attempts to sign in. Try again in %(time)s.",
                    time=format_timedelta(dt.timedelta(seconds=wait))), "error")
            return render_template("auth/login.html", form=form, notice=notice), 429
        user = authenticate(form.email.data, form.password.data)
        throttle.attempted(form.email.data, failed=user is None)
        if user is None:
            db.session.commit()  # the attempt counts for every worker
            flash(_("Wrong e-mail or password."), "error")
        else:
            sessions.start(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form, notice=notice)


@bp.route("/logout", methods=["POST"])
def logout():
    sessions.sign_out_here(EndReason.logout)
    db.session.commit()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user.name = form.name.data
        user.locale = form.locale.data
        if form.password.data:
            try:
                change_own_password(user, form.current_password.data or "", form.password.data)
            except UserError:
                db.session.rollback()
                form.current_password.errors.append(_("The current password is wrong."))
                return _profile_page(form)
            # Every session ended, this one too; the browser that made the change goes on in a new one.
            remembered = sessions.current() is not None and sessions.current().remember_until is not None
            sessions.start(user, remember=remembered)
            db.session.commit()
            flash(_("Your password is changed. You are signed out on every other device."), "success")
            return redirect(url_for("auth.profile"))
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.profile"))
    return _profile_page(form)


def _profile_page(form):
    return render_template("auth/profile.html", form=form, devices=sessions.live_sessions(current_user),
                           this_session=sessions.current())


@bp.route("/profile/sessions/<int:session_id>/end", methods=["POST"])
def end_session(session_id: int):
    record = db.session.get(UserSession, session_id)
    if record is None or record.user_id != current_user.id:
        abort(404)
    if record is sessions.current():
        sessions.sign_out_here(EndReason.device)
        db.session.commit()
        flash(_("You are signed out."), "info")
        return redirect(url_for("auth.login"))
    sessions.end(record, EndReason.device)
    db.session.commit()
    flash(_("That device is signed out."), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/profile/sessions/end-all", methods=["POST"])
def end_all_sessions():
    user = current_user._get_current_object()
    sign_out_everywhere(user)
    sessions.sign_out_here(EndReason.everywhere)
    db.session.commit()
    flash(_("You are signed out on every device, this one too."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile/calendar-token", methods=["POST"])
def rotate_calendar_token():
    import secrets

    current_user.calendar_token = secrets.token_urlsafe(32)
    db.session.commit()
    flash(_("Your private calendar link was replaced. The old link no longer works."), "success")
    return redirect(url_for("auth.profile"))


@bp.route("/users")
@admin_required
def users():
    rows = db.session.scalars(sa.select(User).order_by(User.name)).all()
    return render_template("auth/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int | None = None):
    user = db.session.get(User, user_id) if user_id else None
    if user_id and user is None:
        abort(404)
    form = UserForm(obj=user)
    if form.validate_on_submit():
        try:
            if user is None:
                if not form.password.data:
                    form.password.errors.append(_("A new user needs a password."))
                    raise UserError("")
                user = create_user(
                    form.email.data, form.name.data, form.password.data,
                    admin=form.is_admin.data, confidential=form.is_confidential.data,
                )
            else:
                other = find_by_email(form.email.data)
                if other is not None and other.id != user.id:
                    form.email.errors.append(_("Another user has this e-mail address."))
                    raise UserError("")
                user.email = form.email.data.strip().lower()
                user.name = form.name.data
                if form.password.data:
                    reset_password(user, form.password.data)  # signs the member out everywhere
                    if user.id == current_user.id:
                        sessions.start(user)  # ... except in the browser that made the change
            if user.id == current_user.id and not form.is_admin.data:
                form.is_admin.errors.append(_("You cannot remove your own administrator role."))
                raise UserError("")
            user.is_admin = form.is_admin.data
            user.is_confidential = form.is_confidential.data
            if user.id == current_user.id and not form.is_active_member.data:
                form.is_active_member.errors.append(_("You cannot deactivate your own account."))
                raise UserError("")
            set_active(user, form.is_active_member.data)  # deactivating ends every session
            user.locale = form.locale.data
            capabilities.apply_form(user, request.form, by=current_user)  # audited
            db.session.commit()
            flash(_("The user is saved."), "success")
            return redirect(url_for("auth.users"))
        except UserError as exc:
            db.session.rollback()
            if str(exc):
                form.email.errors.append(_("A user with this e-mail address already exists."))
    return render_template("auth/user_edit.html", form=form, user=user,
                           caps=capabilities.form_context(user, request.form if request.method == "POST" else None))
