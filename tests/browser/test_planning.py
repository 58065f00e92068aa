"""A new committee member plans a meeting in the browser, as they would on their first day."""

import datetime as dt

import pytest

from brukermote.auth.services import create_user
from brukermote.core.timeutil import local_zone, utcnow
from brukermote.extensions import db
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_sign_in_create_venue_and_meeting_add_programme_tick_task(page, live_server, live_app):
    create_user("ny@example.org", "Nora Ny", PASSWORD)
    db.session.commit()

    sign_in(page, live_server, "ny@example.org")
    page.get_by_role("heading", name="Oversikt").wait_for()

    page.get_by_role("link", name="Steder", exact=True).click()
    page.get_by_role("link", name="Nytt sted").click()
    page.get_by_label("Navn", exact=True).fill("Årvoll Gård")
    page.get_by_label("Adresse").fill("Årvollveien 36")
    page.get_by_label("Kollektivtransport").fill("Buss 31 til Årvoll senter")
    page.get_by_label("Kapasitet (personer)").fill("80")
    page.get_by_role("button", name="Lagre").click()
    page.get_by_role("cell", name="Årvoll Gård").wait_for()

    day = utcnow().astimezone(local_zone()).date() + dt.timedelta(days=30)
    page.get_by_role("link", name="Møter", exact=True).click()
    page.get_by_role("link", name="Nytt møte").click()
    page.get_by_label("Tema").fill("Bolig")
    page.get_by_label("Dato").fill(day.isoformat())
    page.get_by_label("Starter").fill("13:30")
    page.get_by_label("Slutter").fill("15:30")
    page.get_by_label("Sted").select_option(label="Årvoll Gård")
    page.get_by_role("button", name="Lagre").click()
    page.get_by_role("heading", name="Bolig").wait_for()
    assert "13:30–15:30" in page.inner_text(".when")

    page.get_by_role("link", name="Rediger program").click()
    page.get_by_label("Type").select_option(label="Innlegg")
    page.get_by_label("Tittel").fill("Hvordan søke bolig")
    page.get_by_label("Minutter").fill("20")
    page.get_by_role("button", name="Legg til").click()
    page.get_by_role("cell", name="13:30–13:50").wait_for()

    page.get_by_role("link", name="Bolig").first.click()
    page.get_by_role("button", name="Merk som gjort: Bestill tolker").click()
    page.get_by_role("button", name="Merk som ikke gjort: Bestill tolker").wait_for()

    page.get_by_role("link", name="Oversikt").click()
    next_meeting = page.locator("section.next")
    assert "Bolig" in next_meeting.inner_text()
    assert "Bestill tolker" not in next_meeting.inner_text()
    page.screenshot(path=str(live_app.instance_path) + "/dashboard.png", full_page=True)
