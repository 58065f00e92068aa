"""Trends across meetings and the Table 1 overview for funders.

Everything here is computed from a fixed number of queries whatever the number of meetings: one for
the meetings (venue joined), one for the head counts, one each for costs, registrations, feedback
and interpreter costs — never one per meeting.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from babel.dates import format_date
from flask_babel import force_locale, get_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload, lazyload

from ..core import languages
from ..core.timeutil import local_midnight_utc, local_zone, utcnow
from ..extensions import db
from ..meetings.models import BudgetCategory, BudgetLine, Meeting, MeetingStatus, MeetingType
from .counts import HeadCount
from .models import Attendance, Feedback

#: A meeting starting at or after this local hour is an evening meeting.
EVENING_FROM = dt.time(16, 0)

#: Interpreter costs by meeting and language from the interpreter bookings:
#: ``fn(meeting_ids) -> {(meeting_id, language): Decimal}`` (added by the interpreters domain).
interpreter_cost_sources: list[Callable[[list[int]], dict]] = []


@dataclass
class MeetingFacts:
    meeting: Meeting
    attendance: Attendance | None
    participants: HeadCount | None
    evening: bool
    #: Actual costs where known, else the estimate, by budget category.
    cost: Decimal = Decimal("0")
    interpreter_cost: Decimal = Decimal("0")
    interpreter_cost_by_language: dict[str, Decimal] = field(default_factory=dict)
    rating: float | None = None
    feedback_count: int = 0
    #: Languages of the meeting's delivered interpreter bookings; None when it has no bookings at all.
    delivered_languages: list[str] | None = None

    @property
    def interpreted(self) -> list[str]:
        if self.attendance is not None:
            return list(self.attendance.interpreted_languages or [])
        return list(self.meeting.interpreter_languages or [])

    @property
    def languages_used(self) -> list[str]:
        """Languages interpreted at the meeting: the delivered bookings, together with what the
        tally sheet says (historical meetings have no bookings, only the sheet). Without a tally
        sheet, a meeting with bookings is known by them, not by what was planned."""
        if self.delivered_languages is None:
            return self.interpreted
        recorded = list(self.attendance.interpreted_languages or []) if self.attendance is not None else []
        return recorded + [code for code in self.delivered_languages if code not in recorded]

    @property
    def cost_per_participant(self) -> Decimal | None:
        if not self.cost or self.participants is None or not self.participants.midpoint:
            return None
        return (self.cost / Decimal(str(self.participants.midpoint))).quantize(Decimal("0.01"))


def reported_meetings(start: dt.date | None, end: dt.date | None, now: dt.datetime | None = None) -> list[Meeting]:
    """Meetings that took place in the period: not cancelled, not the committee's own, already begun."""
    query = (sa.select(Meeting).options(joinedload(Meeting.venue))
             .where(Meeting.status != MeetingStatus.cancelled, Meeting.type != MeetingType.committee_meeting,
                    Meeting.starts_at <= (now or utcnow()))
             .order_by(Meeting.starts_at))
    # The calendar's first and last days are bounds that include everything, and have no UTC
    # counterpart (the day after 9999-12-31 does not exist; Oslo's year 1 begins in UTC's year 0).
    if start is not None and start > dt.date.min:
        query = query.where(Meeting.starts_at >= local_midnight_utc(start))
    if end is not None and end < dt.date.max:
        query = query.where(Meeting.starts_at < local_midnight_utc(end + dt.timedelta(days=1)))
    return list(db.session.scalars(query).unique())


def meeting_facts(meetings: list[Meeting]) -> list[MeetingFacts]:
    ids = [m.id for m in meetings]
    attendance = {a.meeting_id: a for a in db.session.scalars(
        sa.select(Attendance).options(lazyload(Attendance.staff)).where(Attendance.meeting_id.in_(ids)))}
    costs: dict[int, dict] = defaultdict(dict)
    for meeting_id, category, actual, estimated in db.session.execute(
            sa.select(BudgetLine.meeting_id, BudgetLine.category, sa.func.sum(BudgetLine.actual),
                      sa.func.sum(BudgetLine.estimated))
            .where(BudgetLine.meeting_id.in_(ids)).group_by(BudgetLine.meeting_id, BudgetLine.category)):
        costs[meeting_id][category] = Decimal(actual if actual is not None else (estimated or 0))
    ratings = {mid: (float(avg) if avg is not None else None, int(n)) for mid, avg, n in db.session.execute(
        sa.select(Feedback.meeting_id, sa.func.avg(Feedback.rating), sa.func.count(Feedback.id))
        .where(Feedback.meeting_id.in_(ids)).group_by(Feedback.meeting_id))}
    delivered = _delivered_languages(ids)
    booked: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for source in interpreter_cost_sources:
        for (meeting_id, language), amount in source(ids).items():
            booked[meeting_id][language] = booked[meeting_id].get(language, Decimal("0")) + Decimal(amount)
    zone = local_zone()
    result = []
    for meeting in meetings:
        record = attendance.get(meeting.id)
        by_category = costs.get(meeting.id, {})
        by_language = booked.get(meeting.id, {})
        interpreters = sum(by_language.values(), Decimal("0")) if by_language else \
            by_category.get(BudgetCategory.interpreters, Decimal("0"))
        other = sum((v for k, v in by_category.items() if k != BudgetCategory.interpreters), Decimal("0"))
        rating, count = ratings.get(meeting.id, (None, 0))
        result.append(MeetingFacts(
            meeting=meeting, attendance=record, participants=record.participants if record else None,
            evening=meeting.starts_at.astimezone(zone).time() >= EVENING_FROM,
            cost=other + interpreters, interpreter_cost=interpreters, interpreter_cost_by_language=by_language,
            rating=rating, feedback_count=count, delivered_languages=delivered.get(meeting.id)))
    return result


