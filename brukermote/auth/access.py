"""Who may reach what: every endpoint requires sign-in unless it is marked public."""

from __future__ import annotations

from functools import wraps

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user


def public(view):
    """Mark a view as reachable without signing in (participants' pages, webhooks, feeds)."""
    view.is_public = True
    return view


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def confidential_required(view):
    """Only members bound by professional secrecy may see participants' personal data."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated or not current_user.is_confidential:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def require_login_unless_public():
    """before_request hook: the default is closed; a view must opt in to being public."""
    if request.endpoint is None:
        return None  # 404s are handled by the error page
    if request.endpoint == "static":
        return None
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and getattr(view, "is_public", False):
        return None
    if current_user.is_authenticated:
        return None
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))
