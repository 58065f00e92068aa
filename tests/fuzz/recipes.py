"""What the fuzz test sends and where: the bad values by kind of field, the POST routes it leaves out
(and why), and a recipe per form (which page to open, as whom, what to fill in first)."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field

import lxml.html
import sqlalchemy as sa

from brukermote.demo import DEMO_ADMIN
from brukermote.extensions import db

TEXT = {
    "nul": "Tekst\x00slutt",
    "long": "x" * 100_000,
    "control": "Tekst\x07\x1b\x7fslutt",
    "bidi": "Tekst\u202etxet",
}
BAD = {
    "text": TEXT,
    "textarea": TEXT,
    "date": {"year1": "0001-01-01", "year9999": "9999-12-31"},
    "time": {"offset": "12:00+05:00", **{"nul": "12:00\x00"}},
    "number": {"huge": "1e23", "negative": "-1", "bigint": "99999999999999999999"},
    "tel": {"letters": "4000OOO1", "nul": "4000\x001"},
    "choice": {"nul": "\x00"},
}
FORBIDDEN_STORED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
ENGLISH = ("Not a valid", "This field is required", "Field cannot be longer", "Invalid ")

#: POST routes with no recipe, and why fuzzing them proves nothing.
EXEMPT = {
    # Webhooks: signed by the SMS provider (RequestValidator) and tested with hostile bodies in tests/sms.
    "/sms/twilio/inbound": "provider webhook, signature-checked; tests/sms covers hostile bodies",
    "/sms/twilio/status": "provider webhook, signature-checked; tests/sms covers hostile bodies",
    # Buttons: their only input is the id in the URL (or a fixed button value), nothing typed.
    "/checklist-template/<int:item_id>/delete": "a delete button",
    "/consents/<int:consent_id>/withdraw": "a button",
    "/contacts/<int:contact_id>/erase": "a button; the optional ids are checked with isdigit()",
    "/contacts/<int:contact_id>/opt-out": "a button",
    "/contacts/import/<token>/cancel": "a button",
    "/interpreters/bookings/<int:booking_id>/delete": "a delete button",
    "/interpreters/bookings/<int:booking_id>/told": "a button",
    "/interpreters/people/<int:interpreter_id>/delete": "a delete button",
    "/interpreters/providers/<int:provider_id>/delete": "a delete button",
    "/logout": "a button",
    "/mailings/<int:mailing_id>/delete": "a delete button",
    "/meetings/<int:meeting_id>/delete": "a delete button",
    "/meetings/<int:meeting_id>/you-said-we-did": "a button (marks the listed follow-ups as told)",
    "/poster-hangings/<int:hanging_id>/delete": "a delete button",
    "/poster-hangings/<int:hanging_id>/down": "a button (today's date)",
    "/printing/texts/<code>/<key>/revoke": "a button",
    "/profile/calendar-token": "a button (a new random token)",
    "/profile/sessions/<int:session_id>/end": "a button (signs one of one's own devices out)",
    "/profile/sessions/end-all": "a button (signs out everywhere)",
    "/programme/<int:item_id>/delete": "a delete button",
    "/feedback/<int:feedback_id>/delete": "a delete button",
    "/meetings/<int:meeting_id>/attendance/delete": "a delete button",
    "/undo/<int:entry_id>": "a button: the id in the URL, checked against its owner and expiry",
    "/programme/<int:item_id>/move": "a button: anything but direction=up moves down",
    "/registrations/<int:registration_id>/came": "a checkbox button: anything but 1 means no",
    "/registrations/<int:registration_id>/delete": "a delete button",
    "/sms/inbox/<int:inbound_id>/handled": "a button",
    "/sms/sends/<int:send_id>/delete": "a delete button",
    "/speakers/<int:speaker_id>/delete": "a delete button",
    "/tasks/<int:task_id>/delete": "a delete button",
    "/tasks/<int:task_id>/tick": "a checkbox button: anything but 1 means not done",
    "/venues/<int:venue_id>/delete": "a delete button",
    # The file uploads are fuzzed with their own files: contacts in tests/outreach/test_import_encodings.py
    # and below (test_import_refuses_bad_rows), logos in tests/printing.
    "/contacts/import": "a file upload: fuzzed by test_import_refuses_bad_rows and the encoding tests",
    "/printing/marks/<int:mark_id>/upload": "a file upload of images: tests/printing refuses bad files",
    # Makes a PDF from three choices; fuzzed as choices only would render documents for minutes.
    "/meetings/<int:meeting_id>/print": "three choices, checked against the catalogue in tests/printing",
}


@dataclass
class Recipe:
    page: str
    action: str = ""
    who: str = "admin"
    overrides: dict = field(default_factory=dict)
    #: Pick the form on the page that has this hidden input (name, value), when forms share an action.
    pick: tuple | None = None
    #: Fields where -1 is a meaningful value.
    negative_ok: frozenset = frozenset()
    #: Submit the unchanged form as a control at the end (off for actions that would spoil the world).
    control: bool = True
    skip: frozenset = frozenset()
    #: For a route with no page of its own: the fields and their kinds (the values come from overrides).
    fields: dict | None = None


# -- the world ------------------------------------------------------------------------------------

def _world(app, runner):
    from brukermote.attendance.models import Feedback, FeedbackChannel, TopicSuggestion
    from brukermote.auth.models import User
    from brukermote.core.timeutil import utcnow
    from brukermote.interpreters.models import Interpreter, InterpreterBooking
    from brukermote.interpreters.models import InterpreterProvider as Provider
    from brukermote.meetings import services as meetings
    from brukermote.meetings.models import (
        ChecklistTemplateItem,
        Meeting,
        MeetingStatus,
        MeetingType,
        ProgrammeItem,
        Speaker,
        Task,
        Venue,
    )
    from brukermote.outreach.models import Consent, Contact, PosterLocation, Registration
    from brukermote.printing.models import BrandMark as Mark

    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(sa.select(User).where(User.email == DEMO_ADMIN[0]))
    coming = db.session.scalar(sa.select(Meeting).where(Meeting.status == MeetingStatus.planned))
    meetings.change_status(coming, MeetingStatus.published)
    now = utcnow().astimezone(coming.local_start.tzinfo)
    started = meetings.create_meeting(meetings.MeetingData(
        type=MeetingType.user_meeting, topic="Pågår nå", day=now.date(), start=dt.time(0, 0),
        end=dt.time(23, 59), venue_id=coming.venue_id), created_by=admin)
    meetings.change_status(started, MeetingStatus.planned)
    meetings.change_status(started, MeetingStatus.published)
    db.session.commit()
    first = lambda model: db.session.scalar(sa.select(model).order_by(model.id))  # noqa: E731
    feedback = db.session.scalar(sa.select(Feedback).order_by(Feedback.id))
    typed = db.session.scalar(
        sa.select(Feedback).where(Feedback.channel != FeedbackChannel.web).order_by(Feedback.id))
    return dict(
        meeting=coming, started=started, venue=first(Venue), speaker=first(Speaker), task=first(Task),
        template_item=first(ChecklistTemplateItem) or meetings.checklist_template()[0],
        contact=first(Contact), consent=first(Consent), location=first(PosterLocation), provider=first(Provider),
        interpreter=first(Interpreter), booking=db.session.scalar(
            sa.select(InterpreterBooking).where(InterpreterBooking.meeting_id == coming.id)),
        feedback=feedback, typed_feedback=typed, topic=first(TopicSuggestion), mark=first(Mark),
        programme_item=first(ProgrammeItem), registration=first(Registration),
        member=db.session.scalar(sa.select(User).where(User.is_admin.is_(False))), admin=admin,
    )


def _recipes(w) -> dict[str, Recipe]:
    m, s = w["meeting"].id, w["started"]
    meeting_day = dict(day="2030-05-15", start="13:30", end="15:30")
    return {
        "/checklist-template": Recipe("/checklist-template", overrides={"title": "Bestill frukt"},
                                      negative_ok=frozenset({"offset_days"})),
        "/checklist-template/<int:item_id>": Recipe(f"/checklist-template/{w['template_item'].id}",
                                                    negative_ok=frozenset({"offset_days"})),
        "/contacts/<int:contact_id>/consents": Recipe(f"/contacts/{w['contact'].id}",
                                                      action=f"/contacts/{w['contact'].id}/consents"),
        "/contacts/<int:contact_id>/edit": Recipe(f"/contacts/{w['contact'].id}/edit"),
        "/contacts/import/<token>": None,  # filled in by the test, which uploads a file first
        "/contacts/new": Recipe("/contacts/new", overrides={"name": "Ærlig Åse Øyen", "phone": "40000001"}),
        "/feedback/<int:feedback_id>/follow-up": Recipe(
            f"/meetings/{w['feedback'].meeting_id}/feedback", action=f"/feedback/{w['feedback'].id}/follow-up",
            overrides={f"f{w['feedback'].id}-action": "Ringte bydelen"}),
        "/interpreters/bookings/<int:booking_id>": Recipe(f"/interpreters/bookings/{w['booking'].id}"),
        "/interpreters/bookings/<int:booking_id>/status": Recipe(
            f"/meetings/{m}/interpreters", action=f"/interpreters/bookings/{w['booking'].id}/status", control=False),
        "/interpreters/people/<int:interpreter_id>": Recipe(f"/interpreters/people/{w['interpreter'].id}"),
        "/interpreters/people/new": Recipe("/interpreters/people/new", overrides={"name": "Ny Tolk", "lang_so": "1"}),
        "/interpreters/providers/<int:provider_id>": Recipe(f"/interpreters/providers/{w['provider'].id}"),
        "/interpreters/providers/new": Recipe("/interpreters/providers/new", overrides={"name": "Nytt byrå"}),
        # Not a form a user types into: the language buttons send where to go back to.
        "/language/<code>": Recipe("", action="/language/nb", overrides={"next": "/meetings"},
                                   fields={"next": ("choice", "")}),
        "/login": Recipe("/login", who="anon", overrides={"email": "nobody@example.org", "password": "x"},
                         control=False),
        "/m/<uid>/feedback": Recipe(f"/m/{s.uid}/feedback", who="anon", overrides={"rating": "4"}),
        "/m/<uid>/signup": Recipe(f"/m/{w['meeting'].uid}", action=f"/m/{w['meeting'].uid}/signup", who="anon",
                                  overrides={"name": "Ærlig Åse Øyen"}),
        # Attendance and paper feedback are for a meeting that has begun.
        "/meetings/<int:meeting_id>/attendance": Recipe(f"/meetings/{s.id}/attendance"),
        "/meetings/<int:meeting_id>/budget": Recipe(f"/meetings/{m}/budget"),
        "/meetings/<int:meeting_id>/cancel": Recipe(f"/meetings/{m}", action=f"/meetings/{m}/cancel",
                                                    overrides={"reason": "Sykdom"}, control=False),
        "/meetings/<int:meeting_id>/copy": Recipe(f"/meetings/{m}", action=f"/meetings/{m}/copy",
                                                  overrides={"day": "2031-03-12"}),
        "/meetings/<int:meeting_id>/edit": Recipe(f"/meetings/{m}/edit"),
        "/meetings/<int:meeting_id>/feedback": Recipe(f"/meetings/{s.id}/feedback", action=f"/meetings/{s.id}/feedback",
                                                      # (lxml reads the radio "none", value "", as "on")
                                                      overrides={"useful": "Nyttig", "rating": "4"}),
        "/meetings/<int:meeting_id>/interpreters": Recipe(f"/meetings/{m}/interpreters",
                                                          overrides={"language": "ti"}),
        "/meetings/<int:meeting_id>/interpreters/book": Recipe(
            f"/meetings/{m}/interpreters", action=f"/meetings/{m}/interpreters/book", overrides={"language": "ta"},
            control=False),
        "/meetings/<int:meeting_id>/outreach": None,  # three forms on one page: see _outreach_recipes
        "/meetings/<int:meeting_id>/programme": Recipe(f"/meetings/{m}/programme", overrides={"title": "Innlegg"}),
        "/meetings/<int:meeting_id>/sms/reminders": Recipe(f"/meetings/{m}/sms", action=f"/meetings/{m}/sms/reminders",
                                                           overrides={"days_before": "5"}),
        "/meetings/<int:meeting_id>/sms/send": Recipe(f"/meetings/{m}/sms", action=f"/meetings/{m}/sms/send",
                                                      control=False),
        "/meetings/<int:meeting_id>/status": Recipe(f"/meetings/{m}", action=f"/meetings/{m}/status", control=False),
        "/meetings/<int:meeting_id>/tasks": Recipe(f"/meetings/{m}", action=f"/meetings/{m}/tasks",
                                                   overrides={"title": "Ring tolkene"},
                                                   negative_ok=frozenset({"offset_days"})),
        "/meetings/<int:meeting_id>/texts": Recipe(f"/meetings/{m}/texts", pick=("language", "so"),
                                                   overrides={"so-topic": "Guryo"}),
        "/meetings/new": Recipe("/meetings/new", overrides={"topic": "Arbeid", **meeting_day}),
        "/poster-locations": Recipe("/poster-locations", overrides={"name": "Biblioteket"}),
        "/poster-locations/<int:location_id>/edit": Recipe(f"/poster-locations/{w['location'].id}/edit"),
        "/printing/glossary": Recipe("/printing/glossary", overrides={"term": "brukermøte"}),
        "/printing/glossary/<int:term_id>/renderings": None,  # needs a term: filled in by the test
        "/printing/marks/<int:mark_id>/settings": Recipe(
            "/printing/marks", action=f"/printing/marks/{w['mark'].id}/settings") if w["mark"] else None,
        "/printing/texts/<code>/<key>": None,  # filled in by the test from the review page
        # Several texts at once: the poster's 22, one of them ticked (the control approves it).
        "/printing/texts/<code>": Recipe("/printing/texts/so?document=poster", action="/printing/texts/so",
                                         overrides={"approve": "doc.when"}),
        "/profile": Recipe("/profile"),
        "/settings": Recipe("/settings"),
        "/sms/templates/<kind>/<language>": Recipe("/sms/templates/reminder/so", pick=("action", "save")),
        "/tasks/<int:task_id>/edit": Recipe(f"/tasks/{w['task'].id}/edit", negative_ok=frozenset({"offset_days"})),
        "/programme/<int:item_id>/edit": Recipe(f"/programme/{w['programme_item'].id}/edit"),
        "/feedback/<int:feedback_id>/edit": Recipe(f"/feedback/{w['typed_feedback'].id}/edit"),
        "/registrations/<int:registration_id>/edit": Recipe(f"/registrations/{w['registration'].id}/edit"),
        "/tasks/<int:task_id>/assign": Recipe(f"/meetings/{w['task'].meeting_id}",
                                              action=f"/tasks/{w['task'].id}/assign"),
        "/topics": Recipe("/topics", overrides={"title": "Fritid for barn"}),
        "/topics/<int:topic_id>/status": Recipe("/topics", action=f"/topics/{w['topic'].id}/status", control=False),
        "/topics/merge": Recipe("/topics", action="/topics/merge", control=False),
        "/users/<int:user_id>": Recipe(f"/users/{w['member'].id}"),
        "/users/new": Recipe("/users/new", overrides={"email": "ny@example.org", "name": "Ny Bruker",
                                                      "password": "et langt passord"}),
        "/venues/<int:venue_id>": Recipe(f"/venues/{w['venue'].id}"),
        "/venues/new": Recipe("/venues/new", overrides={"name": "Nytt sted"}),
        "/speakers/<int:speaker_id>": Recipe(f"/speakers/{w['speaker'].id}"),
        "/speakers/new": Recipe("/speakers/new", overrides={"name": "Ny Taler"}),
    }


def _outreach_recipes(m: int) -> dict[str, Recipe]:
    page = f"/meetings/{m}/outreach"
    return {
        "mailing": Recipe(page, pick=("form", "mailing"), overrides={"m-count": "40", "m-sent_on": "2030-04-01"}),
        "registration": Recipe(page, pick=("form", "registration")),
        "poster": Recipe(page, pick=("form", "poster")),
    }


def post_rules(app) -> set[str]:
    return {rule.rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}


def _late_recipes(client, world) -> dict[str, Recipe]:
    """Recipes whose URL comes from data made on the way: an upload, a glossary term, a text to review."""
    from brukermote.printing.models import GlossaryTerm

    recipes = {}
    csv = "navn;telefon;språk\nÆrlig Åse Øyen;40000002;so\n".encode()
    response = client.post("/contacts/import", data={"file": (io.BytesIO(csv), "kontakter.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    token_url = response.headers["Location"].split("?")[0]
    recipes["/contacts/import/<token>"] = Recipe(token_url, pick=("action", "commit"), control=False)
    client.post("/printing/glossary", data={"term": "tolk", "source_terms": "interpreter", "note": ""})
    term = db.session.scalar(sa.select(GlossaryTerm).order_by(GlossaryTerm.id.desc()))
    if term is not None:
        recipes["/printing/glossary/<int:term_id>/renderings"] = Recipe(
            "/printing/glossary", action=f"/printing/glossary/{term.id}/renderings",
            overrides={"language": "so", "rendering": "turjubaan"})
    review = lxml.html.fromstring(client.get("/printing/texts/so").get_data(as_text=True))
    actions = [f.get("action") for f in review.forms if re.fullmatch(r"/printing/texts/so/[^/]+", f.get("action") or "")]
    if actions:
        recipes["/printing/texts/<code>/<key>"] = Recipe("/printing/texts/so", action=actions[0],
                                                         overrides={"reviewer_name": "Hodan"})
    return recipes