def _delivered_languages(ids: list[int]) -> dict[int, list[str]]:
    """Per meeting that has interpreter bookings, the languages of the delivered ones (one query)."""
    from ..interpreters.models import BookingStatus, InterpreterBooking

    result: dict[int, list[str]] = {}
    if not ids:
        return result
    for meeting_id, language, status in db.session.execute(
            sa.select(InterpreterBooking.meeting_id, InterpreterBooking.language, InterpreterBooking.status)
            .where(InterpreterBooking.meeting_id.in_(ids)).order_by(InterpreterBooking.id)):
        languages = result.setdefault(meeting_id, [])
        if status == BookingStatus.delivered and language not in languages:
            languages.append(language)
    return result


# -- groupings for the charts -------------------------------------------------------------------

@dataclass
class Group:
    label: str
    meetings: int = 0
    counted: int = 0
    low_sum: int = 0
    high_sum: int = 0

    @property
    def low(self) -> float | None:
        return self.low_sum / self.counted if self.counted else None

    @property
    def high(self) -> float | None:
        return self.high_sum / self.counted if self.counted else None


def group_by(facts: list[MeetingFacts], key: Callable[[MeetingFacts], str]) -> list[Group]:
    """Average attendance per group, as a range (mean of the lows – mean of the highs)."""
    groups: dict[str, Group] = {}
    for fact in facts:
        label = key(fact)
        group = groups.setdefault(label, Group(label))
        group.meetings += 1
        if fact.participants is not None:
            group.counted += 1
            group.low_sum += fact.participants.low
            group.high_sum += fact.participants.high
    return sorted(groups.values(), key=lambda g: (-(g.high or 0), g.label))


def topic_label(fact: MeetingFacts) -> str:
    topic = " ".join((fact.meeting.topic or "").split()).rstrip("?").strip()
    return topic[:1].upper() + topic[1:] if topic else _("(no topic)")


def venue_label(fact: MeetingFacts) -> str:
    return fact.meeting.venue.name if fact.meeting.venue else _("(no venue)")


def time_of_day_label(fact: MeetingFacts) -> str:
    return _("Evening") if fact.evening else _("Daytime")


def type_label(fact: MeetingFacts) -> str:
    return str(fact.meeting.type.title)


@dataclass
class LanguageYear:
    year: int
    meetings: int
    #: language -> (meetings interpreted, cost)
    languages: dict[str, tuple[int, Decimal]]


def interpreter_use(facts: list[MeetingFacts]) -> tuple[list[LanguageYear], list[str]]:
    years: dict[int, LanguageYear] = {}
    seen: Counter = Counter()
    for fact in facts:
        year = fact.meeting.starts_at.astimezone(local_zone()).year
        row = years.setdefault(year, LanguageYear(year, 0, {}))
        row.meetings += 1
        used = fact.languages_used
        for code in used:
            n, cost = row.languages.get(code, (0, Decimal("0")))
            row.languages[code] = (n + 1, cost + fact.interpreter_cost_by_language.get(code, Decimal("0")))
            seen[code] += 1
        # A cost without an interpretation (a late cancellation's fee) still counts, so the costs by
        # language add up to the interpreter costs.
        for code, amount in fact.interpreter_cost_by_language.items():
            if code not in used:
                n, cost = row.languages.get(code, (0, Decimal("0")))
                row.languages[code] = (n, cost + amount)
                seen.setdefault(code, 0)
    return [years[y] for y in sorted(years)], [code for code, _n in seen.most_common()]


@dataclass
class Totals:
    meetings: int
    counted: int
    participants: HeadCount
    cost: Decimal
    interpreter_cost: Decimal
    #: The costs of the meetings that have a head count: the only ones a per-participant figure can use.
    counted_cost: Decimal = Decimal("0")

    @property
    def cost_per_participant(self) -> Decimal | None:
        mid = Decimal(str(self.participants.midpoint))
        return (self.counted_cost / mid).quantize(Decimal("0.01")) if mid else None


