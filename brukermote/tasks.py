"""Background work with huey: SQLite storage by default, Redis when REDIS_URL is set.

Start the consumer with ``huey_consumer brukermote.tasks.huey`` (``make worker``); ``make run``
starts one inside the development server. Each task runs inside an application context.
"""

from __future__ import annotations

import os
from functools import wraps
from pathlib import Path

from flask import has_app_context
from huey import MemoryHuey, RedisHuey, SqliteHuey

from .config import PROJECT_ROOT


def _make_huey():
    # HUEY_NAME keeps two installations (or test runs) sharing one Redis apart.
    name = os.environ.get("HUEY_NAME") or "brukermote"
    if os.environ.get("HUEY_BACKEND") == "memory":
        return MemoryHuey(name, immediate=True)
    if os.environ.get("REDIS_URL"):
        return RedisHuey(name, url=os.environ["REDIS_URL"])
    instance = Path(os.environ.get("BRUKERMOTE_INSTANCE_PATH", PROJECT_ROOT / "instance"))
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(name, filename=str(instance / "huey.db"))


huey = _make_huey()
_worker_app = None


def _app():
    global _worker_app
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
    return _worker_app


def _in_app_context(fn):
    """In a worker there is no app context: make one (the app is created once per worker)."""

    @wraps(fn)
    def inner(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        with _app().app_context():
            return fn(*args, **kwargs)

    return inner


def app_task(**task_options):
    """Like ``huey.task`` but the function runs inside a Flask application context."""
    return lambda fn: huey.task(**task_options)(_in_app_context(fn))


def app_periodic_task(validate_datetime, **task_options):
    """Like ``huey.periodic_task`` but the function runs inside a Flask application context."""
    return lambda fn: huey.periodic_task(validate_datetime, **task_options)(_in_app_context(fn))


# The consumer imports only this module (``huey_consumer brukermote.tasks.huey``): import the domains'
# task modules here so it knows every task, including the SMS pass that runs every minute and the
# expiry of mail merges holding names and addresses (every ten minutes).
import brukermote.core.tasks  # noqa: E402,F401
import brukermote.printing.services  # noqa: E402,F401
import brukermote.sms.tasks  # noqa: E402,F401
