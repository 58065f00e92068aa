"""The SMS templates, read once per request (``services.usable_template`` is asked for every
language and kind a page shows; scanning the table on each call cost a query each)."""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db
from .models import SmsTemplate

_REQUEST_KEY = "brukermote.sms_templates"


def templates_of_request(ensure_templates) -> dict | None:
    """Every template, loaded once per request: a page asks for the text of each language and kind
    (the warnings, the estimate), and scanning the table on every call cost a query each."""
    from flask import has_request_context, request

    if not has_request_context():
        return None
    cached = request.environ.get(_REQUEST_KEY)
    if cached is None:
        ensure_templates()
        cached = {(t.kind, t.language): t for t in db.session.scalars(sa.select(SmsTemplate))}
        request.environ[_REQUEST_KEY] = cached
    return cached


def forget() -> None:
    from flask import has_request_context, request

    if has_request_context():
        request.environ.pop(_REQUEST_KEY, None)
