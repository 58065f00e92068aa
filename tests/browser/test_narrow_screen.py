"""On a phone 390 px wide no page scrolls sideways, the menu folds behind a button that opens it, and
the five feedback faces stay on one line."""

from __future__ import annotations

import datetime as dt

import pytest

from brukermote.core.timeutil import utcnow
from brukermote.demo import DEMO_ADMIN
from brukermote.extensions import db
from tests.browser.conftest import sign_in
from tests.pages import load_demo_with_published_meeting, main_pages

pytestmark = pytest.mark.browser

WIDTH = 390


@pytest.fixture
def phone(browser, live_server):
    # Not is_mobile: a mobile viewport zooms out to fit wide content, which would hide the very overflow
    # looked for (innerWidth grows with the page). The layout width is the phone's, checked below.
    context = browser.new_context(locale="nb-NO", viewport={"width": WIDTH, "height": 844}, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


def _overflow(page) -> dict | None:
    """The page's scroll width, and the widest element that sticks out, if the page scrolls sideways."""
    return page.evaluate("""() => {
        const doc = document.scrollingElement;
        if (window.innerWidth !== 390) return {innerWidth: window.innerWidth};
        if (doc.scrollWidth <= window.innerWidth) return null;
        let widest = null;
        for (const el of document.querySelectorAll("body *")) {
            const right = el.getBoundingClientRect().right;
            if (right > window.innerWidth + 1 && (!widest || right > widest.right))
                widest = {right, tag: el.tagName, cls: el.className && String(el.className), text: (el.innerText || "").slice(0, 60)};
        }
        return {scrollWidth: doc.scrollWidth, innerWidth: window.innerWidth, widest};
    }""")


def test_no_page_scrolls_sideways_at_390_px(phone, live_server, live_app):
    load_demo_with_published_meeting()
    public = main_pages(live_app, public_only=True)
    signed_in = main_pages(live_app)
    assert len(signed_in) > 50 and public
    shots = live_app.instance_path + "/narrow-"
    problems = []
    for path in public:
        phone.goto(live_server.url + path)
        if (found := _overflow(phone)) is not None:
            problems.append((path, found))
    phone.screenshot(path=shots + "feedback.png", full_page=True)
    sign_in(phone, live_server, DEMO_ADMIN[0], DEMO_ADMIN[2])
    phone.get_by_role("heading", name="Oversikt").wait_for()
    for path in signed_in:
        phone.goto(live_server.url + path)
        if (found := _overflow(phone)) is not None:
            problems.append((path, found))
        name = path.strip("/").replace("/", "_") or "dashboard"
        if name in ("dashboard", "reports", "contacts", "meetings_9", "interpreters_costs"):
            phone.screenshot(path=shots + name + ".png", full_page=True)
    assert not problems, "\n".join(f"{path}: {found}" for path, found in problems)


def test_the_menu_folds_behind_a_button_that_opens_it(phone, live_server, live_app):
    load_demo_with_published_meeting()
    sign_in(phone, live_server, DEMO_ADMIN[0], DEMO_ADMIN[2])
    phone.get_by_role("heading", name="Oversikt").wait_for()
    menu = phone.get_by_role("button", name="Meny")
    meetings_link = phone.get_by_role("navigation", name="Hovedmeny").get_by_role("link", name="Møter", exact=True)
    assert menu.is_visible() and menu.get_attribute("aria-expanded") == "false"
    assert not meetings_link.is_visible()
    header_height = phone.locator("header.top").bounding_box()["height"]
    assert header_height < 120  # the folded header leaves the screen to the page
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true"
    meetings_link.click()
    phone.get_by_role("heading", name="Møter").first.wait_for()
    assert phone.url.endswith("/meetings")
    phone.screenshot(path=live_app.instance_path + "/narrow-menu-open.png")

    # On a desktop screen the menu is simply there, and no button.
    phone.set_viewport_size({"width": 1280, "height": 900})
    assert not phone.get_by_role("button", name="Meny").is_visible()
    assert meetings_link.is_visible()


def test_the_feedback_faces_stay_on_one_line(phone, live_server, live_app):
    upcoming = load_demo_with_published_meeting()
    # Feedback opens when the meeting begins: let it be under way.
    length = upcoming.ends_at - upcoming.starts_at
    upcoming.starts_at = utcnow() - dt.timedelta(minutes=30)
    upcoming.ends_at = upcoming.starts_at + length
    db.session.commit()
    for lang in ("nb", "ta", "ar"):
        phone.goto(f"{live_server.url}/m/{upcoming.uid}/feedback?lang={lang}")
        tops = phone.locator("label.face").evaluate_all("faces => faces.map(f => Math.round(f.getBoundingClientRect().top))")
        assert len(tops) == 5 and len(set(tops)) == 1, (lang, tops)
        assert _overflow(phone) is None, lang
    phone.screenshot(path=live_app.instance_path + "/narrow-faces-ar.png", full_page=True)
