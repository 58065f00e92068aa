"""Demand: suggested languages from this meeting's registrations plus the history, in the documented order."""

from __future__ import annotations

import datetime as dt

from brukermote.extensions import db
from brukermote.interpreters import services
from brukermote.interpreters.models import BookingStatus, InterpreterBooking
from brukermote.meetings.models import MeetingStatus, MeetingType
from brukermote.outreach.models import Channel, Registration

from .conftest import new_meeting, today


def _book(meeting, code, status):
    db.session.add(InterpreterBooking(meeting_id=meeting.id, language=code, status=status,
                                      arrives_at=services.default_arrival(meeting), minutes=135))


def _register(meeting, *codes):
    for code in codes:
        db.session.add(Registration(meeting_id=meeting.id, channel=Channel.reply_slip, interpreter_language=code))


def _history():
    """Three held meetings, a cancelled one and a committee meeting before the coming one:

    ======  ===============================  =============================
    lang    used (delivered booking)          needed (registration/booking)
    ======  ===============================  =============================
    so      P1 P2 P3                          P1 P2 P3
    ar      P1 P2                             P1 P2 P3 (no-show)
    ti      –                                 P1 P2 (registrations)
    fa      P3                                P3
    ckb     –                                 P3 (registration)
    es      –                                 P3 (booking left "needed")
    ta      –                                 – (cancelled booking only)
    pl      –                                 – (only at the cancelled meeting)
    ur      –                                 – (only at a committee meeting)
    ======  ===============================  =============================
    """
    base = today() - dt.timedelta(days=400)
    p1, p2, p3 = (new_meeting(base + dt.timedelta(days=60 * i), status=MeetingStatus.held) for i in range(3))
    cancelled = new_meeting(base + dt.timedelta(days=200), status=MeetingStatus.cancelled)
    committee = new_meeting(base + dt.timedelta(days=210), status=MeetingStatus.held)
    committee.type = MeetingType.committee_meeting
    for m in (p1, p2, p3):
        _book(m, "so", BookingStatus.delivered)
    _book(p1, "ar", BookingStatus.delivered)
    _book(p2, "ar", BookingStatus.delivered)
    _book(p3, "ar", BookingStatus.no_show)
    _register(p1, "ti", "ti")
    _register(p2, "ti")
    _book(p3, "fa", BookingStatus.delivered)
    _register(p3, "ckb", "")
    _book(p3, "es", BookingStatus.needed)
    _book(p2, "ta", BookingStatus.cancelled)
    _register(cancelled, "pl")
    _book(cancelled, "pl", BookingStatus.delivered)
    _book(committee, "ur", BookingStatus.delivered)
    db.session.flush()
    return p1, p2, p3


def test_suggestions_order_registrations_then_used_then_needed_then_registry(app):
    _history()
    coming = new_meeting(today() + dt.timedelta(days=30), interpreter_languages=("so", "ar"))
    _register(coming, "ta", "ta", "ti", "nb", "")
    db.session.commit()

    suggestions = services.demand(coming)

    assert [s.code for s in suggestions] == ["ta", "ti", "so", "ar", "fa", "ckb", "es"]
    by_code = {s.code: s for s in suggestions}
    assert (by_code["ta"].registrations, by_code["ta"].used_at, by_code["ta"].needed_at) == (2, 0, 0)
    assert (by_code["ti"].registrations, by_code["ti"].used_at, by_code["ti"].needed_at) == (1, 0, 2)
    assert (by_code["so"].used_at, by_code["so"].needed_at) == (3, 3)
    assert (by_code["ar"].used_at, by_code["ar"].needed_at) == (2, 3)
    assert (by_code["fa"].used_at, by_code["fa"].needed_at) == (1, 1)
    assert by_code["so"].is_default and by_code["ar"].is_default and not by_code["ta"].is_default
    assert not any(s.covered for s in suggestions)


def test_booking_marks_a_suggestion_covered_without_moving_it(app):
    _history()
    coming = new_meeting(today() + dt.timedelta(days=30))
    _register(coming, "ta", "ta", "ti")
    db.session.flush()
    booking = services.book_language(coming, "ti", services.RequestSource.registration)
    assert booking.registration_id is not None
    suggestions = services.demand(coming)
    assert [s.code for s in suggestions][:3] == ["ta", "ti", "so"]
    assert {s.code for s in suggestions if s.covered} == {"ti"}
    services.change_booking_status(booking, BookingStatus.cancelled)
    assert not any(s.covered for s in services.demand(coming))


def test_history_is_limited_to_the_most_recent_meetings(app):
    _history()
    coming = new_meeting(today() + dt.timedelta(days=30), interpreter_languages=())
    db.session.flush()
    suggestions = services.demand(coming, limit=1)  # only P3
    assert [s.code for s in suggestions] == ["so", "fa", "ar", "ckb", "es"]
    assert {s.code: (s.used_at, s.needed_at) for s in suggestions} == {
        "so": (1, 1), "fa": (1, 1), "ar": (0, 1), "ckb": (0, 1), "es": (0, 1)}


def test_a_meeting_without_history_or_registrations_suggests_its_defaults(app):
    coming = new_meeting(today() + dt.timedelta(days=30), interpreter_languages=("ar", "so"))
    assert [s.code for s in services.demand(coming)] == ["so", "ar"]  # registry order breaks the tie
