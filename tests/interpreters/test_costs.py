"""Costs per meeting and per language over a period; interpreters as a share of the meeting's budget."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from brukermote.extensions import db
from brukermote.interpreters import services
from brukermote.interpreters.models import BookingStatus, InterpreterBooking
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import BudgetCategory, MeetingStatus

from .conftest import new_meeting


def _book(meeting, code, status, estimated=None, actual=None):
    booking = InterpreterBooking(meeting_id=meeting.id, language=code, status=status, minutes=135,
                                 arrives_at=services.default_arrival(meeting),
                                 estimated_cost=Decimal(estimated) if estimated else None,
                                 actual_cost=Decimal(actual) if actual else None)
    db.session.add(booking)
    return booking


def _data():
    march = new_meeting(dt.date(2031, 3, 12), topic="Arbeid", status=MeetingStatus.held)
    april = new_meeting(dt.date(2031, 4, 9), topic="Bolig", status=MeetingStatus.held)
    june = new_meeting(dt.date(2031, 6, 11), topic="Helse", status=MeetingStatus.planned)
    _book(march, "so", BookingStatus.delivered, "1875", "1950")
    _book(march, "ar", BookingStatus.delivered, "1875")  # no invoice yet: the estimate counts
    _book(march, "ti", BookingStatus.cancelled, "2000", "500")  # late cancellation fee
    _book(april, "so", BookingStatus.delivered, "1875", "1875")
    _book(april, "ta", BookingStatus.no_show, "2000")  # nothing to pay
    _book(june, "so", BookingStatus.ordered, "1875")
    meeting_services.set_budget(march, {BudgetCategory.venue: (Decimal("500"), None),
                                        BudgetCategory.interpreters: (Decimal("4000"), None),
                                        BudgetCategory.food: (Decimal("1500"), None)})
    db.session.commit()
    return march, april, june


def test_costs_per_meeting_with_share_of_budget(app):
    march, april, june = _data()
    rows = services.meeting_costs(dt.date(2031, 3, 1), dt.date(2031, 4, 30))
    assert [r.meeting.topic for r in rows] == ["Arbeid", "Bolig"]
    arbeid, bolig = rows
    assert (arbeid.bookings, arbeid.estimated, arbeid.actual, arbeid.cost) == (
        3, Decimal("3750.00"), Decimal("2450.00"), Decimal("4325.00"))  # 1950 + 1875 + 500
    assert arbeid.budget_total == Decimal("6000.00") and arbeid.budget_interpreters == Decimal("4000.00")
    # The share is of the meeting's whole cost with the bookings in place of the interpreter line
    # (500 venue + 1500 food + 4325 interpreters), not of the estimated budget that holds 4000 for them.
    assert arbeid.total_cost == Decimal("6325.00")
    assert round(arbeid.share, 4) == round(4325 / 6325, 4)
    assert bolig.cost == Decimal("1875.00") and bolig.share is None  # no budget
    assert services.meeting_cost(june).cost == Decimal("1875.00")


def test_costs_per_language_over_a_period(app):
    _data()
    rows = services.language_costs(dt.date(2031, 3, 1), dt.date(2031, 4, 30))
    by_code = {r.code: r for r in rows}
    assert [r.code for r in rows] == ["so", "ar", "ti", "ta"]  # most expensive first
    assert (by_code["so"].meetings, by_code["so"].bookings, by_code["so"].delivered, by_code["so"].cost) == (
        2, 2, 2, Decimal("3825.00"))
    assert by_code["ti"].cost == Decimal("500.00") and by_code["ti"].estimated == Decimal("0.00")
    assert by_code["ta"].cost == Decimal("0.00")
    # The period is by the meeting's local date, both ends included.
    assert {r.code for r in services.language_costs(dt.date(2031, 4, 9), dt.date(2031, 4, 9))} == {"so", "ta"}
    assert services.language_costs(dt.date(2031, 6, 12), None) == []


def test_costs_page_filters_by_period_and_refuses_a_reversed_one(member_client):
    _data()
    html = member_client.get("/interpreters/costs?start=2031-03-01&end=2031-04-30").get_data(as_text=True)
    assert "Arbeid" in html and "Bolig" in html and "Helse" not in html
    assert "kr 4\xa0325,00" in html
    assert "68\xa0%" in html and "72\xa0%" not in html  # 4325 of 6325, not of the 6000 budgeted
    response = member_client.get("/interpreters/costs?start=2031-04-30&end=2031-03-01")
    assert response.status_code == 422
    assert "Slutten av perioden er før starten." in response.get_data(as_text=True)
    response = member_client.get("/interpreters/costs?start=2031-02-30")
    assert response.status_code == 422
    for query in ("start=0001-01-01", "end=9999-12-31"):
        response = member_client.get(f"/interpreters/costs?{query}")
        assert response.status_code == 422
        assert "Velg en dato mellom 1900 og 2999." in response.get_data(as_text=True)


def test_share_never_exceeds_the_whole_and_matches_the_reports_total(app):
    """Invoices above the interpreter budget line gave shares above 100 %; the share is now of the
    meeting's total cost as /reports counts it."""
    from brukermote.attendance import reports

    meeting = new_meeting(dt.date(2031, 5, 7), topic="Skole", status=MeetingStatus.held)
    _book(meeting, "so", BookingStatus.delivered, "1875", "3100")
    _book(meeting, "ar", BookingStatus.delivered, "1875", "2900")
    meeting_services.set_budget(meeting, {BudgetCategory.venue: (Decimal("1000"), Decimal("800")),
                                          BudgetCategory.interpreters: (Decimal("1500"), None)})
    db.session.commit()

    row = services.meeting_cost(meeting)
    assert row.cost == Decimal("6000.00")
    assert row.total_cost == Decimal("6800.00")  # 800 actual for the venue + 6000 interpreters
    assert 0 < row.share <= 1 and round(row.share, 4) == round(6000 / 6800, 4)
    facts = reports.meeting_facts([meeting])[0]
    assert facts.cost == row.total_cost and facts.interpreter_cost == row.cost