def totals(facts: list[MeetingFacts]) -> Totals:
    people = HeadCount(0, 0)
    counted, counted_cost = 0, Decimal("0")
    for fact in facts:
        if fact.participants is not None:
            people, counted = people + fact.participants, counted + 1
            counted_cost += fact.cost
    return Totals(len(facts), counted, people, sum((f.cost for f in facts), Decimal("0")),
                  sum((f.interpreter_cost for f in facts), Decimal("0")), counted_cost)


# -- Table 1 --------------------------------------------------------------------------------------

OVERVIEW_COLUMNS = ("date", "type", "venue", "topic", "participants", "languages", "interpreter")


def overview_headers() -> list[str]:
    return [_("date"), _("type"), _("venue"), _("topic"), _("users present"), _("invitation languages"),
            _("interpreter")]


def _participants_cell(record: Attendance | None) -> str:
    if record is None:
        return "—"
    if record.adults is None and record.children is None:
        return record.people.display() if record.people else "—"
    parts = []
    if record.adults is not None:
        parts.append(ngettext("%(count)s adult", "%(count)s adults", record.adults.high,
                              count=record.adults.display()))
    if record.children is not None:
        parts.append(ngettext("%(count)s child", "%(count)s children", record.children.high,
                              count=record.children.display()))
    return ", ".join(parts)


def _language_name(code: str, ui: str) -> str:
    lang = languages.LANGUAGES.get(code)
    if lang is None:
        return code
    return lang.name_en if ui == "en" else lang.name_nb


def overview_rows(facts: list[MeetingFacts], ui: str | None = None) -> list[list[str]]:
    """Table 1 as the report gives it: one row per meeting, every cell a string, in the UI language
    (English for funders: the venue's English name and the English topic where there is one)."""
    from ..printing.models import MeetingText

    ui = ui or str(get_locale() or "nb")
    translated = {}
    if ui != "nb" and facts:
        translated = {row.meeting_id: row.text for row in db.session.scalars(sa.select(MeetingText).where(
            MeetingText.meeting_id.in_([f.meeting.id for f in facts]), MeetingText.language == ui,
            MeetingText.field == "topic")) if row.text.strip()}
    rows = []
    for fact in facts:
        meeting, record = fact.meeting, fact.attendance
        day = meeting.starts_at.astimezone(local_zone()).date()
        title = str(meeting.type.title)
        venue = meeting.venue
        venue_name = ((venue.name_en or venue.name) if ui == "en" else venue.name) if venue else "—"
        # A translation of an empty topic means nothing; no translation: the committee's own words.
        topic = translated.get(meeting.id, meeting.topic) if meeting.topic else ""
        interpreted = fact.interpreted
        note = ""
        if record is not None:
            note = (record.interpreter_note_en or record.interpreter_note) if ui == "en" else record.interpreter_note
        interpreter = _("yes") if interpreted else _("no")
        if note:
            interpreter = f"{interpreter} ({note})"
        rows.append([
            format_date(day, "MMM y", locale="en" if ui == "en" else "nb_NO"),
            title[:1].lower() + title[1:],
            venue_name,
            topic or "—",
            _participants_cell(record),
            ", ".join(_language_name(c, ui) for c in meeting.target_languages or []),
            interpreter,
        ])
    return rows


def overview(start: dt.date | None, end: dt.date | None, ui: str = "nb") -> tuple[list[str], list[list[str]]]:
    with force_locale(ui):
        facts = meeting_facts(reported_meetings(start, end))
        return overview_headers(), overview_rows(facts, ui)


#: Table 1 has seven columns; the spreadsheets add typed ones after them.
TABLE1_COLUMNS = 7


def overview_export_headers() -> list[str]:
    return overview_headers() + [_("day"), _("users present, lowest"), _("users present, highest"),
                                 _("cost (NOK)")]


def _typed_cells(fact: MeetingFacts) -> list:
    """The day as a date, the head count as numbers (a range as its two ends), the cost in NOK
    (actual where known, else estimated; empty where nothing is budgeted)."""
    from ..core.spreadsheets import Money

    people = fact.participants
    return [fact.meeting.starts_at.astimezone(local_zone()).date(),
            people.low if people is not None else None, people.high if people is not None else None,
            Money(fact.cost) if fact.cost else None]


def overview_export(start: dt.date | None, end: dt.date | None, ui: str = "nb") -> tuple[list[str], list[list]]:
    """Table 1 for the spreadsheets: its seven text cells, then the typed ones (``_typed_cells``)."""
    with force_locale(ui):
        facts = meeting_facts(reported_meetings(start, end))
        rows = [text + _typed_cells(fact) for text, fact in zip(overview_rows(facts, ui), facts, strict=True)]
        return overview_export_headers(), rows
