"""Correcting what was recorded after a meeting: feedback entries edited or deleted, the head count deleted,
each delete undoable for a few minutes (``core.undo``)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from ..auth.models import User
from ..core import languages, undo
from ..extensions import db
from ..meetings.models import Meeting
from .models import Attendance, Feedback, FeedbackChannel, FollowUp, StaffCount, TopicStatus, TopicSuggestion
from .services import AttendanceError, FeedbackData, attendance_for, suggest_topic


def editable(feedback: Feedback) -> bool:
    """Entries the committee typed can be corrected; what a participant wrote on the feedback page is
    theirs (it can be deleted, as spam or by mistake, but not reworded)."""
    return feedback.channel != FeedbackChannel.web


def update_feedback(feedback: Feedback, data: FeedbackData) -> None:
    if not editable(feedback):
        raise AttendanceError(_("Feedback from the feedback page is the participant's own words: it cannot be "
                                "changed, only deleted."))
    if data.rating is not None and not 1 <= data.rating <= 5:
        raise AttendanceError(_("The rating is a face from 1 to 5."))
    if data.language not in languages.LANGUAGES:
        raise AttendanceError(_("Unknown language: %(code)s", code=data.language))
    if data.channel == FeedbackChannel.web:
        raise AttendanceError(_("Only participants give feedback on the feedback page."))
    if data.rating is None and not (data.useful.strip() or data.missing.strip() or data.topic_text.strip()):
        raise AttendanceError(_("Empty feedback: choose a face or write something."))
    topic_text = " ".join(data.topic_text.split())[:300]
    old_topic_id = feedback.topic_id
    if topic_text != feedback.topic_text:
        feedback.topic = suggest_topic(topic_text) if topic_text else None
    feedback.rating, feedback.useful, feedback.missing = data.rating, data.useful.strip(), data.missing.strip()
    feedback.topic_text, feedback.language, feedback.channel = topic_text, data.language, data.channel
    db.session.flush()
    _drop_unasked(old_topic_id)


def _drop_unasked(topic_id: int | None) -> None:
    """A suggestion nobody asks for any more (its only wish was a typo, corrected or deleted) leaves
    the backlog, instead of standing there with 0 requests. One the committee heard elsewhere, planned
    or decided on stays."""
    if topic_id is None:
        return
    topic = db.session.get(TopicSuggestion, topic_id)
    if topic is None or topic.extra_count or topic.status != TopicStatus.open or topic.meeting_id is not None:
        return
    if db.session.scalar(sa.select(sa.exists().where(Feedback.topic_id == topic_id))):
        return
    db.session.delete(topic)
    db.session.flush()


def delete_feedback(feedback: Feedback, user) -> undo.UndoEntry | None:
    payload = {"feedback": undo.snapshot(feedback),
               "follow_up": undo.snapshot(feedback.follow_up) if feedback.follow_up is not None else None}
    entry = undo.remember("feedback", payload, user, meeting_id=feedback.meeting_id)
    topic_id = feedback.topic_id
    db.session.delete(feedback)
    db.session.flush()
    _drop_unasked(topic_id)  # an undo counts the wish again under its words (``_restore_feedback``)
    return entry


def _restore_feedback(payload: dict) -> str:
    values = payload["feedback"]
    meeting = db.session.get(Meeting, values.get("meeting_id"))
    if meeting is None:
        raise undo.UndoError(_("The meeting is deleted; the feedback cannot come back."))
    feedback = undo.revive(Feedback, values)
    if db.session.get(Feedback, feedback.id) is not None:
        feedback.id = None
    feedback.entered_by_id = undo.existing_or_none(User, feedback.entered_by_id)
    if undo.existing_or_none(TopicSuggestion, feedback.topic_id) is None:
        # The suggestion was merged or removed meanwhile: count the wish again under its words.
        feedback.topic_id = None
        feedback.topic = suggest_topic(feedback.topic_text) if feedback.topic_text else None
    db.session.add(feedback)
    db.session.flush()
    if payload.get("follow_up"):
        follow = undo.revive(FollowUp, payload["follow_up"])
        follow.id, follow.feedback_id = None, feedback.id
        follow.reported_at_meeting_id = undo.existing_or_none(Meeting, follow.reported_at_meeting_id)
        db.session.add(follow)
        db.session.flush()
    return url_for("attendance.feedback", meeting_id=meeting.id) + f"#feedback-{feedback.id}"


def delete_attendance(meeting: Meeting, user) -> undo.UndoEntry | None:
    attendance = attendance_for(meeting)
    if attendance is None:
        raise AttendanceError(_("No attendance is recorded for this meeting."))
    payload = {"attendance": undo.snapshot(attendance), "staff": [undo.snapshot(s) for s in attendance.staff]}
    entry = undo.remember("attendance", payload, user, meeting_id=meeting.id)
    db.session.delete(attendance)
    db.session.flush()
    return entry


def _restore_attendance(payload: dict) -> str:
    values = payload["attendance"]
    meeting = db.session.get(Meeting, values.get("meeting_id"))
    if meeting is None:
        raise undo.UndoError(_("The meeting is deleted; the attendance cannot come back."))
    if attendance_for(meeting) is not None:
        raise undo.UndoError(_("Attendance was recorded again meanwhile; the deleted count is not put back over it."))
    attendance = undo.revive(Attendance, values)
    if db.session.get(Attendance, attendance.id) is not None:
        attendance.id = None
    attendance.recorded_by_id = undo.existing_or_none(User, attendance.recorded_by_id)
    db.session.add(attendance)
    db.session.flush()
    for values in payload.get("staff") or []:
        staff = undo.revive(StaffCount, values)
        staff.id, staff.attendance_id = None, attendance.id
        db.session.add(staff)
    db.session.flush()
    db.session.expire(attendance, ["staff"])
    return url_for("meetings.detail", meeting_id=meeting.id) + "#attendance"


undo.register("feedback", _restore_feedback)
undo.register("attendance", _restore_attendance)
