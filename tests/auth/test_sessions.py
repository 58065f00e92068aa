"""Sessions that end when they should (issue 16), tried as an attacker with a copied cookie would:
a real server, real cookies, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import requests
import sqlalchemy as sa

from brukermote.auth.models import User, UserSession
from brukermote.auth.sessions import REMEMBER_COOKIE
from brukermote.core.timeutil import utcnow
from brukermote.extensions import db
from tests.conftest import PASSWORD, login, make_app, reset_database
from tests.live import LiveServer, signed_in

NEW_PASSWORD = "seven purple kites over Tromsø"


def _signed_in(browser: requests.Session, server: LiveServer) -> bool:
    response = browser.get(server.url + "/", allow_redirects=False, timeout=30)
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def _copy(browser: requests.Session, only: str | None = None) -> requests.Session:
    """Another computer holding a copy of the browser's cookies (or of one of them)."""
    thief = requests.Session()
    for cookie in browser.cookies:
        if only is None or cookie.name == only:
            thief.cookies.set(cookie.name, cookie.value, domain=cookie.domain, path=cookie.path)
    return thief


def _remembered(server: LiveServer, email: str) -> requests.Session:
    browser = requests.Session()
    response = browser.post(server.url + "/login", data={"email": email, "password": PASSWORD, "remember": "y"},
                            allow_redirects=False, timeout=30)
    assert response.status_code == 302
    return browser


def _sign_in_page(browser: requests.Session, server: LiveServer) -> str:
    return browser.get(server.url + "/login", timeout=30).text


def test_a_copied_session_cookie_is_signed_out_once_its_owner_signs_out(app, member_user):
    with LiveServer(app) as server:
        browser = signed_in(server, member_user.email)
        thief = _copy(browser)
        assert _signed_in(thief, server)  # a copy works while the session lives: the test can tell
        browser.post(server.url + "/logout", timeout=30)
        assert not _signed_in(browser, server)
        assert not _signed_in(thief, server)
        assert "økten ble avsluttet med en utlogging" in _sign_in_page(thief, server)


def test_changing_the_password_ends_every_other_session_and_token(app, member_user):
    with LiveServer(app) as server:
        here = signed_in(server, member_user.email)
        old_cookie_here = _copy(here)
        laptop = _remembered(server, member_user.email)
        stolen_token = _copy(laptop, only=REMEMBER_COOKIE)
        form = {"name": member_user.name, "locale": "nb", "password": NEW_PASSWORD}

        refused = here.post(server.url + "/profile", data={**form, "current_password": "not my password"}, timeout=30)
        assert "Nåværende passord er feil" in refused.text
        assert _signed_in(laptop, server)

        changed = here.post(server.url + "/profile", data={**form, "current_password": PASSWORD}, timeout=30)
        assert "Passordet er endret" in changed.text
        assert _signed_in(here, server)  # the browser that made the change goes on
        assert not _signed_in(laptop, server)
        assert "passordet til denne kontoen ble endret" in _sign_in_page(laptop, server)
        assert not _signed_in(stolen_token, server)
        assert not _signed_in(old_cookie_here, server)
    db.session.expire_all()
    assert db.session.get(User, member_user.id).check_password(NEW_PASSWORD)


def test_an_administrator_resetting_the_password_signs_the_member_out_everywhere(app, admin_user, member_user):
    with LiveServer(app) as server:
        member = _remembered(server, member_user.email)
        admin = signed_in(server, admin_user.email)
        response = admin.post(f"{server.url}/users/{member_user.id}", data={
            "email": member_user.email, "name": member_user.name, "password": NEW_PASSWORD, "locale": "nb",
            "is_active_member": "y"}, allow_redirects=False, timeout=30)
        assert response.status_code == 302
        assert not _signed_in(member, server)
        assert not _signed_in(_copy(member, only=REMEMBER_COOKIE), server)
        assert _signed_in(admin, server)


def test_deactivating_an_account_signs_it_out_at_once(app, admin_user, member_user):
    with LiveServer(app) as server:
        member = _remembered(server, member_user.email)
        token_only = _copy(member, only=REMEMBER_COOKIE)
        admin = signed_in(server, admin_user.email)
        response = admin.post(f"{server.url}/users/{member_user.id}", data={
            "email": member_user.email, "name": member_user.name, "password": "", "locale": "nb"},
            allow_redirects=False, timeout=30)
        assert response.status_code == 302
        assert not _signed_in(member, server)
        assert "denne kontoen er deaktivert" in _sign_in_page(member, server)
        assert not _signed_in(token_only, server)


def test_a_stolen_remember_token_is_worthless_after_sign_out_everywhere(app, member_user):
    with LiveServer(app) as server:
        laptop = _remembered(server, member_user.email)
        office = signed_in(server, member_user.email)
        thief = _copy(laptop, only=REMEMBER_COOKIE)
        assert _signed_in(thief, server)  # the token alone signs in: that is what it is for

        page = office.get(server.url + "/profile", timeout=30).text
        assert page.count(">Logg ut</button>") == 3  # the laptop, the thief's session, this browser
        office.post(server.url + "/profile/sessions/end-all", timeout=30)

        for browser in (laptop, office, thief, _copy(laptop, only=REMEMBER_COOKIE)):
            assert not _signed_in(browser, server)


