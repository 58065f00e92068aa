"""Every main page in Norwegian writes numbers, dates and small words as Norwegians do: no ISO dates,
no times with seconds, no "påmelding(er)" plurals."""

from __future__ import annotations

import html as htmllib
import re

import pytest

from brukermote.demo import DEMO_ADMIN
from brukermote.extensions import db
from brukermote.meetings.models import MeetingStatus, MeetingType
from tests.pages import load_demo_with_published_meeting, main_pages

ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
SECONDS = re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b")
PAREN_PLURAL = re.compile(r"\w\((?:er|e|r|ene)\)")
#: Numbers written the English way in a Norwegian sentence: 4.5 (decimal point) or 1,633.33.
DECIMAL_POINT = re.compile(r"(?<![\d.:/])\d+\.\d{1,2}(?![\d.])")


def visible_text(page: str) -> str:
    page = re.sub(r"(?s)<(script|style|svg:title)\b.*?</\1>", " ", page)
    page = re.sub(r"(?s)<textarea\b.*?</textarea>", " ", page)  # what someone typed stays as typed
    return htmllib.unescape(re.sub(r"<[^>]+>", " ", page))


@pytest.fixture
def demo_client(app, client):
    load_demo_with_published_meeting()
    assert client.post("/login", data={"email": DEMO_ADMIN[0], "password": DEMO_ADMIN[2]}).status_code == 302
    return client


def test_every_main_page_writes_dates_times_and_plurals_the_norwegian_way(app, demo_client):
    problems = []
    paths = main_pages(app) + main_pages(app, public_only=True)
    assert len(paths) > 50
    for path in paths:
        response = demo_client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        text = visible_text(response.get_data(as_text=True))
        for name, pattern in (("ISO date", ISO_DATE), ("seconds", SECONDS), ("(er) plural", PAREN_PLURAL),
                              ("decimal point", DECIMAL_POINT)):
            for match in pattern.finditer(text):
                problems.append(f"{path}: {name}: …{text[max(0, match.start() - 40):match.end() + 20]!r}")
    assert not problems, "\n".join(problems)


def test_the_english_pages_have_no_iso_dates_seconds_or_s_plurals_either(app, demo_client):
    demo_client.post("/language/en", data={"next": "/"})
    problems = []
    for path in main_pages(app):
        text = visible_text(demo_client.get(path, follow_redirects=True).get_data(as_text=True))
        for name, pattern in (("ISO date", ISO_DATE), ("seconds", SECONDS), ("(s) plural", re.compile(r"\w\(s\)"))):
            for match in pattern.finditer(text):
                problems.append(f"{path}: {name}: …{text[max(0, match.start() - 40):match.end() + 20]!r}")
    assert not problems, "\n".join(problems)


def test_status_flash_has_no_capital_mid_sentence(app, admin_client):
    from tests.printing.helpers import make_meeting

    meeting = make_meeting()
    meeting.status = MeetingStatus.draft
    db.session.commit()
    page = admin_client.post(f"/meetings/{meeting.id}/status", data={"status": "planned"}, follow_redirects=True)
    assert "Møtet er nå planlagt." in page.get_data(as_text=True)


def test_a_new_meeting_starts_as_the_type_most_meetings_have(app, admin_client):
    form = admin_client.get("/meetings/new").get_data(as_text=True)
    assert re.search(r'<option selected value="user_meeting"|<option value="user_meeting" selected', form)
    from tests.printing.helpers import make_meeting

    for _ in range(2):
        make_meeting().type = MeetingType.listening_post
    db.session.commit()
    form = admin_client.get("/meetings/new").get_data(as_text=True)
    assert re.search(r'<option selected value="listening_post"|<option value="listening_post" selected', form)


def test_formatting_follows_the_ui_language(app):
    import datetime as dt
    from decimal import Decimal

    from flask_babel import force_locale

    from brukermote import templating

    moment = dt.datetime(2009, 1, 28, 12, 30, 45, tzinfo=dt.UTC)
    with app.test_request_context():
        with force_locale("nb"):
            assert templating.number(4.5) == "4,5"
            assert templating.money(Decimal("1633.333")) == "kr 1\xa0633,33"
            assert templating.month(dt.date(2009, 1, 7)) == "jan. 2009"
            assert templating.local_datetime(moment) == "28. jan. 2009, 13:30"
        with force_locale("en"):
            assert templating.number(4.5) == "4.5"
            assert templating.money(Decimal("1633.333")) == "kr 1,633.33"
            assert templating.month(dt.date(2009, 1, 7)) == "Jan 2009"
