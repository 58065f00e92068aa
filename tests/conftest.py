"""Fixtures: ``app``, ``client``, ``runner`` and signed-in clients, on SQLite and (when
TEST_DATABASE_URL is set) on PostgreSQL — every test that uses ``app`` runs on both."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

# Background work runs inline in tests unless a test starts a real consumer.
os.environ.setdefault("HUEY_BACKEND", "memory")
# Test users' passwords are hashed with the cheapest argon2id parameters (the production ones cost
# 64 MiB and tens of milliseconds per hash, at every user made and every sign-in);
# tests/auth/test_access.py proves production keeps the full ones. A test that needs the real cost
# sets it to "0" (worker processes it starts import this file too and keep that).
os.environ.setdefault("BRUKERMOTE_CHEAP_PASSWORD_HASH_FOR_TESTS", "1")
_INSTANCE = Path(tempfile.mkdtemp(prefix="brukermote-test-"))
os.environ["BRUKERMOTE_INSTANCE_PATH"] = str(_INSTANCE)

from brukermote import create_app  # noqa: E402
from brukermote.extensions import db  # noqa: E402

PASSWORD = "correct horse battery"


def _own_database(url: str) -> str:
    """Under pytest-xdist every worker empties and fills tables for its own tests: each gets its own
    PostgreSQL database next to the given one (``test`` → ``test_gw0``, ``test_gw1``), made if missing."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    import sqlalchemy as sa

    base = sa.engine.make_url(url)
    name = f"{base.database}_{worker}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            if not conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}):
                conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def _database_urls() -> list:
    urls = [pytest.param(f"sqlite:///{_INSTANCE / 'test.db'}", id="sqlite")]
    pg = os.environ.get("TEST_DATABASE_URL")
    if pg:
        if pg.startswith("postgresql://"):
            pg = "postgresql+psycopg://" + pg[len("postgresql://"):]
        pg = _own_database(pg)
        urls.append(pytest.param(pg, id="postgresql", marks=pytest.mark.postgres))
    return urls


_schema_ready: set[str] = set()


def make_app(url: str, **extra):
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "RATELIMIT_ENABLED": False,
        "SERVER_NAME": None,
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
    }
    config.update(extra)
    return create_app(config)


def reset_database(app) -> None:
    """Empty every table (fast on both databases) so each test starts clean."""
    with app.app_context():
        url = app.config["SQLALCHEMY_DATABASE_URI"]
        if url not in _schema_ready:
            db.drop_all()
            db.create_all()
            _schema_ready.add(url)
        with db.engine.begin() as conn:
            for table in reversed(db.metadata.sorted_tables):
                conn.execute(table.delete())


@pytest.fixture(params=_database_urls())
def database_url(request):
    return request.param


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    reset_database(app)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _user(email, admin=False, confidential=False, name=None):
    from brukermote.auth.services import create_user

    user = create_user(email, name or email.split("@")[0].title(), PASSWORD, admin=admin, confidential=confidential)
    db.session.commit()
    return user


@pytest.fixture
def admin_user(app):
    """An administrator bound by secrecy with every capability (reviewer of every language, SMS
    sender, printer of personal data), so tests of those features need no extra setup."""
    from brukermote.auth.capabilities import grant_all

    user = _user("admin@example.org", admin=True, confidential=True, name="Ada Admin")
    grant_all(user)
    db.session.commit()
    return user


@pytest.fixture
def member_user(app):
    return _user("member@example.org", name="Mona Member")


def login(client, email, password=PASSWORD):
    return client.post("/login", data={"email": email, "password": password}, follow_redirects=False)


@pytest.fixture
def admin_client(client, admin_user):
    response = login(client, admin_user.email)
    assert response.status_code == 302
    return client


@pytest.fixture
def member_client(client, member_user):
    response = login(client, member_user.email)
    assert response.status_code == 302
    return client


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)
