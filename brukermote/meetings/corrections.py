"""Correcting the checklist and the programme: edit a task or a programme item, delete it, undo the delete."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _

from ..auth.models import User
from ..core import undo
from ..core.holidays import day_off, public_holiday
from ..extensions import db
from .models import (
    ChecklistPhase,
    ChecklistTemplateItem,
    Meeting,
    ProgrammeItem,
    ProgrammeKind,
    Speaker,
    Task,
)
from .services import MeetingError

#: The checklist's offsets: a year either side of the meeting.
OFFSET_LIMIT = 365


# -- due dates on days off -------------------------------------------------------------------------

def due_date_note(day: dt.date) -> str | None:
    """«Public holiday (Easter Monday)» or «Weekend (Saturday)» for a due date nobody is at work, else None."""
    reason = day_off(day)
    if reason is None:
        return None
    if public_holiday(day):
        return _("Public holiday (%(name)s)", name=reason)
    return _("Weekend (%(day)s)", day=reason)


def due_date_warning(task: Task) -> str | None:
    """What to tell the member who just set a task's due date, when it falls on a day off."""
    day = task.due_date
    reason = day_off(day)
    if reason is None:
        return None
    advice = _("Move it to a working day if someone must do it at the office.")
    if public_holiday(day):
        date = format_date(day, "d. MMMM")
        if reason == date:  # Norwegian calls 1 and 17 May by their date: «17. mai (17. mai)» says it twice
            return _("«%(task)s» is due on a public holiday, %(name)s.", task=task.title, name=reason) + " " + advice
        return _("«%(task)s» is due on a public holiday, %(name)s (%(date)s).", task=task.title, name=reason,
                 date=date) + " " + advice
    return _("«%(task)s» is due on a %(day)s (%(date)s).", task=task.title, day=reason,
             date=format_date(day, "d. MMMM")) + " " + advice


# -- tasks ---------------------------------------------------------------------------------------------

@dataclass
class TaskData:
    title: str
    phase: ChecklistPhase
    offset_days: int
    assignee_id: int | None = None


def _check_task(data: TaskData, current_assignee: int | None = None) -> None:
    if not data.title.strip():
        raise MeetingError(_("A task needs a title."))
    if not -OFFSET_LIMIT <= data.offset_days <= OFFSET_LIMIT:
        raise MeetingError(_("A task is due at most %(n)d days before or after the meeting.", n=OFFSET_LIMIT))
    # A new responsible must be an active member; one who was responsible before may stay so.
    if data.assignee_id is not None and data.assignee_id != current_assignee:
        user = db.session.get(User, data.assignee_id)
        if user is None or not user.is_active_member:
            raise MeetingError(_("Choose a member of the committee as responsible."))


def add_task(meeting: Meeting, data: TaskData) -> Task:
    _check_task(data)
    task = Task(title=data.title.strip(), phase=data.phase, offset_days=data.offset_days,
                assignee_id=data.assignee_id, position=len(meeting.tasks))
    meeting.tasks.append(task)
    db.session.flush()
    return task


def update_task(task: Task, data: TaskData) -> None:
    _check_task(data, current_assignee=task.assignee_id)
    task.title, task.phase, task.offset_days = data.title.strip(), data.phase, data.offset_days
    task.assignee_id = data.assignee_id
    db.session.flush()


def delete_task(task: Task, user) -> undo.UndoEntry | None:
    entry = undo.remember("task", undo.snapshot(task), user, meeting_id=task.meeting_id)
    db.session.delete(task)
    db.session.flush()
    return entry


def _restore_task(payload: dict) -> str:
    meeting = db.session.get(Meeting, payload.get("meeting_id"))
    if meeting is None:
        raise undo.UndoError(_("The meeting is deleted; the task cannot come back."))
    task = undo.revive(Task, payload)
    if db.session.get(Task, task.id) is not None:
        task.id = None
    task.assignee_id = undo.existing_or_none(User, task.assignee_id)
    task.done_by_id = undo.existing_or_none(User, task.done_by_id)
    task.template_item_id = undo.existing_or_none(ChecklistTemplateItem, task.template_item_id)
    db.session.add(task)
    db.session.flush()
    db.session.expire(meeting, ["tasks"])
    return url_for("meetings.detail", meeting_id=meeting.id) + "#checklist"


# -- programme items -----------------------------------------------------------------------------------

@dataclass
class ProgrammeData:
    kind: ProgrammeKind
    title: str
    minutes: int
    speaker_id: int | None = None


def update_programme_item(item: ProgrammeItem, data: ProgrammeData) -> None:
    if not 0 <= data.minutes <= 600:
        raise MeetingError(_("Between 0 and 600 minutes."))
    if data.speaker_id is not None and db.session.get(Speaker, data.speaker_id) is None:
        raise MeetingError(_("That speaker is no longer in the list. Choose another."))
    item.kind, item.title, item.minutes, item.speaker_id = data.kind, data.title.strip(), data.minutes, data.speaker_id
    db.session.flush()
    db.session.expire(item, ["speaker"])


def delete_programme_item(item: ProgrammeItem, user) -> undo.UndoEntry | None:
    meeting = item.meeting
    entry = undo.remember("programme_item", undo.snapshot(item), user, meeting_id=item.meeting_id)
    meeting.programme.remove(item)
    db.session.delete(item)
    for position, row in enumerate(meeting.programme):
        row.position = position
    db.session.flush()
    return entry


def _restore_programme_item(payload: dict) -> str:
    meeting = db.session.get(Meeting, payload.get("meeting_id"))
    if meeting is None:
        raise undo.UndoError(_("The meeting is deleted; the item cannot come back."))
    item = undo.revive(ProgrammeItem, payload)
    if db.session.get(ProgrammeItem, item.id) is not None:
        item.id = None
    item.speaker_id = undo.existing_or_none(Speaker, item.speaker_id)
    # Back where it was: the items after it move down one place.
    db.session.execute(sa.update(ProgrammeItem)
                       .where(ProgrammeItem.meeting_id == meeting.id, ProgrammeItem.position >= item.position)
                       .values(position=ProgrammeItem.position + 1))
    db.session.add(item)
    db.session.flush()
    db.session.expire(meeting, ["programme"])
    return url_for("meetings.programme", meeting_id=meeting.id)


def programme_fit(meeting: Meeting) -> tuple[str, int]:
    """("shorter" | "longer" | "exact", minutes of difference) between the programme and the meeting."""
    difference = meeting.programme_minutes - meeting.duration_minutes
    if difference < 0:
        return "shorter", -difference
    if difference > 0:
        return "longer", difference
    return "exact", 0


undo.register("task", _restore_task)
undo.register("programme_item", _restore_programme_item)
