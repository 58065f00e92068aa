"""The public feedback page in a browser, in Somali and Persian: faces chosen with the keyboard,
right-to-left for Persian, and an axe-core WCAG 2.1 A/AA scan without violations."""

import datetime as dt

import pytest
import sqlalchemy as sa

from brukermote.attendance.models import Feedback, FeedbackChannel
from brukermote.core.timeutil import local_today, utcnow
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus, MeetingType
from brukermote.printing.texts import text_set
from tests.browser.axe import axe_violations


@pytest.fixture
def public_page(browser, live_server):
    context = browser.new_context(viewport={"width": 400, "height": 860}, bypass_csp=True)  # CSP bypass: axe only
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


def _meeting_yesterday():
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic="Bolig", day=local_today() - dt.timedelta(days=1),
        start=dt.time(13, 30), end=dt.time(15, 30), target_languages=["nb", "so", "fa"]))
    meeting.status, meeting.published_at = MeetingStatus.held, utcnow() - dt.timedelta(days=20)
    db.session.commit()
    return meeting


@pytest.mark.parametrize("lang, direction", [("so", "ltr"), ("fa", "rtl")])
def test_feedback_page_in_somali_and_persian(public_page, live_server, lang, direction):
    meeting = _meeting_yesterday()
    page = public_page
    page.goto(f"{live_server.url}/m/{meeting.uid}/feedback?lang={lang}")
    t = text_set(lang)
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("html").get_attribute("dir") == direction
    assert page.get_by_role("heading", level=1).inner_text() == t("web.feedback_title")
    assert axe_violations(page) == []
    # Faces by keyboard, happiest first as on the paper form: focus "very good", arrow on to "good".
    faces = page.locator(".face-row input")
    assert [faces.nth(i).get_attribute("value") for i in range(5)] == ["5", "4", "3", "2", "1"]
    page.get_by_label(t("web.rating_5"), exact=True).focus()
    page.keyboard.press("ArrowLeft" if direction == "rtl" else "ArrowRight")
    assert page.get_by_label(t("web.rating_4"), exact=True).is_checked()
    page.get_by_label(t("web.missing")).fill("Waqti badan" if lang == "so" else "وقت بیشتر")
    page.get_by_role("button", name=t("web.feedback_submit")).click()
    page.get_by_role("heading", name=t("web.feedback_thanks")).wait_for()
    assert axe_violations(page) == []
    db.session.expire_all()
    [item] = db.session.scalars(sa.select(Feedback)).all()
    assert (item.rating, item.language, item.channel) == (4, lang, FeedbackChannel.web)


def test_empty_feedback_is_refused_in_the_language_and_still_accessible(public_page, live_server):
    meeting = _meeting_yesterday()
    page = public_page
    page.goto(f"{live_server.url}/m/{meeting.uid}/feedback?lang=fa")
    page.get_by_role("button", name=text_set("fa")("web.feedback_submit")).click()
    page.get_by_role("alert").wait_for()
    assert text_set("fa")("web.feedback_empty") in page.get_by_role("alert").inner_text()
    assert axe_violations(page) == []
