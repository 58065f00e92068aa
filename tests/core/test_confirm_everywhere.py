"""Every destructive button asks first (issue 17): each form that deletes, removes, erases or discards
carries the confirmation fields, so app.js asks in a dialog and the server asks on a page without it."""

from __future__ import annotations

import re

import sqlalchemy as sa

from brukermote.extensions import db
from tests.conftest import login

DESTRUCTIVE = re.compile(r"/(delete|remove|erase|cancel)$|/sends/\d+/delete$")


def _forms(html: str):
    for match in re.finditer(r'<form method="post" action="([^"]+)"([^>]*)>(.*?)</form>', html, re.S):
        yield match.group(1), match.group(2), match.group(3)


def test_destructive_buttons_ask_first_on_every_page(app, runner):
    from brukermote.demo import DEMO_ADMIN
    from brukermote.meetings.models import Meeting, MeetingStatus
    from brukermote.outreach.models import Contact
    from brukermote.sms.models import SendKind, SendStatus, SmsSend

    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    coming = db.session.scalar(sa.select(Meeting).where(Meeting.status == MeetingStatus.planned))
    from brukermote.attendance.models import Feedback

    held = db.session.get(Meeting, db.session.scalar(sa.select(Feedback.meeting_id).order_by(Feedback.id)))
    contact = db.session.scalar(sa.select(Contact).order_by(Contact.id))
    client = app.test_client()
    assert login(client, DEMO_ADMIN[0], DEMO_ADMIN[2]).status_code == 302
    client.post(f"/meetings/{coming.id}/sms/reminders", data={"days_before": "2", "local_time": "10:00",
                                                             "audience": "consented"})
    assert db.session.scalar(sa.select(SmsSend).where(SmsSend.kind == SendKind.reminder,
                                                      SmsSend.status == SendStatus.scheduled)) is not None
    pages = [f"/meetings/{coming.id}", f"/meetings/{coming.id}/programme", f"/meetings/{coming.id}/outreach",
             f"/meetings/{coming.id}/sms", f"/meetings/{coming.id}/interpreters", f"/meetings/{held.id}",
             f"/meetings/{held.id}/feedback", f"/meetings/{held.id}/outreach", f"/contacts/{contact.id}",
             "/venues", "/checklist-template"]
    seen = set()
    for url in pages:
        html = client.get(url).get_data(as_text=True)
        for action, attributes, body in _forms(html):
            if not DESTRUCTIVE.search(action) or action.endswith("/cancel") and "/meetings/" in action:
                continue  # cancelling a meeting asks for a reason on its own form
            seen.add(re.sub(r"\d+", "N", action))
            assert "data-confirm=" in attributes, (url, action)
            assert 'name="confirm" value="ask"' in body and 'name="confirm_question"' in body, (url, action)
    assert {"/programme/N/delete", "/tasks/N/delete", "/sms/sends/N/delete", "/registrations/N/delete",
            "/feedback/N/delete", "/meetings/N/attendance/delete", "/contacts/N/erase"} <= seen, seen
