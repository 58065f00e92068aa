"""Every page's cost is independent of how much history the office has (issue 18).

Walks ``app.url_map`` for GET routes (so a new page cannot escape), opens each as an administrator
and, for the public ones, anonymously, on the demo data and again after years of generated history,
counting SQL statements. A count that grows with the data is a query per row; a count above
``MAX_QUERIES`` is a page doing too much however small the office.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import sqlalchemy as sa

from brukermote.attendance.models import Feedback, TopicSuggestion
from brukermote.auth.models import User
from brukermote.demo import DEMO_ADMIN, load_demo
from brukermote.extensions import db
from brukermote.history import load_history
from brukermote.interpreters.models import Interpreter, InterpreterBooking, InterpreterProvider
from brukermote.meetings.models import ChecklistTemplateItem, Meeting, MeetingStatus, Speaker, Task, Venue
from brukermote.outreach.models import Contact, PosterLocation, Registration
from brukermote.printing.models import BrandMark

#: No page needs more, whatever the data. The heaviest, a coming meeting's page, shows a dozen parts
#: and the state of each translation (a query per language and text: bounded by the 13 languages).
MAX_QUERIES = 70
#: Years of history in the test: enough that any per-row query shows (hundreds of rows per table).
YEARS = 3


def _first(column):
    return db.session.scalar(sa.select(column).order_by(column).limit(1))


def _urls(app, history_meeting: Meeting | None = None) -> list[tuple[str, bool]]:
    """(url, is public) for every GET route, with ids of the demo's rows filled in (and of a meeting
    from the generated history, whose pages list hundreds of SMS, registrations and bookings)."""
    upcoming = db.session.scalar(sa.select(Meeting).where(Meeting.status == MeetingStatus.planned))
    # The demo's May 2008 meeting, with its mailing and 21 registrations (the demo's rows come first).
    held = db.session.scalar(sa.select(Meeting).where(Meeting.status == MeetingStatus.held).order_by(Meeting.id)
                             .offset(1).limit(1))
    admin = db.session.scalar(sa.select(User).where(User.email == DEMO_ADMIN[0]))
    meetings = [upcoming, held] + ([history_meeting] if history_meeting else [])
    values = {
        "meeting_id": [m.id for m in meetings], "uid": [m.uid for m in meetings],
        "contact_id": [_first(Contact.id)], "booking_id": [_first(InterpreterBooking.id)],
        "interpreter_id": [_first(Interpreter.id)], "provider_id": [_first(InterpreterProvider.id)],
        "location_id": [_first(PosterLocation.id)], "mark_id": [_first(BrandMark.id)],
        "item_id": [_first(ChecklistTemplateItem.id)], "topic_id": [_first(TopicSuggestion.id)],
        "speaker_id": [_first(Speaker.id)], "venue_id": [_first(Venue.id)], "user_id": [admin.id],
        "feedback_id": [_first(Feedback.id)], "task_id": [_first(Task.id)],
        "registration_id": [_first(Registration.id)],
        "token": [admin.calendar_token], "code": ["so"], "kind": ["reminder"], "language": ["so"],
    }
    urls = []
    with app.test_request_context():
        from flask import url_for

        for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
            if "GET" not in rule.methods or rule.endpoint == "static":
                continue
            public = getattr(app.view_functions[rule.endpoint], "is_public", False)
            variants = max((len(values[arg]) for arg in rule.arguments), default=1)
            for index in range(variants):
                args = {arg: values[arg][min(index, len(values[arg]) - 1)] for arg in rule.arguments}
                urls.append((url_for(rule.endpoint, **args), public))
    return urls


def _count(client, url: str) -> tuple[int, int]:
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        status = client.get(url).status_code
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return status, len(statements)


def _measure(app, urls) -> dict:
    admin = app.test_client()
    response = admin.post("/login", data={"email": DEMO_ADMIN[0], "password": DEMO_ADMIN[2]})
    assert response.status_code == 302
    anonymous = app.test_client()
    counts = {}
    for url, public in urls:
        for who, client in (("admin", admin), ("anonymous", anonymous)):
            if who == "anonymous" and not public:
                continue
            # The first request warms per-process caches (templates, catalogs); the second is the cost.
            # Each request gets a fresh session, as in production (the test's app context would
            # otherwise lend it the test's session and whatever that has loaded).
            _count(client, url)
            db.session.remove()
            counts[(who, url)] = _count(client, url)
            db.session.remove()
    return counts


def test_every_page_costs_the_same_with_years_of_history(app):
    load_demo()
    db.session.commit()
    demo = _measure(app, _urls(app))
    assert len(demo) > 80
    load_history(1)
    db.session.commit()
    recent = db.session.scalar(sa.select(Meeting).where(Meeting.status == MeetingStatus.held)
                               .order_by(Meeting.starts_at.desc()).limit(1))
    urls = _urls(app, recent)
    small = _measure(app, urls)
    load_history(YEARS - 1)
    db.session.commit()
    large = _measure(app, urls)

    grew = {key: (small[key][1], large[key][1]) for key in small if small[key][1] != large[key][1]}
    # The demo differs in kind (no bookings this year, no SMS sent), so it is held to the bound only.
    heavy = {key: n for counts in (demo, large) for key, (_, n) in counts.items() if n > MAX_QUERIES}
    failed = {key: large[key][0] for key in large if large[key][0] >= 500}
    assert not failed, failed
    assert not grew, "queries grow with the data (one year → three years): " + repr(grew)
    assert not heavy, f"more than {MAX_QUERIES} queries: " + repr(heavy)
    assert Counter(status for status, _ in large.values())[200] > 60


def test_history_has_the_proportions_of_ten_years(app):
    """A year of history: a dozen meetings, hundreds of contacts, about 165 registrations a meeting."""
    load_demo()
    db.session.commit()
    added = load_history(1)
    db.session.commit()
    assert added["meetings"] == 12 and added["contacts"] == 500
    assert 150 * 12 <= added["registrations"] <= 170 * 12
    past = db.session.scalar(sa.select(sa.func.count(Meeting.id))
                             .where(Meeting.starts_at < dt.datetime.now(dt.UTC)))
    assert past >= 12 + 8


def test_the_mail_merge_chooses_its_recipients_in_a_fixed_number_of_queries(app):
    """Everyone who agreed to letters, chosen in SQL: not one query per contact in the register."""
    from brukermote.outreach.models import Consent, ConsentMethod, ConsentPurpose
    from brukermote.printing.services import select_contacts

    def add(n: int, start: int) -> None:
        for index in range(start, start + n):
            contact = Contact(name=f"Person {index:03d}", street="Veitvetveien 8", postcode="0596", city="Oslo")
            purpose = ConsentPurpose.news_post if index % 2 else ConsentPurpose.news_sms
            contact.consents.append(Consent(purpose=purpose, method=ConsentMethod.slip))
            db.session.add(contact)
        db.session.commit()

    def measured() -> tuple[int, int]:
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        db.session.remove()
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            chosen = select_contacts(None)
            assert all(c.consents_to(ConsentPurpose.news_post) for c in chosen)
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(chosen), len(statements)

    add(6, 0)
    few = measured()
    add(120, 6)
    many = measured()
    assert few[0] == 3 and many[0] == 63
    assert few[1] == many[1] <= 2
