"""A participant signs up from the poster's QR code: Norwegian and Arabic, with and without a phone,
with the keyboard only; the page passes an axe-core WCAG 2.1 A/AA scan in both languages."""

import pytest
import sqlalchemy as sa

from brukermote.extensions import db
from brukermote.outreach.models import Contact, Registration
from brukermote.printing.texts import text_set
from tests.browser.axe import axe_violations
from tests.printing.helpers import make_meeting


@pytest.fixture
def public_page(browser, live_server):
    # bypass_csp only so the test can inject axe-core; the app's CSP stays as it is.
    context = browser.new_context(locale="ar", viewport={"width": 420, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def _registrations(meeting):
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Registration).where(Registration.meeting_id == meeting.id)))


@pytest.mark.parametrize("lang", ["nb", "ar"])
def test_signup_without_phone_keyboard_only_and_accessible(public_page, live_server, lang):
    meeting = make_meeting()
    page = public_page
    page.goto(f"{live_server.url}/m/{meeting.uid}?lang={lang}")
    t = text_set(lang)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert axe_violations(page) == []
    page.get_by_label(t("web.adults")).fill("2")
    page.get_by_label(t("web.interpreter")).select_option("ar")
    # The honeypot is out of sight and out of the tab order.
    honeypot = page.locator("#f-website")
    assert honeypot.get_attribute("tabindex") == "-1"
    assert page.locator(".hp").bounding_box()["width"] <= 1
    # … and it does not widen the page (an off-screen trick would, in right-to-left pages).
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    page.get_by_label(t("web.children")).focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.get_by_role("button", name=t("web.submit")).focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=t("web.thanks_title")).wait_for()
    assert axe_violations(page) == []
    [registration] = _registrations(meeting)
    assert (registration.adults, registration.children, registration.interpreter_language) == (2, 1, "ar")
    assert registration.contact_id is None


@pytest.mark.parametrize("lang", ["nb", "ar"])
def test_signup_with_phone_needs_the_consent_box_and_keeps_what_was_typed(public_page, live_server, lang):
    meeting = make_meeting()
    page = public_page
    page.goto(f"{live_server.url}/m/{meeting.uid}?lang={lang}")
    t = text_set(lang)
    page.get_by_label(t("web.name")).fill("Layla")
    page.get_by_label(t("web.phone")).fill("912 34 567")
    page.get_by_role("button", name=t("web.submit")).click()
    # Refused: the message is in the participant's language, the typing is kept, the page is still accessible.
    page.get_by_role("alert").wait_for()
    assert t("web.error_consent") in page.get_by_role("alert").inner_text()
    assert page.get_by_label(t("web.name")).input_value() == "Layla"
    assert page.get_by_label(t("web.phone")).input_value() == "912 34 567"
    assert axe_violations(page) == []
    assert _registrations(meeting) == []
    page.get_by_label(t("web.sms_consent")).check()
    page.get_by_role("button", name=t("web.submit")).click()
    page.get_by_role("heading", name=t("web.thanks_title")).wait_for()
    [registration] = _registrations(meeting)
    contact = db.session.get(Contact, registration.contact_id)
    assert contact.phone == "+4791234567" and contact.language == lang and contact.name == "Layla"


def test_the_axe_scan_does_find_violations(public_page, live_server):
    """The scan is not vacuous: an image without a text alternative is reported."""
    meeting = make_meeting()
    public_page.goto(f"{live_server.url}/m/{meeting.uid}")
    public_page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/x.png\">')")
    assert "image-alt" in {v["id"] for v in axe_violations(public_page)}
