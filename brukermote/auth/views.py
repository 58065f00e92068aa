from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from ..core.timeutil import utcnow
from ..extensions import db, limiter
from .access import admin_required, public
from .forms import LoginForm, ProfileForm, UserForm
from .models import User
from .services import UserError, create_user, find_by_email

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and not urlsplit(target).netloc and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("meetings.dashboard")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = find_by_email(form.email.data)
        if user is None or not user.is_active_member or not user.check_password(form.password.data):
            flash(_("Wrong e-mail or password."), "error")
        else:
            login_user(user, remember=form.remember.data)
            user.last_login_at = utcnow()
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
def profile():
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        current_user.name = form.name.data
        current_user.locale = form.locale.data
        if form.password.data:
            current_user.set_password(form.password.data)
        db.session.commit()
        flash(_("Your profile is saved."), "success")
        return redirect(url_for("auth.profile"))
    return render_template("auth/profile.html", form=form)


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
                    user.set_password(form.password.data)
            if user.id == current_user.id and not form.is_admin.data:
                form.is_admin.errors.append(_("You cannot remove your own administrator role."))
                raise UserError("")
            user.is_admin = form.is_admin.data
            user.is_confidential = form.is_confidential.data
            user.is_active_member = form.is_active_member.data
            user.locale = form.locale.data
            db.session.commit()
            flash(_("The user is saved."), "success")
            return redirect(url_for("auth.users"))
        except UserError as exc:
            db.session.rollback()
            if str(exc):
                form.email.errors.append(_("A user with this e-mail address already exists."))
    return render_template("auth/user_edit.html", form=form, user=user)
