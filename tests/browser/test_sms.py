"""SMS in a real browser with CSRF on: count and cost before sending, and the template editor's counter."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from brukermote.auth.capabilities import SystemActor, set_capabilities
from brukermote.auth.services import create_user
from brukermote.extensions import db
from brukermote.sms.models import MessageStatus, SmsMessage
from tests.conftest import PASSWORD
from tests.printing.helpers import make_meeting
from tests.sms.conftest import add_contacts

from .conftest import sign_in

pytestmark = pytest.mark.browser


def test_send_now_confirms_count_and_cost_then_queues(page, live_server, live_app):
    sender = create_user("au@example.org", "Aud Utvalg", PASSWORD, confidential=True)
    set_capabilities(sender, review=[], send_sms=True, print_personal=False, by=SystemActor("test"))
    meeting = make_meeting()
    add_contacts(3)
    add_contacts(1, language="so", start=20)
    db.session.commit()
    sign_in(page, live_server, "au@example.org")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{live_server.url}/meetings/{meeting.id}/sms")
    page.get_by_role("button", name="Vis antall og kostnad").click()
    confirm = page.locator("p.confirm-count").inner_text()
    assert "4 personer" in confirm and "kr" in confirm
    assert page.get_by_text(re.compile("Ikke godkjent på: somali")).is_visible()
    assert db.session.scalar(sa.select(sa.func.count(SmsMessage.id))) == 0
    page.get_by_role("button", name="Send 4 SMS").click()
    assert page.get_by_text("4 SMS står i kø").is_visible()
    db.session.expire_all()
    statuses = db.session.scalars(sa.select(SmsMessage.status)).all()
    assert statuses == [MessageStatus.sent] * 4  # console backend, huey inline in tests


def test_the_editor_counts_segments(page, live_server, live_app):
    create_user("au@example.org", "Aud Utvalg", PASSWORD)
    db.session.commit()
    sign_in(page, live_server, "au@example.org")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{live_server.url}/sms/templates/reminder/en")
    page.get_by_label("Tekst", exact=True).fill("Hi {date} {time} " + "x" * 200)
    page.get_by_role("button", name="Tell tegn og forhåndsvis").click()
    assert page.locator("dd[data-encoding]").inner_text() == "GSM-7"
    assert page.locator("dd[data-segments]").inner_text() == "2"
