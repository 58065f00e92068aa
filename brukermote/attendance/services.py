"""Recording what happened: head counts, feedback (paper, plenary, the public page), follow-ups and
the topic backlog."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import contains_eager

from ..core import languages
from ..core.timeutil import utcnow
from ..extensions import db
from ..meetings.models import Meeting, MeetingStatus
from .counts import HeadCount
from .models import Attendance, Feedback, FeedbackChannel, FollowUp, StaffCount, TopicStatus, TopicSuggestion

#: The public feedback page stays open this long after the meeting ends.
FEEDBACK_OPEN_DAYS = 30


class AttendanceError(ValueError):
    pass


@dataclass
class AttendanceData:
    adults: HeadCount | None = None
    children: HeadCount | None = None
    people: HeadCount | None = None
    #: (organisation, count)
    staff: list[tuple[str, HeadCount]] = field(default_factory=list)
    organisers: int = 0
    speakers: int = 0
    walk_ins: int = 0
    interpreted_languages: list[str] = field(default_factory=list)
    interpreter_note: str = ""
    interpreter_note_en: str = ""
    notes: str = ""


def attendance_for(meeting: Meeting) -> Attendance | None:
    return db.session.scalar(sa.select(Attendance).where(Attendance.meeting_id == meeting.id))


def record_attendance(meeting: Meeting, data: AttendanceData, user=None) -> Attendance:
    if meeting.status == MeetingStatus.cancelled:
        raise AttendanceError(_("The meeting was cancelled; there is no attendance to record."))
    if meeting.starts_at > utcnow():
        raise AttendanceError(_("The meeting has not started yet; record attendance when it has been held."))
    if data.people is not None and (data.adults is not None or data.children is not None):
        raise AttendanceError(_(
            "Give either adults and children, or everyone together when they were not counted apart – not both."))
    if min(data.organisers, data.speakers, data.walk_ins) < 0:
        raise AttendanceError(_("Counts cannot be negative."))
    unknown = [c for c in data.interpreted_languages if c not in languages.LANGUAGES]
    if unknown:
        raise AttendanceError(_("Unknown language: %(code)s", code=", ".join(unknown)))
    attendance = attendance_for(meeting)
    if attendance is None:
        attendance = Attendance(meeting_id=meeting.id)
        db.session.add(attendance)
    attendance.set_count("adults", data.adults)
    attendance.set_count("children", data.children)
    attendance.set_count("people", data.people)
    attendance.organisers, attendance.speakers, attendance.walk_ins = data.organisers, data.speakers, data.walk_ins
    attendance.interpreted_languages = list(data.interpreted_languages)
    attendance.interpreter_note = data.interpreter_note.strip()
    attendance.interpreter_note_en = data.interpreter_note_en.strip()
    attendance.notes = data.notes.strip()
    attendance.recorded_by_id = getattr(user, "id", None)
    attendance.staff = [
        StaffCount(position=i, organisation=org.strip(), count_low=count.low, count_high=count.high,
                   count_approx=count.approximate)
        for i, (org, count) in enumerate(data.staff) if org.strip()
    ]
    from ..meetings import services as meeting_services

    if MeetingStatus.held in meeting_services.STATUS_TRANSITIONS[meeting.status]:
        meeting_services.change_status(meeting, MeetingStatus.held)  # counted, so it was held
    db.session.flush()
    return attendance


# -- feedback, follow-ups, topics ---------------------------------------------------------------

def topic_key(title: str) -> str:
    """Fold case, accents of Latin letters kept (ø ≠ o), punctuation and spacing, so «Bolig?» = «bolig»."""
    text = unicodedata.normalize("NFKC", title).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())[:200]


def suggest_topic(title: str, extra: int = 0) -> TopicSuggestion | None:
    title = " ".join(title.split())
    key = topic_key(title)
    if not key:
        return None
    topic = db.session.scalar(sa.select(TopicSuggestion).where(TopicSuggestion.key == key))
    if topic is None:
        topic = TopicSuggestion(title=title[:200], key=key, extra_count=0)
        db.session.add(topic)
    topic.extra_count += extra
    db.session.flush()
    return topic


def feedback_open(meeting: Meeting, now: dt.datetime | None = None) -> bool:
    now = now or utcnow()
    if meeting.status == MeetingStatus.cancelled or meeting.published_at is None:
        return False
    return meeting.starts_at <= now <= meeting.ends_at + dt.timedelta(days=FEEDBACK_OPEN_DAYS)


@dataclass
class FeedbackData:
    rating: int | None = None
    useful: str = ""
    missing: str = ""
    topic_text: str = ""
    language: str = "nb"
    channel: FeedbackChannel = FeedbackChannel.paper


def add_feedback(meeting: Meeting, data: FeedbackData, user=None) -> Feedback:
    if data.rating is not None and not 1 <= data.rating <= 5:
        raise AttendanceError(_("The rating is a face from 1 to 5."))
    if data.language not in languages.LANGUAGES:
        raise AttendanceError(_("Unknown language: %(code)s", code=data.language))
    if data.rating is None and not (data.useful.strip() or data.missing.strip() or data.topic_text.strip()):
        raise AttendanceError(_("Empty feedback: choose a face or write something."))
    feedback = Feedback(
        meeting_id=meeting.id, rating=data.rating, useful=data.useful.strip(), missing=data.missing.strip(),
        topic_text=" ".join(data.topic_text.split())[:300], language=data.language, channel=data.channel,
        entered_by_id=getattr(user, "id", None))
    if feedback.topic_text:
        feedback.topic = suggest_topic(feedback.topic_text)
    db.session.add(feedback)
    db.session.flush()
    return feedback


def meeting_feedback(meeting: Meeting) -> list[Feedback]:
    return list(db.session.scalars(sa.select(Feedback).where(Feedback.meeting_id == meeting.id).order_by(Feedback.id)))


def set_follow_up(feedback: Feedback, action: str, done_on: dt.date | None, done_by: str = "") -> FollowUp | None:
    action = action.strip()
    if not action:
        if feedback.follow_up is not None:
            db.session.delete(feedback.follow_up)
            feedback.follow_up = None
            db.session.flush()
        return None
    if done_on is not None and done_on > utcnow().date() + dt.timedelta(days=1):
        raise AttendanceError(_("A follow-up is recorded when it has been done; the date is in the future."))
    follow = feedback.follow_up or FollowUp(feedback=feedback, action=action)
    follow.action, follow.done_on, follow.done_by = action, done_on, done_by.strip()
    db.session.add(follow)
    db.session.flush()
    return follow


def to_report_back(meeting: Meeting) -> list[Feedback]:
    """«You said, we did» for this meeting: feedback from earlier meetings that has a follow-up not
    yet reported back at an earlier meeting (one query, follow-ups and meetings loaded with it)."""
    return list(db.session.scalars(
        sa.select(Feedback).join(FollowUp).join(Meeting, Meeting.id == Feedback.meeting_id)
        .options(contains_eager(Feedback.meeting))
        .where(Meeting.starts_at < meeting.starts_at)
        .where(sa.or_(FollowUp.reported_at_meeting_id.is_(None), FollowUp.reported_at_meeting_id == meeting.id))
        .order_by(Meeting.starts_at, Feedback.id)))


@dataclass
class BacklogRow:
    topic: TopicSuggestion
    count: int
    last_suggested: dt.datetime | None


def backlog(include_closed: bool = False) -> list[BacklogRow]:
    """Topic suggestions with how often each was asked for, most asked first (one query)."""
    counts = (sa.select(Feedback.topic_id, sa.func.count(Feedback.id).label("n"),
                        sa.func.max(Feedback.created_at).label("last"))
              .where(Feedback.topic_id.is_not(None)).group_by(Feedback.topic_id).subquery())
    query = (sa.select(TopicSuggestion, sa.func.coalesce(counts.c.n, 0), counts.c.last)
             .outerjoin(counts, counts.c.topic_id == TopicSuggestion.id))
    if not include_closed:
        query = query.where(TopicSuggestion.status.in_([TopicStatus.open, TopicStatus.planned]))
    rows = [BacklogRow(topic, int(n) + topic.extra_count, last) for topic, n, last in db.session.execute(query)]
    rows.sort(key=lambda r: (-r.count, r.topic.title.casefold()))
    return rows


def merge_topics(keep: TopicSuggestion, other: TopicSuggestion) -> None:
    """Two wordings of the same wish: the feedback and counts of ``other`` move to ``keep``."""
    if keep.id == other.id:
        raise AttendanceError(_("Choose two different topics to merge."))
    db.session.execute(sa.update(Feedback).where(Feedback.topic_id == other.id).values(topic_id=keep.id))
    keep.extra_count += other.extra_count
    db.session.delete(other)
    db.session.flush()


def planned_from_topic(meeting: Meeting, args) -> None:
    """A meeting created from the backlog takes the suggestion up: it is planned, for this meeting."""
    topic_id = args.get("from_topic", type=int) if hasattr(args, "get") else None
    topic = db.session.get(TopicSuggestion, topic_id) if topic_id else None
    if topic is not None:
        topic.status, topic.meeting_id = TopicStatus.planned, meeting.id
