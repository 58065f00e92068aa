"""Contact search and paging in a real browser: a committee member finds one person among many."""

from __future__ import annotations

import pytest

from brukermote.auth.services import create_user
from brukermote.extensions import db
from brukermote.outreach.models import Contact
from tests.conftest import PASSWORD

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_search_by_phone_and_page_through_contacts(page, live_server, live_app):
    create_user("au@example.org", "Aud Utvalg", PASSWORD, confidential=True)
    db.session.add_all([Contact(name=f"Person {n:03d}", phone=f"+479{n:07d}", language="ar") for n in range(75)])
    db.session.add(Contact(name="Hodan Abdi Warsame", phone="+4791234567", language="so"))
    db.session.commit()
    sign_in(page, live_server, "au@example.org")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{live_server.url}/contacts")
    assert page.get_by_text("Viser 1–50 av 76.").is_visible()
    page.get_by_role("link", name="Neste →").click()
    assert page.get_by_text("Side 2 av 2").is_visible()
    assert page.get_by_role("link", name="Person 074").is_visible()
    assert page.get_by_role("link", name="Person 000").count() == 0

    page.get_by_label("Navn eller telefon").fill("+47 912 34 567")
    page.get_by_role("button", name="Søk").click()
    assert page.get_by_role("link", name="Hodan Abdi Warsame").is_visible()
    assert page.get_by_role("cell", name="912 34 567").is_visible()
    assert page.get_by_role("link", name="Person 001").count() == 0

    page.get_by_role("link", name="Vis alle").click()
    page.get_by_label("Språk").select_option("so")
    page.get_by_role("button", name="Søk").click()
    assert page.get_by_text("Viser 1–1 av 1.").is_visible()
