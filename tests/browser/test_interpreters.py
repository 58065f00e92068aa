"""A committee member books Somali and Arabic for a meeting, confirms one, and sees the warning for the other."""

import datetime as dt
from decimal import Decimal

import pytest

from brukermote.auth.services import create_user
from brukermote.core.timeutil import local_zone, utcnow
from brukermote.extensions import db
from brukermote.interpreters.models import InterpreterProvider, ProviderKind
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus, MeetingType, Venue
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_book_somali_and_arabic_confirm_one_and_see_the_warning_for_the_other(page, live_server, live_app):
    create_user("ny@example.org", "Nora Ny", PASSWORD)
    venue = Venue(name="Årvoll Gård", address="Årvollveien 36")
    db.session.add(venue)
    db.session.add(InterpreterProvider(name="Tolketjenesten", kind=ProviderKind.public, lead_time_days=7,
                                       hourly_rate=Decimal("650"), minimum_hours=Decimal("1.5")))
    db.session.flush()
    day = utcnow().astimezone(local_zone()).date() + dt.timedelta(days=5)  # inside the 7-day lead time
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic="Bolig", day=day, start=dt.time(13, 30), end=dt.time(15, 30),
        venue_id=venue.id))
    meeting.status = MeetingStatus.planned
    db.session.commit()

    sign_in(page, live_server, "ny@example.org")
    page.get_by_role("heading", name="Oversikt").wait_for()
    page.goto(f"{live_server.url}/meetings/{meeting.id}")
    page.get_by_role("link", name="Bestill og følg opp").click()
    page.get_by_role("heading", name="Tolker: Bolig").wait_for()

    for code, name in (("so", "somali"), ("ar", "arabisk")):
        page.get_by_label("Språk", exact=True).select_option(code)
        page.get_by_label("Leverandør", exact=True).select_option(label="Tolketjenesten (Offentlig tolketjeneste)")
        page.get_by_label("Kommer", exact=True).focus()
        page.keyboard.press("Enter")  # keyboard-friendly: Enter saves
        row = page.locator("#bookings").get_by_role("row", name=name)
        row.wait_for()
        assert "13:15–15:30" in row.inner_text()

    page.get_by_role("button", name="Merk som bestilt: somali").click()
    page.get_by_role("button", name="Bekreft: somali").click()
    page.get_by_role("button", name="Avlys bestillingen: somali").wait_for()
    assert page.get_by_role("button", name="Bekreft: somali").count() == 0
    # Whether the interpreter came can only be recorded after the arrival.
    assert page.get_by_role("button", name="Merk som levert: somali").count() == 0
    assert "Bekreftet" in page.locator("#bookings").get_by_role("row", name="somali").inner_text()

    warnings = page.locator("ul.warnings").inner_text()
    assert "Tolken på arabisk er ikke bekreftet" in warnings
    assert "somali" not in warnings

    # The same warning is on the meeting page, linking back to the interpreters page.
    page.get_by_role("link", name="Bolig").first.click()
    page.get_by_role("link", name="Tolken på arabisk er ikke bekreftet, og Tolketjenesten trenger 7 dagers varsel.").click()
    page.get_by_role("heading", name="Tolker: Bolig").wait_for()
    page.screenshot(path=str(live_app.instance_path) + "/interpreters.png", full_page=True)
