"""The participant's page as a phone opens it from the poster's QR code (issue 17): a phone set to
Norwegian opens the Arabic poster's page in Arabic; description, programme, calendar link and
directions are there; the page passes axe-core in Norwegian and Arabic and leaves no cookie, not
even from the browser's own favicon request."""

import pytest

from brukermote.extensions import db
from brukermote.printing.texts import text_set
from tests.browser.axe import axe_violations
from tests.printing.helpers import make_meeting


@pytest.fixture
def phone(browser, live_server):
    # A phone set to Norwegian. bypass_csp only so the test can inject axe-core.
    context = browser.new_context(locale="nb-NO", viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


@pytest.mark.parametrize("lang", ["nb", "ar"])
def test_the_qr_code_opens_the_posters_language_with_programme_and_calendar(phone, live_server, lang):
    meeting = make_meeting()
    meeting.description = "Vi snakker om kurs og arbeidstrening."
    db.session.commit()
    t = text_set(lang)
    phone.goto(f"{live_server.url}/m/{meeting.uid}?lang={lang}")
    assert phone.locator("html").get_attribute("lang") == lang
    assert phone.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    phone.get_by_role("heading", name=t("programme.title")).wait_for()
    about = phone.get_by_role("region", name=t("web.about"))
    assert "Vi snakker om kurs og arbeidstrening." in about.inner_text()
    assert (t("web.in_norwegian") in about.inner_text()) == (lang != "nb")
    assert about.locator("[lang=nb]").count() == 1
    programme = phone.get_by_role("region", name=t("programme.title"))
    assert programme.get_by_role("listitem").count() == 3
    assert t("programme.talk") in programme.inner_text()
    assert meeting.venue.address in phone.locator("dl.facts").inner_text()
    link = phone.get_by_role("link", name=t("web.add_to_calendar"))
    response = phone.request.get(live_server.url + link.get_attribute("href"))
    assert response.ok and "BEGIN:VCALENDAR" in response.text()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert axe_violations(phone) == []
    phone.wait_for_load_state("networkidle")  # the browser's own favicon request included
    assert phone.context.cookies() == []
