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
    if os.environ.get("HUEY_BACKEND") == "memory":
        return MemoryHuey("brukermote", immediate=True)
    if os.environ.get("REDIS_URL"):
        return RedisHuey("brukermote", url=os.environ["REDIS_URL"])
    instance = Path(os.environ.get("BRUKERMOTE_INSTANCE_PATH", PROJECT_ROOT / "instance"))
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("brukermote", filename=str(instance / "huey.db"))


huey = _make_huey()
_worker_app = None


def _app():
    global _worker_app
    if _worker_app is None:
        from . import create_app

        _worker_app = create_app()
    return _worker_app


def app_task(**task_options):
    """Like ``huey.task`` but the function runs inside a Flask application context."""

    def decorator(fn):
        @wraps(fn)
        def inner(*args, **kwargs):
            if has_app_context():
                return fn(*args, **kwargs)
            with _app().app_context():
                return fn(*args, **kwargs)

        return huey.task(**task_options)(inner)

    return decorator


def app_periodic_task(validate_datetime, **task_options):
    def decorator(fn):
        @wraps(fn)
        def inner(*args, **kwargs):
            if has_app_context():
                return fn(*args, **kwargs)
            with _app().app_context():
                return fn(*args, **kwargs)

        return huey.periodic_task(validate_datetime, **task_options)(inner)

    return decorator


# The consumer imports only this module (``huey_consumer brukermote.tasks.huey``): import the domains'
# task modules here so it knows every task, including the SMS pass that runs every minute.
import brukermote.printing.services  # noqa: E402,F401
import brukermote.sms.tasks  # noqa: E402,F401
