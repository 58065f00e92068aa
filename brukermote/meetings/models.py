from __future__ import annotations

import datetime as dt
import enum
import uuid
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Money, TimestampMixin, UTCDateTime, at_most, in_planning_years, str_enum
from ..core.timeutil import to_local
from ..extensions import db


class TitledEnum(enum.Enum):
    """An enum whose members carry a translatable human title."""

    def __new__(cls, value, title):
        member = object.__new__(cls)
        member._value_ = value
        member.title = title
        return member

    @classmethod
    def choices(cls):
        return [(m.value, m.title) for m in cls]


class MeetingType(TitledEnum):
    listening_post = "listening_post", _l("Listening post")
    user_meeting = "user_meeting", _l("User meeting")
    dialogue_conference = "dialogue_conference", _l("Dialogue conference")
    committee_meeting = "committee_meeting", _l("Committee meeting")


class MeetingStatus(TitledEnum):
    draft = "draft", _l("Draft")
    planned = "planned", _l("Planned")
    published = "published", _l("Published")
    held = "held", _l("Held")
    cancelled = "cancelled", _l("Cancelled")


#: Which status may follow which; cancellation needs a reason and is possible until held.
STATUS_TRANSITIONS = {
    MeetingStatus.draft: {MeetingStatus.planned, MeetingStatus.cancelled},
    MeetingStatus.planned: {MeetingStatus.draft, MeetingStatus.published, MeetingStatus.cancelled},
    MeetingStatus.published: {MeetingStatus.planned, MeetingStatus.held, MeetingStatus.cancelled},
    MeetingStatus.held: set(),
    MeetingStatus.cancelled: {MeetingStatus.draft},
}


class BudgetCategory(TitledEnum):
    venue = "venue", _l("Venue")
    interpreters = "interpreters", _l("Interpreters")
    translation = "translation", _l("Translation")
    printing = "printing", _l("Printing")
    food = "food", _l("Food")
    honoraria = "honoraria", _l("Honoraria")
    other = "other", _l("Other")


class ProgrammeKind(TitledEnum):
    welcome = "welcome", _l("Welcome")
    talk = "talk", _l("Talk")
    break_ = "break", _l("Break")
    questions = "questions", _l("Questions")
    feedback = "feedback", _l("Feedback round")
    other = "other", _l("Other")


class ChecklistPhase(TitledEnum):
    before = "before", _l("Before")
    day = "day", _l("On the day")
    during = "during", _l("During")
    after = "after", _l("After")


