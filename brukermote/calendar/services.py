"""iCalendar output: stable UIDs, TZID=Europe/Oslo with a VTIMEZONE, SEQUENCE raised on changes,
cancelled meetings kept (STATUS:CANCELLED, same UID) so subscribers' calendars update."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app
from icalendar import Alarm, Calendar, Event, Timezone
from sqlalchemy.orm import selectinload

from ..core.timeutil import local_zone, utcnow
from ..extensions import db
from ..meetings.models import Meeting, MeetingStatus, Task

PRODID = "-//Brukermøte//brukermote//NO"

#: Other domains add events to a member's private feed: ``fn(user) -> list[Event]``
#: (interpreter arrival times come from the interpreter bookings this way).
private_event_providers: list = []

_STATUS = {
    MeetingStatus.draft: "TENTATIVE",
    MeetingStatus.planned: "TENTATIVE",
    MeetingStatus.published: "CONFIRMED",
    MeetingStatus.held: "CONFIRMED",
    MeetingStatus.cancelled: "CANCELLED",
}


#: The domain part of every UID. Fixed, not taken from PUBLIC_BASE_URL: a UID must never change, or
#: moving the installation to a new address would duplicate every event in subscribers' calendars.
UID_DOMAIN = "brukermote"

#: The statuses the public sees as they are; any other status of a once-published meeting means it
#: was taken back (published → planned, cancelled → draft) and is shown to subscribers as cancelled.
PUBLIC_STATUSES = (MeetingStatus.published, MeetingStatus.held, MeetingStatus.cancelled)


def _domain() -> str:
    return UID_DOMAIN


def new_calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", str(local_zone()))
    return calendar


def meeting_event(meeting: Meeting, *, alarm_minutes: int | None = None, public: bool = False) -> Event:
    """The meeting as a VEVENT. ``public``: as the public feed shows it, where a meeting taken back
    from the public is a cancellation (subscribers' copies would otherwise stay as they were)."""
    zone = local_zone()
    withdrawn = public and meeting.status not in PUBLIC_STATUSES
    event = Event()
    event.add("uid", f"meeting-{meeting.uid}@{_domain()}")
    event.add("dtstamp", utcnow())
    event.add("last-modified", meeting.updated_at)
    event.add("sequence", meeting.ical_sequence)
    event.add("dtstart", meeting.starts_at.astimezone(zone))
    event.add("dtend", meeting.ends_at.astimezone(zone))
    event.add("summary", meeting.topic or str(meeting.type.title))
    event.add("status", "CANCELLED" if withdrawn else _STATUS[meeting.status])
    if withdrawn:
        # What the committee changed after taking the meeting back is a draft again: not public.
        # The public page is gone too, so no URL.
        event.add("description", "AVLYST")
        return event
    if meeting.venue is not None:
        event.add("location", ", ".join(p for p in (meeting.venue.name, meeting.venue.address) if p))
    description = meeting.description or ""
    if meeting.status == MeetingStatus.cancelled and meeting.cancel_reason:
        description = f"AVLYST: {meeting.cancel_reason}\n\n{description}".strip()
    if description:
        event.add("description", description)
    if meeting.published_at is not None:
        event.add("url", f"{current_app.config['PUBLIC_BASE_URL']}/m/{meeting.uid}")
    if alarm_minutes and meeting.status != MeetingStatus.cancelled:
        event.add_component(_alarm(meeting.topic or "Møte", dt.timedelta(minutes=-alarm_minutes)))
    return event


def task_sequence(task: Task) -> int:
    """SEQUENCE of a task's event, derived without a column of its own: every change of the meeting
    (which moves the due date or cancels the task) raises it by two, ticking the task off by one.
    So ticking always raises it, and a change of the meeting always outranks the tick."""
    return 2 * (task.meeting.ical_sequence or 0) + (1 if task.is_done else 0)


def task_event(task: Task) -> Event:
    """A checklist task as an all-day event on its due date (subscribed calendars show VEVENTs,
    many ignore VTODOs), with a reminder the morning before — only while there is something to do:
    a finished task, or one of a cancelled meeting, stays in the feed as cancelled, without alarm,
    so subscribers' copies stop reminding instead of lingering."""
    cancelled = task.meeting.status == MeetingStatus.cancelled
    event = Event()
    event.add("uid", f"task-{task.id}@{_domain()}")
    event.add("dtstamp", utcnow())
    event.add("sequence", task_sequence(task))
    event.add("dtstart", task.due_date)
    event.add("dtend", task.due_date + dt.timedelta(days=1))
    event.add("summary", f"Utført: {task.title}" if task.is_done else f"Oppgave: {task.title}")
    event.add("description", f"{task.meeting.topic} – {task.meeting.local_date.isoformat()}")
    event.add("status", "CANCELLED" if cancelled or task.is_done else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    if not (cancelled or task.is_done):
        event.add_component(_alarm(task.title, dt.timedelta(hours=-15)))
    return event


def _alarm(text: str, trigger: dt.timedelta) -> Alarm:
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", text)
    alarm.add("trigger", trigger)
    return alarm


#: Central European time as every calendar program writes it: the EU rule (last Sunday of March
#: and of October) as RRULEs, valid for every future year. icalendar's generated VTIMEZONE lists
#: single dates and stops in 2038, and some clients (ical.js among them) misread such long lists.
_CET_ZONES = {"Europe/Oslo", "Europe/Stockholm", "Europe/Copenhagen", "Europe/Berlin", "Europe/Amsterdam",
              "Europe/Paris", "Europe/Brussels", "Europe/Vienna", "Europe/Zurich", "Europe/Rome",
              "Europe/Madrid", "Europe/Warsaw", "Europe/Prague", "Europe/Budapest"}
_CET_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:{tzid}
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""


def to_ics(calendar: Calendar) -> bytes:
    tzid = str(local_zone())
    if tzid in _CET_ZONES:
        calendar.subcomponents.insert(0, Timezone.from_ical(_CET_VTIMEZONE.format(tzid=tzid).replace("\n", "\r\n")))
    calendar.add_missing_timezones()
    return calendar.to_ical()


# -- the three calendars ---------------------------------------------------------------------------

def public_meetings(eager: bool = False) -> list[Meeting]:
    """Meetings the public has seen: every meeting that was once published (``published_at`` stays
    set), whatever its status now — cancelled or taken back ones turn into cancellations in a
    subscriber's calendar instead of silently staying."""
    query = sa.select(Meeting).where(Meeting.published_at.is_not(None)).order_by(Meeting.starts_at)
    if eager:
        query = query.options(selectinload(Meeting.venue))
    return list(db.session.scalars(query))


def public_feed_version() -> tuple[str, dt.datetime | None]:
    """What the public feed is made of, in one query: its meetings and their venues (count and latest
    change). A new, moved, cancelled or renamed meeting, or an edited venue, is a new version."""
    from ..core.cache import version_of
    from ..core.models import Organisation
    from ..meetings.models import Venue

    count, latest, venue_latest = db.session.execute(
        sa.select(sa.func.count(Meeting.id), sa.func.max(Meeting.updated_at), sa.func.max(Venue.updated_at))
        .select_from(Meeting).outerjoin(Venue, Venue.id == Meeting.venue_id)
        .where(Meeting.published_at.is_not(None))).one()
    name = Organisation.current().name
    changed = max((t for t in (latest, venue_latest) if t is not None), default=None)
    return version_of("public-feed", count, latest, venue_latest, name), changed


def meeting_ics(meeting: Meeting) -> bytes:
    calendar = new_calendar(meeting.topic or "Brukermøte")
    calendar.add_component(meeting_event(meeting, alarm_minutes=120))
    return to_ics(calendar)


def public_feed(name: str) -> bytes:
    calendar = new_calendar(name)
    for meeting in public_meetings(eager=True):
        calendar.add_component(meeting_event(meeting, public=True))
    return to_ics(calendar)


def member_feed(user) -> bytes:
    calendar = new_calendar(f"Brukermøte – {user.name}")
    since = utcnow() - dt.timedelta(days=180)
    meetings = db.session.scalars(
        sa.select(Meeting).where(Meeting.ends_at >= since, Meeting.status != MeetingStatus.draft).order_by(Meeting.starts_at)
        .options(selectinload(Meeting.venue))
    )
    for meeting in meetings:
        calendar.add_component(meeting_event(meeting, alarm_minutes=120))
    tasks = db.session.scalars(
        sa.select(Task).join(Meeting).where(Task.assignee_id == user.id, Meeting.ends_at >= since)
    )
    for task in tasks:
        calendar.add_component(task_event(task))
    for provider in private_event_providers:
        for event in provider(user):
            calendar.add_component(event)
    return to_ics(calendar)
