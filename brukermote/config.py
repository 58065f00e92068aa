"""Settings read from the environment (12-factor), with defaults that run embedded.

Nothing here needs a server: with no environment at all the app runs on a SQLite file in
``instance/``, queues background work in a SQLite-backed huey, and "sends" SMS to the log.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

#: The repository root: templates/, printables/ and migrations/ live beside the package.
PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _instance_path() -> Path:
    return Path(os.environ.get("BRUKERMOTE_INSTANCE_PATH", PROJECT_ROOT / "instance")).resolve()


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in instance/."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    instance.mkdir(parents=True, exist_ok=True)
    key_file = instance / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
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
        "BABEL_DEFAULT_LOCALE": "nb",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("TIMEZONE", "Europe/Oslo"),
        "UI_LOCALES": ["nb", "en"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": os.environ.get("RATELIMIT_STORAGE_URI")
        or (os.environ["REDIS_URL"] if os.environ.get("REDIS_URL") else "memory://"),
        "RATELIMIT_ENABLED": _bool("RATELIMIT_ENABLED", True),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT", "10 per minute"),
        # Public sign-up and feedback forms: per client address, no CAPTCHA. Generous per hour because a
        # whole meeting room may share one address (the venue's Wi-Fi) when the feedback QR is scanned.
        "PUBLIC_FORM_RATE_LIMIT": os.environ.get("PUBLIC_FORM_RATE_LIMIT", "10 per minute;100 per hour"),
        # Behind a reverse proxy, how many proxies set X-Forwarded-For (so limits see the client).
        "TRUSTED_PROXIES": int(os.environ.get("TRUSTED_PROXIES", "0") or 0),
        "HUEY_IMMEDIATE": _bool("HUEY_IMMEDIATE", False),
        "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,
    }
