"""Every form in the application, public ones included, gets what a careless or hostile user sends.

The forms are found by walking ``app.url_map`` for POST routes, so a new form cannot escape: a POST
route with neither a recipe below nor a reasoned exemption fails ``test_every_post_route_has_a_recipe``.

For each recipe the test opens the page a browser would (as the user who would), takes the values the
form sends back unchanged (``browser_form.form_values``), and replaces one field at a time with a bad
value chosen by the field's kind (from the page's HTML: text, textarea, date, time, number, tel, select).
Each submission must not answer 500; a bad value must be refused with a message naming the field (an
alert that names the field's label, or an error shown inside the field's own box) and leave every row of
every table exactly as it was (a hash of all rows). Two kinds of value may be accepted instead, when what
was stored is clean: a bidi override in text (the forms strip it; see ``core.validation``) and -1 in a
field where a negative number means something (days *before* the meeting). Finally the unchanged form is
submitted once more as a control: it must be accepted, or the fuzzing proved nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field

import lxml.html
import sqlalchemy as sa

from brukermote.demo import DEMO_ADMIN
from brukermote.extensions import db

from .conftest import login

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
#: Values that may be accepted, as long as what is stored is clean (checked below).
MAY_BE_ACCEPTED = {"bidi"}
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
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
    #: The public pages drop control characters and bidi controls and cut overlong text instead of
    #: refusing it (the participant can neither see nor correct them; see core.validation.clean_text):
    #: an accepted text value is fine there as long as what was stored is clean and fits its column.
    cleans: bool = False
    #: For a route with no page of its own: the fields and their kinds (the values come from overrides).
    fields: dict | None = None


# -- the world ------------------------------------------------------------------------------------

def _world(app, runner):
    from brukermote.attendance.models import Feedback, TopicSuggestion
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
        Speaker,
        Task,
        Venue,
    )
    from brukermote.outreach.models import Consent, Contact, PosterLocation
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
    return dict(
        meeting=coming, started=started, venue=first(Venue), speaker=first(Speaker), task=first(Task),
        template_item=first(ChecklistTemplateItem) or meetings.checklist_template()[0],
        contact=first(Contact), consent=first(Consent), location=first(PosterLocation), provider=first(Provider),
        interpreter=first(Interpreter), booking=db.session.scalar(
            sa.select(InterpreterBooking).where(InterpreterBooking.meeting_id == coming.id)),
        feedback=feedback, topic=first(TopicSuggestion), mark=first(Mark),
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
        "/m/<uid>/feedback": Recipe(f"/m/{s.uid}/feedback", who="anon", overrides={"rating": "4"}, cleans=True),
        "/m/<uid>/signup": Recipe(f"/m/{w['meeting'].uid}", action=f"/m/{w['meeting'].uid}/signup", who="anon",
                                  overrides={"name": "Ærlig Åse Øyen"}, cleans=True),
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


# -- observing the database -----------------------------------------------------------------------

#: Not user input: the audit log records who *viewed* personal data (a re-rendered form with names counts),
#: and a signed-in user's session row notes when it was last seen.
UNHASHED = {"audit_entry", "audit_log", "audit", "user_session"}


def snapshot() -> dict[str, str]:
    """A hash of every row, per table (so a difference names the tables that changed)."""
    digests = {}
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            if table.name in UNHASHED or "audit" in table.name:
                continue
            digest = hashlib.sha256()
            order = list(table.primary_key.columns) or list(table.columns)
            for row in conn.execute(sa.select(table).order_by(*order)):
                digest.update(repr(tuple(row)).encode("utf-8", "backslashreplace"))
            digests[table.name] = digest.hexdigest()
    return digests


def changed(before: dict, after: dict) -> list[str]:
    return sorted(name for name in after if before.get(name) != after[name])


def stored_problems() -> list[str]:
    """Stored text with control characters or bidi overrides, or longer than its column."""
    problems = []
    with db.engine.connect() as conn:
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, sa.String)]
            if not columns:
                continue
            for row in conn.execute(sa.select(*columns)):
                for column, value in zip(columns, row, strict=True):
                    if not isinstance(value, str):
                        continue
                    if FORBIDDEN_STORED.search(value):
                        problems.append(f"{table.name}.{column.name} holds {value[:40]!r}")
                    if column.type.length and len(value) > column.type.length:
                        problems.append(f"{table.name}.{column.name} holds {len(value)} characters")
    return problems


# -- reading a page like a browser ----------------------------------------------------------------

def _form_element(html: str, action: str, pick):
    document = lxml.html.fromstring(html)
    candidates = [f for f in document.forms if (f.get("action") or "").split("?")[0].split("#")[0] == action]
    if not candidates:
        candidates = [f for f in document.forms if not f.get("action") and (f.get("method") or "").lower() == "post"]
    if pick:
        name, value = pick
        candidates = [f for f in candidates if f.xpath(f".//*[@name='{name}' and @value='{value}']")]
    assert candidates, f"no form posting to {action}"
    return document, candidates[0]


def _values(form_el, pick) -> dict:
    values: dict = {}
    for name, value in form_el.form_values():
        if name in values:
            previous = values[name]
            values[name] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            values[name] = value
    if pick:  # a submit button's name/value is sent when it is pressed
        values[pick[0]] = pick[1]
    return values


def _kinds(document, form_el, values) -> dict[str, tuple[str, str]]:
    """field name -> (kind, label text) for the fields a user fills in."""
    kinds = {}
    for element in form_el.xpath(".//input|.//textarea|.//select"):
        name = element.get("name")
        if not name or name == "csrf_token" or name not in values or isinstance(values[name], list):
            continue
        tag, type_ = element.tag, (element.get("type") or "text").lower()
        if tag == "textarea":
            kind = "textarea"
        elif type_ == "checkbox":
            continue  # any value a browser or a forger sends means "ticked": nothing to refuse
        elif tag == "select" or type_ in ("hidden", "radio", "submit"):
            kind = "choice"
        elif type_ in ("date", "time", "number", "tel"):
            kind = type_
        elif type_ in ("text", "email", "password", "search", "url"):
            kind = "tel" if "phone" in name else "text"
        else:
            continue
        label = ""
        if element.get("id"):
            # Within the form first: two forms on one page may both have a field "note".
            labels = (form_el.xpath(f".//label[@for='{element.get('id')}']")
                      or document.xpath(f"//label[@for='{element.get('id')}']"))
            label = labels[0].text_content().strip() if labels else ""
        kinds[name] = (kind, label)
    return kinds


def names_the_field(html: str, label: str, name: str) -> bool:
    document = lxml.html.fromstring(html)
    alerts = [a.text_content() for a in document.xpath("//*[@role='alert' or contains(@class, 'field-error')]")]
    if not label:
        return bool(alerts)
    short = label.split("(")[0].strip().rstrip(":*").strip()
    if any(short.lower() in a.lower() for a in alerts):
        return True
    for box in document.xpath("//*[contains(@class, 'has-error')]"):
        if short.lower() in box.text_content().lower() and box.xpath(".//*[@role='alert']"):
            return True
    for error in document.xpath("//*[contains(@class, 'field-error')]"):  # the public sign-up form
        if short.lower() in error.getparent().text_content().lower():
            return True
    return False


# -- the fuzzing ----------------------------------------------------------------------------------

@dataclass
class Tally:
    errors_500: list = field(default_factory=list)
    accepted: list = field(default_factory=list)
    unnamed: list = field(default_factory=list)
    english: list = field(default_factory=list)
    controls: list = field(default_factory=list)
    #: Every accepted submission, bad or not: a recipe that accepted one needs no control.
    accepted_any: list = field(default_factory=list)
    submissions: int = 0

    def report(self) -> str:
        lines = [f"{self.submissions} submissions: {len(self.errors_500)} answered 500, "
                 f"{len(self.accepted)} accepted a bad value, {len(self.unnamed)} refused without naming the field, "
                 f"{len(self.english)} refused in English, {len(self.controls)} controls not accepted"]
        for title, items in (("500", self.errors_500), ("accepted", self.accepted), ("unnamed", self.unnamed),
                             ("english", self.english), ("control", self.controls)):
            counts = Counter(items)
            lines += [f"  {title}: {item}" + (f" ×{n}" if n > 1 else "") for item, n in sorted(counts.items())]
        return "\n".join(lines)


class Fuzzer:
    def __init__(self, app, tally: Tally):
        self.app = app
        self.tally = tally
        self.clients = {}

    def client(self, who: str, world):
        if who not in self.clients:
            client = self.app.test_client()
            if who == "admin":
                assert login(client, DEMO_ADMIN[0], DEMO_ADMIN[2]).status_code == 302
            self.clients[who] = client
        return self.clients[who]

    def post(self, client, url, data, what):
        self.tally.submissions += 1
        try:
            response = client.post(url, data=data)
        except Exception as exc:  # TESTING propagates the exception a user would see as a 500
            db.session.rollback()
            self.tally.errors_500.append(f"{what}: {type(exc).__name__}: {str(exc).splitlines()[0][:90]}")
            return None
        if response.status_code >= 500:
            self.tally.errors_500.append(f"{what}: HTTP {response.status_code}")
            return None
        return response

    def page_after(self, client, response) -> str:
        if response.status_code in (301, 302, 303):
            try:
                followed = client.get(response.headers["Location"])
            except Exception as exc:
                db.session.rollback()
                self.tally.errors_500.append(f"GET {response.headers['Location']} after the post: {type(exc).__name__}")
                return ""
            return followed.get_data(as_text=True)
        return response.get_data(as_text=True)

    def run(self, name: str, recipe: Recipe, world):
        client = self.client(recipe.who, world)
        action = recipe.action or recipe.page
        if recipe.fields is not None:
            base, kinds = dict(recipe.overrides), recipe.fields
        else:
            try:
                page = client.get(recipe.page)
            except Exception as exc:  # an earlier accepted value broke the page: a 500 for everyone
                db.session.rollback()
                self.tally.errors_500.append(f"{name}: GET {recipe.page}: {type(exc).__name__}: {exc}"[:160])
                return
            assert page.status_code == 200, f"{name}: GET {recipe.page} answered {page.status_code}"
            document, form_el = _form_element(page.get_data(as_text=True), action, recipe.pick)
            base = _values(form_el, recipe.pick)
            base.update(recipe.overrides)
            kinds = _kinds(document, form_el, base)
        for key, (kind, label) in kinds.items():
            if key in recipe.skip:
                continue
            for value_name, bad in BAD[kind].items():
                what = f"{name} {key}={value_name}"
                data = dict(base, **{key: bad})
                before = snapshot()
                response = self.post(client, action, data, what)
                if response is None:
                    continue
                html = self.page_after(client, response)
                tables = changed(before, snapshot())
                if tables:
                    self.tally.accepted_any.append(what)
                    acceptable = (value_name in MAY_BE_ACCEPTED or kind == "choice" or
                                  (recipe.cleans and kind in ("text", "textarea")) or
                                  (value_name == "negative" and key.split("-")[-1] in recipe.negative_ok))
                    stored = stored_problems()
                    if not acceptable or stored:
                        self.tally.accepted.append(what + f" (changed {', '.join(tables)})"
                                                   + (f" ({stored[0]})" if stored else ""))
                    continue
                if kind == "choice" or value_name in MAY_BE_ACCEPTED or recipe.cleans:
                    # (a cleaned public text may also match an earlier sign-up: "already registered")
                    continue  # a browser cannot send these; refusing them in any words is enough
                if not names_the_field(html, label, key):
                    self.tally.unnamed.append(what)
                alerts = " ".join(lxml.html.fromstring(html).xpath("//*[@role='alert']//text()"))
                if any(phrase in alerts for phrase in ENGLISH):
                    self.tally.english.append(f"{what}: {alerts.strip()[:80]}")
        if recipe.control and not any(item.startswith(f"{name} ") for item in self.tally.accepted_any):
            before = snapshot()
            response = self.post(client, action, base, f"{name} control")
            if response is not None and snapshot() == before and response.status_code not in (302, 303):
                alerts = lxml.html.fromstring(response.get_data(as_text=True)).xpath(
                    "//*[@role='alert'] | //*[contains(@class, 'has-error')]")
                self.tally.controls.append(f"{name}: {response.status_code} "
                                           + " | ".join(a.text_content().strip()[:100] for a in alerts))


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


def test_every_post_route_has_a_recipe(app):
    """A new POST route needs a recipe in _recipes (or a reason in EXEMPT): no form escapes the fuzzing."""
    known = set(EXEMPT) | _recipe_rules()
    missing = sorted(post_rules(app) - known)
    assert not missing, (
        "POST routes without a fuzz recipe; add one to tests/test_fuzz_forms.py::_recipes "
        f"(or a reasoned entry in EXEMPT): {missing}")
    stale = sorted(known - post_rules(app))
    assert not stale, f"recipes for routes that no longer exist: {stale}"


def _recipe_rules() -> set[str]:
    class Any:
        def __getitem__(self, key):
            return self

        def __getattr__(self, key):
            return 1 if key == "id" else "x"

        def __bool__(self):
            return True

    return set(_recipes(Any()))


def test_every_form_refuses_what_a_careless_or_hostile_user_sends(app, runner):
    world = _world(app, runner)
    tally = Tally()
    fuzzer = Fuzzer(app, tally)
    recipes = {k: v for k, v in _recipes(world).items() if v is not None}
    recipes.update(_late_recipes(fuzzer.client("admin", world), world))
    for part, recipe in _outreach_recipes(world["meeting"].id).items():
        recipes[f"/meetings/<int:meeting_id>/outreach ({part})"] = recipe
    # What can end the meeting's planning (a cancellation, a status change) comes last.
    last = ("/meetings/<int:meeting_id>/status", "/meetings/<int:meeting_id>/cancel")
    for name in sorted(recipes, key=lambda name: name in last):
        fuzzer.run(name, recipes[name], world)
    print(tally.report())
    assert not (tally.errors_500 or tally.accepted or tally.unnamed or tally.english or tally.controls), tally.report()


def test_import_refuses_bad_rows(app, admin_client):
    """A contacts file gets the same bad values as the form: the preview names the row and the column, and
    committing imports nothing (all or nothing)."""
    from brukermote.outreach.models import Contact

    rows = [("Ærlig Åse Øyen", "40000003", "so")] + [(bad, "40000004", "ar") for bad in TEXT.values()
                                                    if bad != TEXT["bidi"]] + [("Müller", "4000OOO1", "nb")]
    body = "navn;telefon;språk\n" + "".join(f"{n};{p};{lang}\n" for n, p, lang in rows)
    response = admin_client.post("/contacts/import", data={"file": (io.BytesIO(body.encode()), "k.csv")},
                                 content_type="multipart/form-data")
    if response.status_code != 302:  # refused outright (the NUL byte): nothing pending, nothing imported
        assert "role=\"alert\"" in response.get_data(as_text=True)
        assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0
        return
    preview_url = response.headers["Location"]
    html = admin_client.get(preview_url).get_data(as_text=True)
    before = snapshot()
    document, form_el = _form_element(html, preview_url.split("?")[0], ("action", "commit"))
    response = admin_client.post(preview_url, data=_values(form_el, ("action", "commit")))
    assert response.status_code == 422, response.status_code
    assert snapshot() == before
    text = response.get_data(as_text=True)
    assert "Ingenting ble importert" in text or "ble importert" not in text
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0
