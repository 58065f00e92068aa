"""Meeting operations, usable from views, the CLI and background tasks alike."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import object_session, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ..core import validation
from ..core.hooks import Warning, registry
from ..core.models import Organisation
from ..core.timeutil import to_utc, utcnow
from ..extensions import db
from .models import (
    STATUS_TRANSITIONS,
    BudgetCategory,
    BudgetLine,
    ChecklistPhase,
    ChecklistTemplateItem,
    Meeting,
    MeetingStatus,
    MeetingType,
    ProgrammeItem,
    ProgrammeKind,
    Task,
    Venue,
)


class MeetingError(ValueError):
    """A request the domain refuses, with a message fit for the user."""


class ConflictError(MeetingError):
    """Someone else saved the meeting since this form was loaded."""


#: The committee's task list from the report's hand-over guide (chapter 5). Stored data, in the
#: committee's working language; admins edit it on the checklist page.
DEFAULT_CHECKLIST: list[tuple[ChecklistPhase, str, int]] = [
    (ChecklistPhase.before, "Bestem tema, dato og sted", -42),
    (ChecklistPhase.before, "Inviter innledere; be dem snakke langsomt og uten faguttrykk, for tolkene", -35),
    (ChecklistPhase.before, "Bestill lokale", -35),
    (ChecklistPhase.before, "Bestill oversettelse av plakater og invitasjoner; få dem godkjent av en som kan språket", -28),
    (ChecklistPhase.before, "Bestill tolker", -21),
    (ChecklistPhase.before, "Send invitasjonsbrev", -21),
    (ChecklistPhase.before, "Start å legge ved invitasjoner i kontorets utgående post", -21),
    (ChecklistPhase.before, "Heng opp plakater", -14),
    (ChecklistPhase.before, "Gi flygeblader til saksbehandlerne og sett opp stand i venterommet", -14),
    (ChecklistPhase.before, "Bestill mat og barnepass", -10),
    (ChecklistPhase.before, "Stopp vedlegg av invitasjoner i utgående post", -7),
    (ChecklistPhase.before, "Send SMS-påminnelser", -2),
    (ChecklistPhase.before, "Skriv ut påmeldingslapper, tilbakemeldingsskjema, telleark og program", -2),
    (ChecklistPhase.day, "Gi tolkene en orientering 15 minutter før start", 0),
    (ChecklistPhase.day, "Ta imot folk i døra og vis dem til tolken", 0),
    (ChecklistPhase.during, "Tell voksne, barn og ansatte på tellearket", 0),
    (ChecklistPhase.during, "Samle inn påmeldingslapper og tilbakemeldinger", 0),
    (ChecklistPhase.after, "Ta ned plakatene", 3),
    (ChecklistPhase.after, "Registrer oppmøte og tilbakemeldinger", 3),
    (ChecklistPhase.after, "Evaluer møtet i arbeidsutvalget", 14),
]


# -- checklist template ------------------------------------------------------------------------

def ensure_checklist_template() -> None:
    """Seed the editable template with the default list the first time it is needed."""
    if db.session.scalar(sa.select(sa.func.count(ChecklistTemplateItem.id))):
        return
    for position, (phase, title, offset) in enumerate(DEFAULT_CHECKLIST):
        db.session.add(ChecklistTemplateItem(phase=phase, title=title, offset_days=offset, position=position))
    db.session.flush()


def checklist_template() -> list[ChecklistTemplateItem]:
    ensure_checklist_template()
    return list(
        db.session.scalars(
            sa.select(ChecklistTemplateItem).order_by(
                ChecklistTemplateItem.offset_days, ChecklistTemplateItem.position
            )
        )
    )


def apply_checklist(meeting: Meeting) -> None:
    for item in checklist_template():
        if not item.active:
            continue
        types = item.meeting_types or []
        if types and meeting.type.value not in types:
            continue
        if not types and meeting.type == MeetingType.committee_meeting:
            continue
        meeting.tasks.append(
            Task(
                template_item_id=item.id,
                phase=item.phase,
                title=item.title,
                offset_days=item.offset_days,
                position=item.position,
            )
        )


# -- meetings -----------------------------------------------------------------------------------

@dataclass
class MeetingData:
    """What a form (or the CLI, or the demo loader) says a meeting should be."""

    type: MeetingType
    topic: str
    day: dt.date
    start: dt.time
    end: dt.time
    venue_id: int | None = None
    description: str = ""
    catering: str = ""
    catering_halal: bool = False
    catering_vegetarian: bool = False
    childcare: bool = False
    target_languages: list[str] | None = None
    interpreter_languages: list[str] | None = None


def _check_limits(data: MeetingData) -> None:
    """The forms' limits, for the CLI, the API and copies too: a date in the years a committee plans in
    (a meeting in year 9999 could not be opened: its checklist's due dates overflow the calendar) and
    text the database and the printed posters can hold."""
    problem = validation.date_problem(_("Date"), data.day)
    for label, text, limit, multiline in ((_("Topic"), data.topic, 200, False),
                                          (_("Short description"), data.description, 2000, True),
                                          (_("Food and drink"), data.catering, 200, False)):
        problem = problem or validation.text_problem(label, text or "", limit, multiline)
    if problem:
        raise MeetingError(problem)
    if (data.start is not None and data.start.tzinfo is not None) or (data.end is not None and data.end.tzinfo):
        raise MeetingError(_("Give the times as Oslo wall-clock times, without an offset."))


def _times(data: MeetingData) -> tuple[dt.datetime, dt.datetime]:
    _check_limits(data)
    starts = to_utc(data.day, data.start)
    ends = to_utc(data.day, data.end)
    if ends <= starts:
        raise MeetingError(_("The meeting must end after it starts."))
    return starts, ends


def planned_times(data: MeetingData) -> tuple[dt.datetime, dt.datetime]:
    """The UTC start and end the data asks for, checked as a save would check them (nothing is saved)."""
    return _times(data)


def _check_venue(venue_id: int | None) -> None:
    if venue_id is not None and db.session.get(Venue, venue_id) is None:
        raise MeetingError(_("The chosen venue no longer exists."))


def create_meeting(data: MeetingData, created_by=None) -> Meeting:
    starts, ends = _times(data)
    _check_venue(data.venue_id)
    org = Organisation.current()
    meeting = Meeting(
        type=data.type,
        topic=data.topic.strip(),
        description=data.description.strip(),
        starts_at=starts,
        ends_at=ends,
        venue_id=data.venue_id,
        catering=data.catering.strip(),
        catering_halal=data.catering_halal,
        catering_vegetarian=data.catering_vegetarian,
        childcare=data.childcare,
        target_languages=list(data.target_languages if data.target_languages is not None else org.default_target_languages),
        interpreter_languages=list(
            data.interpreter_languages if data.interpreter_languages is not None else org.default_interpreter_languages
        ),
        created_by_id=getattr(created_by, "id", None),
    )
    db.session.add(meeting)
    apply_checklist(meeting)
    db.session.flush()
    return meeting


#: Listeners told when a meeting's time changes: ``fn(meeting, old_start, old_end)``.
#: Interpreter bookings and SMS reminders subscribe so they move with the meeting.
time_change_listeners: list = []
#: Listeners told when a meeting is created from the form: ``fn(meeting, query_args)`` (e.g. the
#: topic backlog marks the suggestion it was planned from).
created_listeners: list = []
#: Listeners told when a meeting is cancelled: ``fn(meeting)``.
cancel_listeners: list = []


def update_meeting(meeting: Meeting, data: MeetingData, expected_version: int) -> Meeting:
    """Apply a form's data; refuse if the meeting changed since the form was loaded."""
    if meeting.version != expected_version:
        raise ConflictError(
            _("Someone else saved this meeting while you were editing it. Your changes were not saved.")
        )
    starts, ends = _times(data)
    _check_venue(data.venue_id)
    old_start, old_end = meeting.starts_at, meeting.ends_at
    moved = (starts, ends) != (old_start, old_end)
    # RFC 5545: SEQUENCE rises on every change subscribers see (summary, description, place, time),
    # once per save, so their calendars replace the old copy.
    # (The summary is the topic, or the type's title when there is no topic.)
    topic = data.topic.strip()
    summary_changed = topic != (meeting.topic or "") or (not topic and data.type != meeting.type)
    if (moved or data.venue_id != meeting.venue_id or summary_changed
            or data.description.strip() != (meeting.description or "")):
        meeting.ical_sequence += 1
    meeting.type = data.type
    meeting.topic = data.topic.strip()
    meeting.description = data.description.strip()
    meeting.starts_at, meeting.ends_at = starts, ends
    meeting.venue_id = data.venue_id
    meeting.catering = data.catering.strip()
    meeting.catering_halal = data.catering_halal
    meeting.catering_vegetarian = data.catering_vegetarian
    meeting.childcare = data.childcare
    if data.target_languages is not None:
        meeting.target_languages = list(data.target_languages)
    if data.interpreter_languages is not None:
        meeting.interpreter_languages = list(data.interpreter_languages)
    db.session.flush()
    if moved:
        for listener in time_change_listeners:
            listener(meeting, old_start, old_end)
    return meeting


def change_status(meeting: Meeting, new: MeetingStatus, reason: str = "") -> None:
    if new not in STATUS_TRANSITIONS[meeting.status]:
        raise MeetingError(
            _("A meeting that is %(old)s cannot become %(new)s.", old=str(meeting.status.title).lower(),
              new=str(new.title).lower())
        )
    if new == MeetingStatus.cancelled:
        if not reason.strip():
            raise MeetingError(_("Give a reason for cancelling; it is shown to participants."))
        meeting.cancel_reason = reason.strip()
    elif meeting.status == MeetingStatus.cancelled:
        meeting.cancel_reason = ""
    if new == MeetingStatus.published and meeting.venue_id is None:
        raise MeetingError(_("Choose a venue before publishing the meeting."))
    if new == MeetingStatus.held and meeting.starts_at > utcnow():
        raise MeetingError(_("A meeting cannot be marked as held before it has started."))
    meeting.status = new
    if new == MeetingStatus.published and meeting.published_at is None:
        meeting.published_at = utcnow()
    meeting.ical_sequence += 1
    db.session.flush()
    if new == MeetingStatus.cancelled:
        for listener in cancel_listeners:
            listener(meeting)


def copy_meeting(source: Meeting, day: dt.date, created_by=None) -> Meeting:
    """Start the next meeting from this one: same shape, new date, fresh checklist, draft status."""
    data = MeetingData(
        type=source.type,
        topic=source.topic,
        day=day,
        start=source.local_start.time(),
        end=source.local_end.time(),
        venue_id=source.venue_id,
        description=source.description,
        catering=source.catering,
        catering_halal=source.catering_halal,
        catering_vegetarian=source.catering_vegetarian,
        childcare=source.childcare,
        target_languages=list(source.target_languages or []),
        interpreter_languages=list(source.interpreter_languages or []),
    )
    meeting = create_meeting(data, created_by=created_by)
    meeting.copied_from_id = source.id
    for item in source.programme:
        meeting.programme.append(
            ProgrammeItem(
                position=item.position, kind=item.kind, title=item.title,
                speaker_id=item.speaker_id, minutes=item.minutes,
            )
        )
    for line in source.budget_lines:
        # Last time's actual cost is the best estimate for the next.
        meeting.budget_lines.append(
            BudgetLine(
                category=line.category, description=line.description,
                estimated=line.actual if line.actual is not None else line.estimated,
            )
        )
    db.session.flush()
    return meeting


def delete_meeting(meeting: Meeting) -> None:
    if meeting.status not in (MeetingStatus.draft, MeetingStatus.cancelled):
        raise MeetingError(_("Only draft or cancelled meetings can be deleted; cancel it first."))
    db.session.delete(meeting)
    db.session.flush()


# -- venues -------------------------------------------------------------------------------------

@sa.event.listens_for(Venue, "after_update")
def _venue_changed(_mapper, connection, venue: Venue) -> None:
    """A venue's name and address are every calendar event's LOCATION: a new name or address raises
    the SEQUENCE of the meetings still to come there (past ones keep the place as it was). A plain
    UPDATE, so the meetings' edit version stays and nobody's open meeting form is refused."""
    state = sa.inspect(venue)
    if not (state.attrs.name.history.has_changes() or state.attrs.address.history.has_changes()):
        return
    now = utcnow()
    table = Meeting.__table__
    connection.execute(table.update().where(table.c.venue_id == venue.id, table.c.ends_at >= now)
                       .values(ical_sequence=table.c.ical_sequence + 1))
    # Meetings this session already holds learn the new value, so a later save starts from it.
    # (Only what is loaded: reading an expired attribute here would query in the middle of a flush;
    # expired ones are read fresh from the database anyway.)
    session = object_session(venue)
    for obj in list(session.identity_map.values()) if session is not None else []:
        loaded = obj.__dict__
        if (isinstance(obj, Meeting) and {"venue_id", "ends_at", "ical_sequence"} <= loaded.keys()
                and loaded["venue_id"] == venue.id and loaded["ends_at"] >= now):
            set_committed_value(obj, "ical_sequence", (loaded["ical_sequence"] or 0) + 1)


def delete_venue(venue: Venue) -> None:
    used = db.session.scalar(sa.select(sa.func.count(Meeting.id)).where(Meeting.venue_id == venue.id))
    if used:
        raise MeetingError(
            ngettext("%(venue)s is used by %(num)d meeting and cannot be deleted.",
                     "%(venue)s is used by %(num)d meetings and cannot be deleted.", used, venue=venue.name)
        )
    db.session.delete(venue)
    db.session.flush()


# -- programme ----------------------------------------------------------------------------------

@dataclass
class ClockRow:
    item: ProgrammeItem
    starts: dt.datetime
    ends: dt.datetime
    overruns: bool


def programme_clock(meeting: Meeting) -> list[ClockRow]:
    """Each item with its running start and end time, and whether it runs past the meeting's end."""
    rows, clock = [], meeting.local_start
    end = meeting.local_end
    for item in meeting.programme:
        finish = clock + dt.timedelta(minutes=item.minutes or 0)
        rows.append(ClockRow(item, clock, finish, finish > end))
        clock = finish
    return rows


def add_programme_item(meeting: Meeting, kind: ProgrammeKind, title: str, minutes: int, speaker_id=None) -> ProgrammeItem:
    if minutes < 0:
        raise MeetingError(_("Minutes cannot be negative."))
    position = max((i.position for i in meeting.programme), default=-1) + 1
    item = ProgrammeItem(kind=kind, title=title.strip(), minutes=minutes, speaker_id=speaker_id, position=position)
    meeting.programme.append(item)
    db.session.flush()
    return item


def move_programme_item(item: ProgrammeItem, step: int) -> None:
    items = list(item.meeting.programme)
    index = items.index(item)
    other = index + step
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
        for position, row in enumerate(items):
            row.position = position
    db.session.flush()


# -- budget -------------------------------------------------------------------------------------

def set_budget(meeting: Meeting, values: dict[BudgetCategory, tuple[Decimal | None, Decimal | None]]) -> None:
    by_category = {line.category: line for line in meeting.budget_lines}
    for category, (estimated, actual) in values.items():
        for amount in (estimated, actual):
            if amount is not None and amount < 0:
                raise MeetingError(_("Amounts cannot be negative."))
        line = by_category.get(category)
        if line is None:
            if estimated is None and actual is None:
                continue
            line = BudgetLine(category=category)
            meeting.budget_lines.append(line)
        line.estimated, line.actual = estimated, actual
    db.session.flush()


# -- tasks --------------------------------------------------------------------------------------

def tick_task(task: Task, user, done: bool = True) -> None:
    task.done_at = utcnow() if done else None
    task.done_by_id = user.id if done else None
    db.session.flush()


def open_tasks(meeting: Meeting) -> list[Task]:
    return [t for t in meeting.tasks if not t.is_done]


# -- queries and warnings -----------------------------------------------------------------------

def upcoming_meetings(limit: int | None = None) -> list[Meeting]:
    query = (
        sa.select(Meeting)
        .where(Meeting.ends_at >= utcnow())
        .order_by(Meeting.starts_at)
        .options(selectinload(Meeting.venue))
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def next_meeting() -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .where(Meeting.ends_at >= utcnow(), Meeting.status != MeetingStatus.cancelled,
               Meeting.type != MeetingType.committee_meeting)
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def past_meetings(limit: int | None = None) -> list[Meeting]:
    query = (
        sa.select(Meeting)
        .where(Meeting.ends_at < utcnow())
        .order_by(Meeting.starts_at.desc())
        .options(selectinload(Meeting.venue))
    )
    if limit:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def meeting_warnings(meeting: Meeting) -> list[Warning]:
    from flask import url_for

    warnings: list[Warning] = []
    if meeting.is_cancelled:
        return [w for provider in registry.warning_providers for w in provider(meeting)]
    if meeting.venue is None:
        warnings.append(Warning("warning", _("No venue chosen yet."), url_for("meetings.edit", meeting_id=meeting.id)))
    elif not meeting.venue.is_neutral:
        warnings.append(Warning("warning", _("The venue is not a neutral place; people may stay away from a NAV office.")))
    elif meeting.venue.capacity is not None and meeting.venue.capacity == 0:
        warnings.append(Warning("info", _("The venue's capacity is not set.")))
    if meeting.programme_minutes > meeting.duration_minutes:
        warnings.append(
            Warning(
                "warning",
                _("The programme takes %(p)d minutes but the meeting lasts %(m)d minutes.",
                  p=meeting.programme_minutes, m=meeting.duration_minutes),
                url_for("meetings.programme", meeting_id=meeting.id),
            )
        )
    if meeting.status in (MeetingStatus.draft, MeetingStatus.planned, MeetingStatus.published):
        today = utcnow().astimezone(meeting.local_start.tzinfo).date()
        overdue = [t for t in meeting.tasks if not t.is_done and t.due_date < today]
        if overdue:
            warnings.append(
                Warning("warning", ngettext("%(num)d task is overdue.", "%(num)d tasks are overdue.", len(overdue)),
                        url_for("meetings.detail", meeting_id=meeting.id) + "#checklist")
            )
        if meeting.ends_at < utcnow():
            warnings.append(Warning("info", _("The meeting is over: mark it as held and record attendance.")))
    if not meeting.target_languages:
        warnings.append(Warning("info", _("No languages chosen for printed material.")))
    for provider in registry.warning_providers:
        warnings.extend(provider(meeting))
    return warnings


def usual_meeting_type() -> MeetingType:
    """The type most meetings have (a user meeting when there are none yet): what a new meeting starts as."""
    counts = sa.select(Meeting.type, sa.func.count(Meeting.id).label("n")).group_by(Meeting.type)
    row = db.session.execute(counts.order_by(sa.desc("n"), Meeting.type).limit(1)).first()
    return row[0] if row else MeetingType.user_meeting
