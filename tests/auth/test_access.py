"""Sign-in, roles, CSRF, and that nothing but the public pages is reachable anonymously."""

import re

import pytest

from brukermote.auth.models import CHEAP_HASH_FOR_TESTS, User, password_hasher
from brukermote.extensions import db
from tests.conftest import PASSWORD, csrf_from, login, make_app, reset_database


def test_password_is_hashed_with_argon2(app, admin_user):
    stored = db.session.get(User, admin_user.id).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_production_hashes_passwords_with_the_full_argon2id_parameters(monkeypatch):
    """The suite hashes with cheap parameters for speed; outside it, and in production even when the
    test switch is left set, a stored hash says 64 MiB, 3 passes, 4 lanes."""
    full = "$argon2id$v=19$m=65536,t=3,p=4$"
    monkeypatch.delenv(CHEAP_HASH_FOR_TESTS)
    hashed = password_hasher().hash(PASSWORD)
    assert hashed.startswith(full) and password_hasher().verify(hashed, PASSWORD)
    monkeypatch.setenv(CHEAP_HASH_FOR_TESTS, "1")
    monkeypatch.setenv("BRUKERMOTE_ENV", "production")
    assert password_hasher().hash(PASSWORD).startswith(full)
    monkeypatch.delenv("BRUKERMOTE_ENV")
    assert not password_hasher().hash(PASSWORD).startswith(full)  # the switch is what the suite uses


def test_sign_in_and_out(client, member_user):
    response = login(client, member_user.email)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/logout")
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, member_user):
    response = client.post("/login", data={"email": member_user.email, "password": "wrong password!"})
    assert response.status_code == 200
    assert "Feil e-post eller passord" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_deactivated_member_cannot_sign_in(client, member_user):
    member_user.is_active_member = False
    db.session.commit()
    login(client, member_user.email)
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite(client, member_user):
    response = login(client, member_user.email)
    cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def _walk_get_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        values = {arg: (1 if type(rule._converters.get(arg)).__name__ == "IntegerConverter" else "x")
                  for arg in rule.arguments}
        yield rule, view, values


def test_every_non_public_route_redirects_anonymous_users_to_sign_in(app, client):
    checked = 0
    with app.test_request_context():
        from flask import url_for

        routes = [(rule, view, url_for(rule.endpoint, **values)) for rule, view, values in _walk_get_routes(app)]
    for rule, view, url in routes:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method)
            if getattr(view, "is_public", False):
                assert response.status_code != 302 or "/login" not in response.headers.get("Location", ""), url
                continue
            assert response.status_code == 302, f"{method} {url} answered {response.status_code}"
            assert "/login" in response.headers["Location"]
            checked += 1
    assert checked > 30


def test_admin_pages_are_forbidden_to_members(member_client):
    for url in ("/users", "/users/new", "/settings", "/checklist-template"):
        assert member_client.get(url).status_code == 403, url


def test_admin_can_create_a_user_who_can_then_sign_in(admin_client, app):
    response = admin_client.post("/users/new", data={
        "email": "New.Person@Example.org", "name": "New Person", "password": "a long password",
        "locale": "nb", "is_active_member": "y", "is_confidential": "y",
    })
    assert response.status_code == 302
    user = db.session.scalar(db.select(User).where(User.email == "new.person@example.org"))
    assert user.is_confidential and not user.is_admin
    assert user.check_password("a long password")


def test_post_without_csrf_token_is_refused(database_url):
    app = make_app(database_url, WTF_CSRF_ENABLED=True)
    reset_database(app)
    with app.app_context():
        from brukermote.auth.services import create_user

        create_user("m@example.org", "M", PASSWORD)
        db.session.commit()
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = csrf_from(page)
    refused = client.post("/login", data={"email": "m@example.org", "password": PASSWORD})
    assert refused.status_code == 400
    accepted = client.post("/login", data={"email": "m@example.org", "password": PASSWORD, "csrf_token": token})
    assert accepted.status_code == 302
    # Signed in, a state-changing POST without the token is still refused.
    assert client.post("/venues/new", data={"name": "Sneaky"}).status_code == 400


def test_sign_in_is_rate_limited(database_url):
    app = make_app(database_url, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute")
    reset_database(app)
    client = app.test_client()
    codes = [client.post("/login", data={"email": "x@example.org", "password": "nope nope"}).status_code
             for _ in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]


def test_open_redirect_after_login_is_prevented(client, member_user):
    response = client.post("/login?next=https://evil.example.com/", data={"email": member_user.email, "password": PASSWORD})
    assert response.headers["Location"] == "/"


def test_ui_switches_to_english(member_client):
    page = member_client.get("/").get_data(as_text=True)
    assert re.search(r"<h1>Oversikt</h1>", page)
    member_client.post("/language/en", data={"next": "/"})
    page = member_client.get("/").get_data(as_text=True)
    assert "<h1>Overview</h1>" in page
    assert 'lang="en"' in page


@pytest.mark.parametrize("path", ["/login", "/healthz"])
def test_public_pages_need_no_sign_in(client, path):
    assert client.get(path).status_code == 200
