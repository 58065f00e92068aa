"""Trends from a generated history of ten years (some 200 meetings): the figures are right, and the
reports page renders them with a bounded number of SQL queries (no query per meeting)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
import sqlalchemy as sa

from brukermote.attendance import reports
from brukermote.attendance.counts import HeadCount
from brukermote.attendance.models import Attendance, Feedback
from brukermote.core.timeutil import to_utc
from brukermote.extensions import db
from brukermote.meetings.models import BudgetCategory, BudgetLine, Meeting, MeetingStatus, MeetingType, Venue
from brukermote.outreach.models import Channel, Registration

TOPICS = ["Bolig", "Arbeid", "Helse", "Aktiviteter i bydelen"]
START = dt.date(2010, 1, 13)


def generate(count: int):
    """Meetings every ~18 days; counts cycle through the three shapes the history has."""
    venues = [Venue(name=name) for name in ("Årvoll Gård", "Veitvet eldresenter", "NAV Bjerke")]
    db.session.add_all(venues)
    db.session.flush()
    plan = []
    for i in range(count):
        day = START + dt.timedelta(days=18 * i)
        evening = i % 3 == 0
        start = dt.time(17, 30) if evening else dt.time(13, 30)
        meeting = Meeting(type=MeetingType.dialogue_conference if i % 10 == 9 else MeetingType.user_meeting,
                          topic=TOPICS[i % 4], starts_at=to_utc(day, start),
                          ends_at=to_utc(day, start) + dt.timedelta(hours=2), venue_id=venues[i % 3].id,
                          status=MeetingStatus.held, target_languages=["nb", "so", "ar"],
                          interpreter_languages=["so", "ar"])
        db.session.add(meeting)
        plan.append((meeting, i))
    db.session.flush()
    expected = []
    for meeting, i in plan:
        base = 5 + (i * 7) % 23
        if i % 4 == 0:
            count_ = HeadCount(base, base + 5)
            attendance = Attendance(meeting_id=meeting.id, people_low=base, people_high=base + 5)
        elif i % 4 == 1:
            count_ = HeadCount(base, base, True)
            attendance = Attendance(meeting_id=meeting.id, people_low=base, people_high=base, people_approx=True)
        elif i % 4 == 2:
            count_ = HeadCount(base + 3, base + 3)
            attendance = Attendance(meeting_id=meeting.id, adults_low=base, adults_high=base, children_low=3,
                                    children_high=3)
        else:
            count_ = None  # not counted
            attendance = None
        interpreted = ["so", "ar"] if i % 2 == 0 else (["so"] if i % 5 else [])
        if attendance is not None:
            attendance.interpreted_languages = interpreted
            db.session.add(attendance)
        cost = Decimal(1000 + 100 * (i % 5))
        db.session.add(BudgetLine(meeting_id=meeting.id, category=BudgetCategory.venue, estimated=cost,
                                  actual=cost))
        db.session.add(BudgetLine(meeting_id=meeting.id, category=BudgetCategory.interpreters,
                                  estimated=Decimal(900), actual=None))
        db.session.add(Registration(meeting_id=meeting.id, channel=Channel.reply_slip, adults=1, came=i % 2 == 0))
        db.session.add(Feedback(meeting_id=meeting.id, rating=1 + i % 5, language="nb"))
        expected.append((meeting, i, count_, interpreted if attendance is not None else ["so", "ar"],
                         cost + Decimal(900)))
    db.session.commit()
    return expected


def test_trend_figures_from_ten_years_are_right(app):
    expected = generate(200)
    last = expected[-1][0].starts_at.date()
    assert (last - START).days > 365 * 9.8  # ten years of history
    facts = reports.meeting_facts(reports.reported_meetings(None, None))
    assert len(facts) == 200
    # By time of day, computed independently from the generation plan.
    sums = defaultdict(lambda: [0, 0, 0])
    for _meeting, i, count, _langs, _cost in expected:
        if count is not None:
            key = "Kveld" if i % 3 == 0 else "Dagtid"
            sums[key][0] += 1
            sums[key][1] += count.low
            sums[key][2] += count.high
    with app.test_request_context():
        groups = {g.label: g for g in reports.group_by(facts, reports.time_of_day_label)}
        assert set(groups) == {"Kveld", "Dagtid"}
        for label, (n, low, high) in sums.items():
            assert groups[label].counted == n
            assert groups[label].low == pytest.approx(low / n) and groups[label].high == pytest.approx(high / n)
        by_type = {g.label: g.meetings for g in reports.group_by(facts, reports.type_label)}
        assert by_type == {"Dialogkonferanse": 20, "Brukermøte": 180}
    # Totals: people as a range, approximations carried, costs (actual where known, else the estimate).
    totals = reports.totals(facts)
    counted = [c for _m, _i, c, _l, _c in expected if c is not None]
    assert totals.counted == len(counted) == 150
    assert (totals.participants.low, totals.participants.high) == (sum(c.low for c in counted),
                                                                   sum(c.high for c in counted))
    assert totals.participants.approximate
    assert totals.cost == sum(c for *_rest, c in expected)
    assert totals.interpreter_cost == Decimal(900) * 200
    # Per participant: only the meetings that were counted, or uncounted meetings would inflate it.
    counted_cost = sum(c for _m, _i, count, _l, c in expected if count is not None)
    middle = Decimal(str((totals.participants.low + totals.participants.high) / 2))
    assert totals.cost_per_participant == (counted_cost / middle).quantize(Decimal("0.01"))
    # Interpreter use by year.
    years, order = reports.interpreter_use(facts)
    assert [y.year for y in years] == list(range(2010, 2020))
    so_2012 = sum(1 for m, _i, _c, langs, _ in expected if m.starts_at.year == 2012 and "so" in langs)
    assert {y.year: y.languages.get("so", (0, 0))[0] for y in years}[2012] == so_2012
    assert order[0] == "so"
    # Cost per participant uses the middle of a range.
    fact = facts[0]
    assert fact.cost_per_participant == (Decimal(1900) / Decimal(str((5 + 10) / 2))).quantize(Decimal("0.01"))


def _queries_for(app, client, url):
    statements = []

    def count(*_args):
        statements.append(1)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements), response.get_data(as_text=True)


def test_reports_page_uses_a_bounded_number_of_queries(app, admin_client):
    generate(20)
    small, _page = _queries_for(app, admin_client, "/reports")
    generate(180)
    large, page = _queries_for(app, admin_client, "/reports")
    assert large == small, (small, large)
    assert 5 <= large <= 25
    assert page.count("<svg") >= 8 and "<table" in page
    assert 'src="http' not in page and "cdn" not in page.lower()  # charts drawn on the server, no CDN
    # The date filter narrows the charts and the tables.
    _n, narrowed = _queries_for(app, admin_client, "/reports?from=2012-01-01&to=2012-12-31")
    assert "2012-" in narrowed and "2011-" not in narrowed and "2013-" not in narrowed


def test_interpreter_costs_per_language_come_from_the_bookings(app):
    from brukermote.interpreters.models import BookingStatus, InterpreterBooking, InterpreterProvider

    [(meeting, *_rest), *_others] = generate(2)
    provider = InterpreterProvider(name="Tolketjenesten", lead_time_days=14)
    db.session.add(provider)
    db.session.flush()
    for code, cost, status in [("so", Decimal("1200"), BookingStatus.delivered),
                               ("ar", Decimal("1500"), BookingStatus.delivered),
                               ("ti", Decimal("900"), BookingStatus.cancelled)]:
        db.session.add(InterpreterBooking(meeting_id=meeting.id, language=code, provider_id=provider.id,
                                          arrives_at=meeting.starts_at - dt.timedelta(minutes=15),
                                          status=status, estimated_cost=cost))
    db.session.commit()
    facts = reports.meeting_facts(reports.reported_meetings(None, None))
    fact = next(f for f in facts if f.meeting.id == meeting.id)
    assert fact.interpreter_cost_by_language == {"so": Decimal("1200.00"), "ar": Decimal("1500.00")}
    assert fact.interpreter_cost == Decimal("2700.00")  # the bookings, not the budget's estimate of 900
    years, _order = reports.interpreter_use(facts)
    assert years[0].languages["ar"] == (1, Decimal("1500.00"))
