"""The demo data gives a newcomer real-looking interpreter data: providers, interpreters, bookings,
warnings on the coming meeting, demand and costs."""

from __future__ import annotations

import sqlalchemy as sa

from brukermote.extensions import db
from brukermote.interpreters import services
from brukermote.interpreters.models import BookingStatus, Interpreter, InterpreterBooking, InterpreterProvider
from brukermote.meetings.models import Meeting, MeetingStatus


def test_demo_load_adds_interpreter_data(runner, client):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    client.post("/login", data={"email": "medlem@example.org", "password": "brukermote-demo"})
    member_client = client
    assert db.session.scalar(sa.select(sa.func.count(InterpreterProvider.id))) == 2
    assert db.session.scalar(sa.select(sa.func.count(Interpreter.id))) >= 5
    upcoming = db.session.scalar(sa.select(Meeting).where(Meeting.status == MeetingStatus.planned))
    statuses = {b.language: b.status for b in services.bookings(upcoming)}
    assert statuses == {"so": BookingStatus.confirmed, "ar": BookingStatus.ordered, "ti": BookingStatus.needed}
    messages = [w.message for w in services.warnings(upcoming)]
    assert any("tamil" in m for m in messages)  # asked for, not booked
    suggestions = [s.code for s in services.demand(upcoming)]
    assert suggestions[:2] == ["ti", "ta"] and "so" in suggestions
    delivered = db.session.scalar(sa.select(sa.func.count(InterpreterBooking.id))
                                  .where(InterpreterBooking.status == BookingStatus.delivered))
    assert delivered >= 12
    assert services.language_costs()[0].code in ("so", "ar")
    page = member_client.get(f"/meetings/{upcoming.id}/interpreters")
    assert page.status_code == 200
    assert member_client.get("/interpreters/costs?start=2007-01-01&end=2009-12-31").status_code == 200
