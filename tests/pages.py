"""Every page a person opens, found from the application's routes and filled with the demo data:
for the tests that walk them all (Norwegian wording, a 390 px wide phone)."""

from __future__ import annotations

import sqlalchemy as sa

from brukermote.extensions import db

#: Not pages: files, feeds, the API, job results, and pages that need a state of their own.
_SKIP_ENDPOINTS = {
    "static", "core.healthz", "core.job_status", "core.job_download", "calendar.member_feed",
    "calendar.public_feed", "calendar.meeting_ics", "outreach.export", "outreach.import_preview",
    "interpreters.order_pdf", "printing.mark_image", "public.signed_up", "attendance.public_feedback_thanks",
    "auth.login", "core.favicon",
}
_PUBLIC = {"public.meeting_page", "attendance.public_feedback"}


def _first(model, *where):
    return db.session.scalar(sa.select(model.id).where(*where).order_by(model.id).limit(1))


def _values() -> dict[str, list]:
    from brukermote.attendance.models import TopicSuggestion
    from brukermote.auth.models import User
    from brukermote.interpreters.models import Interpreter, InterpreterBooking, InterpreterProvider
    from brukermote.meetings.models import (
        ChecklistTemplateItem,
        Meeting,
        MeetingStatus,
        ProgrammeItem,
        Speaker,
        Venue,
    )
    from brukermote.outreach.models import Contact, PosterLocation

    upcoming = db.session.scalar(sa.select(Meeting).where(Meeting.status.in_([MeetingStatus.planned, MeetingStatus.published]))
                               .order_by(Meeting.starts_at.desc()).limit(1))
    past = db.session.scalar(sa.select(Meeting).where(Meeting.status == MeetingStatus.held)
                             .order_by(Meeting.starts_at.desc()).limit(1))
    return {
        "meeting_id": [upcoming.id, past.id], "uid": [upcoming.uid],
        "contact_id": [_first(Contact)], "booking_id": [_first(InterpreterBooking)],
        "interpreter_id": [_first(Interpreter)], "provider_id": [_first(InterpreterProvider)],
        "location_id": [_first(PosterLocation)], "speaker_id": [_first(Speaker)], "venue_id": [_first(Venue)],
        "user_id": [_first(User)], "item_id": [_first(ChecklistTemplateItem)],
        "topic_id": [_first(TopicSuggestion)], "code": ["ar"],
        # /programme/<item_id>/… names a programme item, not a checklist template item
        "programme_item_id": [_first(ProgrammeItem)],
    }


def main_pages(app, public_only: bool = False) -> list[str]:
    """Paths of every HTML page (signed-in ones unless ``public_only``), each meeting page twice: for
    the coming meeting and for the last one held. Call inside an application context."""
    all_values = _values()
    paths = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in _SKIP_ENDPOINTS or rule.endpoint.startswith("api."):
            continue
        if (rule.endpoint in _PUBLIC) != public_only:
            continue
        if rule.endpoint == "sms.edit_template":
            paths.append("/sms/templates/reminder/so")
            continue
        values = dict(all_values)
        if rule.rule.startswith("/programme/"):
            values["item_id"] = values["programme_item_id"]
        arguments = [a for a in rule.arguments]
        if any(values.get(a, [None])[0] is None for a in arguments):
            continue
        if not arguments:
            paths.append(rule.rule)
            continue
        with app.test_request_context():
            from flask import url_for

            name = arguments[0]
            for value in values[name]:
                paths.append(url_for(rule.endpoint, **{**{a: values[a][0] for a in arguments}, name: value}))
    return paths


def load_demo_with_published_meeting():
    """The demo data, its coming meeting published so that its public pages answer."""
    from brukermote.core.timeutil import utcnow
    from brukermote.demo import load_demo
    from brukermote.meetings.models import MeetingStatus

    upcoming = load_demo()["upcoming"]
    upcoming.status, upcoming.published_at = MeetingStatus.published, utcnow()
    db.session.commit()
    return upcoming
