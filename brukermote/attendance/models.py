"""Tables of the attendance domain: head counts per meeting, feedback with follow-ups, the topic backlog."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import TimestampMixin, UTCDateTime, at_most, in_planning_years, str_enum
from ..core.timeutil import utcnow
from ..extensions import db
from ..meetings.models import Meeting, TitledEnum
from .counts import HeadCount, count_from


class Attendance(TimestampMixin, db.Model):
    """Who came, as anonymous head counts. No name is ever required.

    Adults and children are counted apart when the tally sheet allows; otherwise only ``people``
    (everyone, not split) is known — the history has both shapes."""

    __tablename__ = "attendance"
    __table_args__ = tuple(
        sa.CheckConstraint(f"{p}_low IS NULL OR ({p}_low >= 0 AND {p}_high >= {p}_low)", name=f"{p}_range")
        for p in ("adults", "children", "people")
    ) + (sa.CheckConstraint("organisers >= 0 AND speakers >= 0 AND walk_ins >= 0", name="counts_not_negative"),
         *at_most(notes=5000))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), unique=True)
    adults_low: Mapped[int | None]
    adults_high: Mapped[int | None]
    adults_approx: Mapped[bool] = mapped_column(default=False)
    children_low: Mapped[int | None]
    children_high: Mapped[int | None]
    children_approx: Mapped[bool] = mapped_column(default=False)
    #: Everyone present, when adults and children were not counted apart.
    people_low: Mapped[int | None]
    people_high: Mapped[int | None]
    people_approx: Mapped[bool] = mapped_column(default=False)
    organisers: Mapped[int] = mapped_column(default=0)
    speakers: Mapped[int] = mapped_column(default=0)
    #: People who came without registering (beside the registrations marked as came).
    walk_ins: Mapped[int] = mapped_column(default=0)
    #: Languages actually interpreted at the meeting (codes).
    interpreted_languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: e.g. "ingen tolk; en saksbehandler oversatte til engelsk"
    interpreter_note: Mapped[str] = mapped_column(sa.String(300), default="")
    #: The same note in English, for reports to funders (optional).
    interpreter_note_en: Mapped[str] = mapped_column(sa.String(300), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)

    staff: Mapped[list[StaffCount]] = relationship(
        cascade="all, delete-orphan", order_by="StaffCount.position", lazy="selectin")

    @property
    def adults(self) -> HeadCount | None:
        return count_from(self.adults_low, self.adults_high, self.adults_approx)

    @property
    def children(self) -> HeadCount | None:
        return count_from(self.children_low, self.children_high, self.children_approx)

    @property
    def people(self) -> HeadCount | None:
        return count_from(self.people_low, self.people_high, self.people_approx)

    def set_count(self, name: str, count: HeadCount | None) -> None:
        setattr(self, f"{name}_low", count.low if count else None)
        setattr(self, f"{name}_high", count.high if count else None)
        setattr(self, f"{name}_approx", bool(count and count.approximate))

    @property
    def participants(self) -> HeadCount | None:
        """Everyone who took part (adults + children, or the unsplit count); staff not included."""
        if self.adults is None and self.children is None:
            return self.people
        zero = HeadCount(0, 0)
        return (self.adults or zero) + (self.children or zero)


class StaffCount(db.Model):
    """Staff present from one organisation (NAV, the district, a university …)."""

    __tablename__ = "staff_count"
    __table_args__ = (sa.CheckConstraint("count_low >= 0 AND count_high >= count_low", name="count_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attendance_id: Mapped[int] = mapped_column(sa.ForeignKey("attendance.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    organisation: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    count_low: Mapped[int] = mapped_column(nullable=False)
    count_high: Mapped[int] = mapped_column(nullable=False)
    count_approx: Mapped[bool] = mapped_column(default=False)

    @property
    def count(self) -> HeadCount:
        return HeadCount(self.count_low, self.count_high, self.count_approx)


class FeedbackChannel(TitledEnum):
    plenary = "plenary", _l("Said in the plenary")
    direct = "direct", _l("Said directly to someone")
    paper = "paper", _l("Paper form")
    web = "web", _l("Feedback page")
    afterwards = "afterwards", _l("Afterwards (phone, e-mail, the office)")


class TopicStatus(TitledEnum):
    open = "open", _l("Suggested")
    planned = "planned", _l("Planned")
    done = "done", _l("Taken up")
    dropped = "dropped", _l("Not taken up")


class TopicSuggestion(TimestampMixin, db.Model):
    """A topic people asked for; feedback items point at it, so the backlog knows how often."""

    __tablename__ = "topic_suggestion"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    #: Normalised title (case, spaces, punctuation folded) so the same wish is counted once.
    key: Mapped[str] = mapped_column(sa.String(200), unique=True, nullable=False)
    status: Mapped[TopicStatus] = mapped_column(str_enum(TopicStatus), default=TopicStatus.open)
    #: Suggestions heard outside feedback (a committee meeting, a caseworker) count too.
    extra_count: Mapped[int] = mapped_column(default=0)
    #: The meeting that takes it up, once planned.
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True)


class Feedback(TimestampMixin, db.Model):
    """One person's feedback (anonymous): from a paper form, said aloud, or the public page."""

    __tablename__ = "feedback"
    __table_args__ = (sa.CheckConstraint("rating IS NULL OR rating BETWEEN 1 AND 5", name="rating_range"),
                      *at_most(useful=5000, missing=5000))

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    #: 1 (very bad) … 5 (very good), from the faces; None when not given.
    rating: Mapped[int | None]
    useful: Mapped[str] = mapped_column(sa.Text, default="")
    missing: Mapped[str] = mapped_column(sa.Text, default="")
    topic_text: Mapped[str] = mapped_column(sa.String(300), default="")
    topic_id: Mapped[int | None] = mapped_column(sa.ForeignKey("topic_suggestion.id", ondelete="SET NULL"), index=True)
    #: The language it was given in.
    language: Mapped[str] = mapped_column(sa.String(16), default="nb")
    channel: Mapped[FeedbackChannel] = mapped_column(str_enum(FeedbackChannel), default=FeedbackChannel.paper)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)

    #: The meeting the feedback is about («you said, we did» shows its date, not when it was typed).
    meeting: Mapped[Meeting] = relationship()
    topic: Mapped[TopicSuggestion | None] = relationship()
    follow_up: Mapped[FollowUp | None] = relationship(back_populates="feedback", cascade="all, delete-orphan",
                                                      uselist=False, lazy="selectin")


class FollowUp(db.Model):
    """"You said, we did": what the committee or the office did about a feedback item, and when."""

    __tablename__ = "follow_up"
    __table_args__ = (*in_planning_years("done_on"), *at_most(action=5000))

    id: Mapped[int] = mapped_column(primary_key=True)
    feedback_id: Mapped[int] = mapped_column(sa.ForeignKey("feedback.id", ondelete="CASCADE"), unique=True)
    action: Mapped[str] = mapped_column(sa.Text, nullable=False)
    done_on: Mapped[dt.date | None] = mapped_column(sa.Date)
    done_by: Mapped[str] = mapped_column(sa.String(120), default="")
    #: Reported back to participants at a later meeting.
    reported_at_meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    feedback: Mapped[Feedback] = relationship(back_populates="follow_up")