class Venue(TimestampMixin, db.Model):
    """A place meetings are held; reused across meetings."""

    __tablename__ = "venue"
    __table_args__ = (
        sa.CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity_not_negative"),
        sa.CheckConstraint("rental_cost IS NULL OR rental_cost >= 0", name="rental_cost_not_negative"),
        *at_most(notes=5000),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: e.g. "Årvoll Gård".
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    #: The name in English for reports to funders, e.g. "Veitvet elderly centre" (empty: ``name``).
    name_en: Mapped[str] = mapped_column(sa.String(120), default="")
    #: Street address as printed on posters.
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    #: How to get there by public transport (printed on posters).
    transport: Mapped[str] = mapped_column(sa.String(300), default="")
    #: Step-free access for wheelchairs and prams.
    step_free: Mapped[bool] = mapped_column(default=False)
    #: How many people fit.
    capacity: Mapped[int | None] = mapped_column()
    #: Rent per meeting (NOK).
    rental_cost: Mapped[Decimal | None] = mapped_column(Money)
    #: A neutral place, not a NAV office (locked doors and a reception keep people away).
    is_neutral: Mapped[bool] = mapped_column(default=True)
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    meetings: Mapped[list[Meeting]] = relationship(back_populates="venue")

    def __str__(self) -> str:
        return self.name


class Speaker(TimestampMixin, db.Model):
    """Someone who gives a talk (innleder)."""

    __tablename__ = "speaker"
    __table_args__ = (sa.CheckConstraint("fee IS NULL OR fee >= 0", name="fee_not_negative"), *at_most(notes=5000))

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    organisation: Mapped[str] = mapped_column(sa.String(200), default="")
    #: From the office or the college (internal) or from outside.
    is_internal: Mapped[bool] = mapped_column(default=True)
    #: Phone or e-mail.
    contact: Mapped[str] = mapped_column(sa.String(200), default="")
    #: Told to speak slowly, in short sentences, without jargon, for interpreters.
    told_about_interpreters: Mapped[bool] = mapped_column(default=False)
    brings_brochures: Mapped[bool] = mapped_column(default=False)
    #: Honorarium (NOK).
    fee: Mapped[Decimal | None] = mapped_column(Money)
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    def __str__(self) -> str:
        return self.name


class Meeting(TimestampMixin, db.Model):
    """One open user meeting (or listening post, dialogue conference, committee meeting)."""

    __tablename__ = "meeting"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
                      *in_planning_years("starts_at", "ends_at", timestamp=True), *at_most(description=2000))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable identity for calendars (iCalendar UID) and public links.
    uid: Mapped[str] = mapped_column(sa.String(64), unique=True, default=lambda: uuid.uuid4().hex)
    type: Mapped[MeetingType] = mapped_column(str_enum(MeetingType), default=MeetingType.user_meeting)
    #: The topic as the committee writes it in Norwegian; translations live with the printables.
    topic: Mapped[str] = mapped_column(sa.String(200), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: Start and end as instants (UTC); shown and edited as Europe/Oslo wall-clock time.
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)
    venue_id: Mapped[int | None] = mapped_column(sa.ForeignKey("venue.id", ondelete="RESTRICT"), index=True)
    status: Mapped[MeetingStatus] = mapped_column(str_enum(MeetingStatus), default=MeetingStatus.draft)
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    #: What is served, e.g. "halal pizza" or "fruit and biscuits".
    catering: Mapped[str] = mapped_column(sa.String(200), default="")
    catering_halal: Mapped[bool] = mapped_column(default=False)
    catering_vegetarian: Mapped[bool] = mapped_column(default=False)
    childcare: Mapped[bool] = mapped_column(default=False)
    #: Languages the printed material is made in (codes from the language registry).
    target_languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Languages interpreters are planned for.
    interpreter_languages: Mapped[list] = mapped_column(sa.JSON, default=list)
    #: Bumped on every save; a save based on an older version is refused (no silent overwrite).
    version: Mapped[int] = mapped_column(nullable=False, default=1)
    #: When the meeting was first published; public calendars keep showing it (as cancelled if so).
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: iCalendar SEQUENCE: raised when time, place or status changes.
    ical_sequence: Mapped[int] = mapped_column(default=0)
    copied_from_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)

    venue: Mapped[Venue | None] = relationship(back_populates="meetings")
    created_by = relationship("User", foreign_keys=[created_by_id])
    programme: Mapped[list[ProgrammeItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="ProgrammeItem.position"
    )
    budget_lines: Mapped[list[BudgetLine]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="BudgetLine.id"
    )
    tasks: Mapped[list[Task]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="(Task.offset_days, Task.position)"
    )

    __mapper_args__ = {"version_id_col": version}

    # -- derived, in local time -------------------------------------------------------------
    @property
    def local_start(self) -> dt.datetime:
        return to_local(self.starts_at)

    @property
    def local_end(self) -> dt.datetime:
        return to_local(self.ends_at)

    @property
    def local_date(self) -> dt.date:
        return self.local_start.date()

    @property
    def duration_minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def programme_minutes(self) -> int:
        return sum(item.minutes or 0 for item in self.programme)

    @property
    def is_daytime(self) -> bool:
        """Daytime meetings start before 16:00 local time; evening meetings after."""
        return self.local_start.hour < 16

    @property
    def is_cancelled(self) -> bool:
        return self.status == MeetingStatus.cancelled

    def budget_total(self, which: str = "estimated") -> Decimal:
        return sum((getattr(line, which) or Decimal("0") for line in self.budget_lines), Decimal("0"))

    def __str__(self) -> str:
        return f"{self.local_date:%Y-%m-%d} {self.topic or self.type.title}"


class BudgetLine(db.Model):
    __tablename__ = "budget_line"
    __table_args__ = (
        sa.CheckConstraint("estimated IS NULL OR estimated >= 0", name="estimated_not_negative"),
        sa.CheckConstraint("actual IS NULL OR actual >= 0", name="actual_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    category: Mapped[BudgetCategory] = mapped_column(str_enum(BudgetCategory))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    estimated: Mapped[Decimal | None] = mapped_column(Money)
    actual: Mapped[Decimal | None] = mapped_column(Money)

    meeting: Mapped[Meeting] = relationship(back_populates="budget_lines")


class ProgrammeItem(db.Model):
    __tablename__ = "programme_item"
    __table_args__ = (sa.CheckConstraint("minutes >= 0", name="minutes_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[ProgrammeKind] = mapped_column(str_enum(ProgrammeKind), default=ProgrammeKind.talk)
    title: Mapped[str] = mapped_column(sa.String(200), default="")
    speaker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("speaker.id", ondelete="SET NULL"), index=True)
    minutes: Mapped[int] = mapped_column(default=10)

    meeting: Mapped[Meeting] = relationship(back_populates="programme")
    speaker: Mapped[Speaker | None] = relationship()


class ChecklistTemplateItem(db.Model):
    """One line of the committee's standard task list, copied into every new meeting."""

    __tablename__ = "checklist_template_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    phase: Mapped[ChecklistPhase] = mapped_column(str_enum(ChecklistPhase))
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    #: Days relative to the meeting's date: -21 is three weeks before, 14 two weeks after.
    offset_days: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    #: Whether new meetings get this task.
    active: Mapped[bool] = mapped_column(default=True)
    #: Applies to these meeting types only (empty: all but committee meetings).
    meeting_types: Mapped[list] = mapped_column(sa.JSON, default=list)


class Task(db.Model):
    """A task on one meeting's checklist; its due date follows the meeting when it moves."""

    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    template_item_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("checklist_template_item.id", ondelete="SET NULL")
    , index=True)
    phase: Mapped[ChecklistPhase] = mapped_column(str_enum(ChecklistPhase))
    title: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    offset_days: Mapped[int] = mapped_column(default=0)
    position: Mapped[int] = mapped_column(default=0)
    assignee_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)

    meeting: Mapped[Meeting] = relationship(back_populates="tasks")
    assignee = relationship("User", foreign_keys=[assignee_id])
    done_by = relationship("User", foreign_keys=[done_by_id])

    @property
    def due_date(self) -> dt.date:
        # A legacy meeting at the very end (or start) of the calendar must not make its pages fail.
        try:
            return self.meeting.local_date + dt.timedelta(days=self.offset_days)
        except OverflowError:
            return dt.date.max if self.offset_days > 0 else dt.date.min

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