def test_signing_out_one_device_from_the_profile_page(app, admin_user, member_user):
    with LiveServer(app) as server:
        office = signed_in(server, member_user.email)
        home = _remembered(server, member_user.email)
        home_id = db.session.scalar(sa.select(UserSession.id).where(UserSession.remember_hash.is_not(None)))
        office.post(f"{server.url}/profile/sessions/{home_id}/end", timeout=30)
        assert not _signed_in(home, server)
        assert not _signed_in(_copy(home, only=REMEMBER_COOKIE), server)
        assert _signed_in(office, server)
        # Another member's device is not one's own to end.
        admin = signed_in(server, admin_user.email)
        admin_id = db.session.scalar(sa.select(UserSession.id).where(UserSession.user_id == admin_user.id))
        refused = office.post(f"{server.url}/profile/sessions/{admin_id}/end", allow_redirects=False, timeout=30)
        assert refused.status_code == 404
        assert _signed_in(admin, server)


def test_keep_me_signed_in_is_random_hashed_rotated_and_lasts_thirty_days(app, member_user):
    with LiveServer(app) as server:
        first, second = _remembered(server, member_user.email), _remembered(server, member_user.email)
        tokens = [first.cookies.get(REMEMBER_COOKIE), second.cookies.get(REMEMBER_COOKIE)]
        assert tokens[0] and tokens[1] and tokens[0] != tokens[1]
        assert "remember_token" not in first.cookies  # Flask-Login's year-long cookie is gone
        cookie = next(c for c in first.cookies if c.name == REMEMBER_COOKIE)
        days = (cookie.expires - utcnow().timestamp()) / 86400
        assert 29.9 < days <= 30
        assert cookie.has_nonstandard_attr("HttpOnly")
        stored = " ".join(str(v) for row in db.session.execute(sa.select(UserSession)).scalars()
                          for v in (row.sid_hash, row.remember_hash))
        assert tokens[0] not in stored and tokens[1] not in stored

        # The browser closed (session cookie gone): the token signs in again and is replaced.
        restarted = _copy(first, only=REMEMBER_COOKIE)
        assert _signed_in(restarted, server)
        rotated = restarted.cookies.get(REMEMBER_COOKIE)
        assert rotated and rotated != tokens[0]
        assert _signed_in(restarted, server)
        # The replaced value is spent.
        assert not _signed_in(_copy(first, only=REMEMBER_COOKIE), server)


def test_a_forged_flask_login_remember_cookie_signs_nobody_in(app, client, member_user):
    from flask_login.utils import encode_cookie

    with app.test_request_context():
        legacy = encode_cookie(str(member_user.id))
    client.set_cookie("remember_token", legacy)
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 302
    assert "remember_token=;" in " ".join(response.headers.getlist("Set-Cookie"))  # and it is deleted


def test_behind_https_every_cookie_is_secure_and_hsts_is_sent(database_url):
    app = make_app(database_url, SESSION_COOKIE_SECURE=True)
    reset_database(app)
    with app.app_context():
        from brukermote.auth.services import create_user

        create_user("m@example.org", "M", PASSWORD)
        db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": "m@example.org", "password": PASSWORD, "remember": "y"})
    cookies = response.headers.getlist("Set-Cookie")
    remember = next(c for c in cookies if c.startswith(REMEMBER_COOKIE + "="))
    session_cookie = next(c for c in cookies if c.startswith("session="))
    for cookie in (remember, session_cookie):
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    plain = make_app(database_url).test_client().get("/login")
    assert "Strict-Transport-Security" not in plain.headers


def test_an_idle_session_expires_and_the_sign_in_page_says_why(app, client, member_user):
    assert login(client, member_user.email).status_code == 302
    assert client.get("/").status_code == 200
    db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - dt.timedelta(hours=8, minutes=2)))
    db.session.commit()
    response = client.get("/")
    assert response.status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert "Du ble logget ut fordi du ikke hadde vært aktiv på 8 timer" in page
    # Seven hours of quiet are fine.
    assert login(client, member_user.email).status_code == 302
    db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - dt.timedelta(hours=7)))
    db.session.commit()
    assert client.get("/").status_code == 200


def test_an_idle_session_kept_signed_in_continues_with_a_new_token(app, member_user):
    with LiveServer(app) as server:
        browser = _remembered(server, member_user.email)
        token = browser.cookies.get(REMEMBER_COOKIE)
        db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - dt.timedelta(days=3)))
        db.session.commit()
        assert _signed_in(browser, server)
        assert browser.cookies.get(REMEMBER_COOKIE) != token


def test_the_idle_limit_is_configurable(database_url):
    app = make_app(database_url, SESSION_IDLE_MINUTES=15)
    reset_database(app)
    with app.app_context():
        from brukermote.auth.services import create_user

        create_user("m@example.org", "M", PASSWORD)
        db.session.commit()
        client = app.test_client()
        assert login(client, "m@example.org").status_code == 302
        db.session.execute(sa.update(UserSession).values(last_seen_at=utcnow() - dt.timedelta(minutes=16)))
        db.session.commit()
        assert client.get("/").status_code == 302
        assert "aktiv på 15 minutter" in client.get("/login").get_data(as_text=True)
        db.session.remove()


def test_the_command_line_signs_a_member_out_everywhere(app, client, runner, member_user):
    assert login(client, member_user.email).status_code == 302
    result = runner.invoke(args=["user", "sign-out", "Member@example.org"])
    assert result.exit_code == 0, result.output
    assert "1 session" in result.output
    assert client.get("/").status_code == 302
    assert runner.invoke(args=["user", "sign-out", "nobody@example.org"]).exit_code != 0
