"""A live server on 127.0.0.1 and Debian's Chromium driven by Playwright (no browser downloads)."""

from __future__ import annotations

import shutil
import uuid

import pytest

from brukermote.extensions import db
from tests.conftest import _INSTANCE, PASSWORD, make_app, reset_database
from tests.live import LiveServer

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        pytest.fail("Debian's chromium package is missing; `make test` installs it (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def live_app():
    app = make_app(f"sqlite:///{_INSTANCE / f'browser-{uuid.uuid4().hex}.db'}", WTF_CSRF_ENABLED=True,
                   PUBLIC_BASE_URL="http://127.0.0.1")
    reset_database(app)
    with app.app_context():
        yield app
        db.session.remove()


@pytest.fixture
def live_server(live_app):
    with LiveServer(live_app) as server:
        yield server


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def sign_in(page, live_server, email, password=PASSWORD):
    page.goto(live_server.url + "/login")
    page.get_by_label("E-post").fill(email)
    page.get_by_label("Passord").fill(password)
    page.get_by_role("button", name="Logg inn").click()
