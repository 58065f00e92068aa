"""«Are you sure?» for destructive buttons, with and without JavaScript.

A destructive form carries ``confirm=ask`` and its question (``confirm_question``; the ``post_button``
macro writes both). With JavaScript, app.js asks in a ``<dialog>`` and sends ``confirm=yes``; without
it, the POST arrives still asking, and this hook answers with a page that asks the question and
repeats the POST with ``confirm=yes``. Requests without the field (the CLI, tests, API clients)
are not asked: the confirmation protects a click, it is not an access rule.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from .validation import clean_text

#: Fields of the first POST not repeated on the confirmation page's form.
_NOT_REPEATED = {"csrf_token", "confirm", "confirm_question"}


def _back_url() -> str | None:
    """Where «Cancel» goes: the page the button was on, when it is this site's."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc and parts.netloc != request.host:
        return None
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def ask_first():
    """before_request: a destructive POST that was not confirmed in the browser is confirmed on a page."""
    if request.method != "POST" or request.form.get("confirm") != "ask":
        return None
    if not getattr(current_user, "is_authenticated", False):
        return None
    question = clean_text(request.form.get("confirm_question") or "").strip()[:300] or _("Are you sure?")
    fields = [(key, value) for key, value in request.form.items(multi=True) if key not in _NOT_REPEATED]
    return render_template("core/confirm.html", question=question, action=request.full_path.rstrip("?"),
                           fields=fields, back=_back_url())


def init_app(app) -> None:
    app.before_request(ask_first)
