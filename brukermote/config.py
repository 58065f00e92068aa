"""Settings read from the environment (12-factor), with defaults that run embedded.

Nothing here needs a server: with no environment at all the app runs on a SQLite file in
``instance/``, queues background work in a SQLite-backed huey, and "sends" SMS to the log.
"""

from __future__ import annotations

import os
import secrets
import sys
import time
from pathlib import Path

#: The repository root: templates/, printables/ and migrations/ live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _instance_path() -> Path:
    return Path(os.environ.get("BRUKERMOTE_INSTANCE_PATH", PROJECT_ROOT / "instance")).resolve()


class ConfigError(RuntimeError):
    """A setting the app cannot start without; the message says what to set."""


def production() -> bool:
    """``BRUKERMOTE_ENV`` or ``FLASK_ENV`` is "production", or the app runs under gunicorn."""
    if "production" in {os.environ.get(name, "").strip().lower() for name in ("BRUKERMOTE_ENV", "FLASK_ENV")}:
        return True
    return "gunicorn" in os.environ.get("SERVER_SOFTWARE", "").lower() or "gunicorn" in sys.modules


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment; else (not in production) one generated once into instance/.

    Several workers starting at once (``gunicorn -w 4``, the huey consumer) must agree on one key, or
    sessions and CSRF tokens signed by one are refused by the others. Each writes its candidate to a
    file of its own and links it to ``secret_key`` (a hard link fails if the name exists): the first
    link wins and everyone reads the winner's key, which is never seen half-written or empty.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if production():
        raise ConfigError(
            "SECRET_KEY is not set. In production every worker must sign sessions with the same key: "
            "set the SECRET_KEY environment variable to a long random value, e.g. the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`.")
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    for _attempt in range(200):
        try:
            key = key_file.read_text().strip()
        except FileNotFoundError:
            key = _create_key_file(key_file)
        if key:
            return key
        time.sleep(0.01)  # only a filesystem without hard links ever shows the file before its key
    raise ConfigError(f"{key_file} is empty. Delete it (a new key is made) or set SECRET_KEY.")


def _create_key_file(key_file: Path) -> str:
    """Make ``key_file`` with a new key unless another process got there first; return what it holds."""
    candidate = key_file.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(8)}")
    fd = os.open(candidate, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32))
        handle.flush()
        os.fsync(handle.fileno())
    try:
        os.link(candidate, key_file)  # atomic, and fails if the name exists: the first writer wins
    except FileExistsError:
        pass
    except OSError:
        # No hard links here (some network or FAT file systems): O_EXCL still lets only one create it.
        try:
            fd = os.open(key_file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(candidate.read_text())
    finally:
        candidate.unlink(missing_ok=True)
    return key_file.read_text().strip()


def _database_url(instance: Path) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return f"sqlite:///{instance / 'brukermote.db'}"
    # Heroku-style URLs name the driver "postgres"; SQLAlchemy wants psycopg 3 spelled out.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _hours(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        hours = float(raw.replace(",", "."))
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number of hours.") from None
    if not hours > 0:
        raise ConfigError(f"{name} must be more than 0 hours, not {raw!r}.")
    return hours


def load_config() -> dict:
    instance = _instance_path()
    instance.mkdir(parents=True, exist_ok=True)
    return {
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": _secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "TIMEZONE": os.environ.get("TIMEZONE", "Europe/Oslo"),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Background mail merges in a forked child process: the worker's memory goes back after each.
        "JOBS_IN_CHILD_PROCESS": _bool("JOBS_IN_CHILD_PROCESS", True),
        # Hours a finished mail merge with names and addresses stays on disk (the worker deletes it after).
        "JOB_PERSONAL_RESULT_HOURS": _hours("JOB_PERSONAL_RESULT_HOURS", 24),
        "BABEL_DEFAULT_LOCALE": "nb",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Europe/Oslo"),
        "UI_LOCALES": ["nb", "en"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        # A signed-in browser left alone this long is signed out (unless "keep me signed in").
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "480") or 480),
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or (os.environ["REDIS_URL"] if os.environ.get("REDIS_URL") else "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Failed sign-ins per account (any address), counted by every worker alike.
        "LOGIN_ACCOUNT_RATE_LIMIT": os.environ.get("LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes"),
        # Public sign-up and feedback forms: per client address, no CAPTCHA. Generous per hour because a
        # whole meeting room may share one address (the venue's Wi-Fi) when the feedback QR is scanned.
        "PUBLIC_FORM_RATE_LIMIT": os.environ.get("PUBLIC_FORM_RATE_LIMIT", "10 per minute;100 per hour"),
        # Behind a reverse proxy, how many proxies set X-Forwarded-For (so limits see the client).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0") or 0),
        "HUEY_IMMEDIATE": _bool("HUEY_IMMEDIATE", False),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    }
