"""Tables of the interpreters domain: providers, interpreters (with register categories per language)
and bookings per meeting and language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Money, TimestampMixin, UTCDateTime, at_most, str_enum
from ..extensions import db
from ..meetings.models import Meeting, TitledEnum


class ProviderKind(TitledEnum):
    public = "public", _l("Public interpreter service")
    agency = "agency", _l("Private agency")
    freelance = "freelance", _l("Freelance interpreter")


class BookingMode(TitledEnum):
    plenary = "plenary", _l("On site, in plenary")
    tables = "tables", _l("On site, at the tables")
    phone = "phone", _l("By phone")


class BookingStatus(TitledEnum):
    needed = "needed", _l("Needed")
    ordered = "ordered", _l("Ordered")
    confirmed = "confirmed", _l("Confirmed")
    delivered = "delivered", _l("Delivered")
    cancelled = "cancelled", _l("Cancelled")
    no_show = "no_show", _l("No-show")


class RequestSource(TitledEnum):
    committee = "committee", _l("The committee's default")
    registration = "registration", _l("A participant's registration")
    phone = "phone", _l("A participant who called")


#: Which status may follow which. ``ordered → needed`` is the provider saying no; ``cancelled → needed``
#: reopens a booking cancelled by mistake. Delivered and no-show are final.
STATUS_TRANSITIONS: dict[BookingStatus, tuple[BookingStatus, ...]] = {
    BookingStatus.needed: (BookingStatus.ordered, BookingStatus.cancelled),
    BookingStatus.ordered: (BookingStatus.confirmed, BookingStatus.needed, BookingStatus.cancelled),
    BookingStatus.confirmed: (BookingStatus.delivered, BookingStatus.no_show, BookingStatus.cancelled),
    BookingStatus.delivered: (),
    BookingStatus.no_show: (),
    BookingStatus.cancelled: (BookingStatus.needed,),
}
#: Bookings that still stand: something is going to happen (or a provider expects it to).
STANDING = (BookingStatus.needed, BookingStatus.ordered, BookingStatus.confirmed)
#: Bookings a provider knows about: a change must be told to them.
PROVIDER_KNOWS = (BookingStatus.ordered, BookingStatus.confirmed)
#: Bookings that cover a language (for the "nobody interprets X" warning and demand).
COVERING = (BookingStatus.needed, BookingStatus.ordered, BookingStatus.confirmed, BookingStatus.delivered)

#: Register categories of the national interpreter register (Tolkeportalen): 1 is the highest.
REGISTER_CATEGORIES = (1, 2, 3, 4, 5)


class InterpreterProvider(TimestampMixin, db.Model):
    """Where interpreters are ordered: the public interpreter service or a private agency."""

    __tablename__ = "interpreter_provider"
    __table_args__ = (
        sa.CheckConstraint("lead_time_days >= 0", name="lead_time_not_negative"),
        sa.CheckConstraint("hourly_rate IS NULL OR hourly_rate >= 0", name="hourly_rate_not_negative"),
        sa.CheckConstraint("minimum_hours >= 0", name="minimum_hours_not_negative"),
        sa.CheckConstraint("travel_cost IS NULL OR travel_cost >= 0", name="travel_cost_not_negative"),
        *at_most(notes=5000),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    kind: Mapped[ProviderKind] = mapped_column(str_enum(ProviderKind), default=ProviderKind.public)
    contact_person: Mapped[str] = mapped_column(sa.String(120), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    #: Web ordering page or postal address for orders.
    order_address: Mapped[str] = mapped_column(sa.String(300), default="")
    #: How many days before the interpreter is needed the order must be in (and confirmed).
    lead_time_days: Mapped[int] = mapped_column(default=14)
    #: Price per hour (NOK), the minimum hours billed, and travel per on-site assignment.
    hourly_rate: Mapped[Decimal | None] = mapped_column(Money)
    minimum_hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1), default=Decimal("1"))
    travel_cost: Mapped[Decimal | None] = mapped_column(Money)
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    def __str__(self) -> str:
        return self.name


class Interpreter(TimestampMixin, db.Model):
    """A named interpreter (staff data, not client data: members may see it)."""

    __tablename__ = "interpreter"
    __table_args__ = at_most(notes=5000)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    #: The provider this interpreter is usually booked through (may work for others too).
    provider_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("interpreter_provider.id", ondelete="SET NULL"), index=True)
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    provider: Mapped[InterpreterProvider | None] = relationship()
    languages: Mapped[list[InterpreterLanguage]] = relationship(
        back_populates="interpreter", cascade="all, delete-orphan", order_by="InterpreterLanguage.id")

    def category(self, code: str) -> int | None | bool:
        """The register category for ``code``: 1–5, None if not registered, False if not interpreted at all."""
        for entry in self.languages:
            if entry.language == code:
                return entry.register_category
        return False

    def speaks(self, code: str) -> bool:
        return any(entry.language == code for entry in self.languages)

    def __str__(self) -> str:
        return self.name


class InterpreterLanguage(db.Model):
    """One language an interpreter works in, with its category in the national interpreter register."""

    __tablename__ = "interpreter_language"
    __table_args__ = (
        sa.UniqueConstraint("interpreter_id", "language", name="one_entry_per_language"),
        sa.CheckConstraint("register_category IS NULL OR register_category BETWEEN 1 AND 5",
                           name="register_category_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    interpreter_id: Mapped[int] = mapped_column(sa.ForeignKey("interpreter.id", ondelete="CASCADE"), index=True)
    language: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    #: 1–5 in the national register; None: not registered.
    register_category: Mapped[int | None] = mapped_column()

    interpreter: Mapped[Interpreter] = relationship(back_populates="languages")


class InterpreterBooking(TimestampMixin, db.Model):
    """An interpreter for one language at one meeting, from "needed" to "delivered"."""

    __tablename__ = "interpreter_booking"
    __table_args__ = (
        sa.CheckConstraint("minutes > 0 AND minutes <= 1440", name="minutes_in_range"),
        sa.CheckConstraint("estimated_cost IS NULL OR estimated_cost >= 0", name="estimated_cost_not_negative"),
        sa.CheckConstraint("actual_cost IS NULL OR actual_cost >= 0", name="actual_cost_not_negative"),
        *at_most(notes=5000),
        sa.Index("ix_interpreter_booking_interpreter_arrives", "interpreter_id", "arrives_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    #: Language code from the language registry.
    language: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    #: Referenced bookings keep their provider: deleting it is refused.
    provider_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("interpreter_provider.id", ondelete="RESTRICT"), index=True)
    interpreter_id: Mapped[int | None] = mapped_column(sa.ForeignKey("interpreter.id", ondelete="SET NULL"))
    mode: Mapped[BookingMode] = mapped_column(str_enum(BookingMode), default=BookingMode.plenary)
    #: When the interpreter arrives (default 15 minutes before the start, for the briefing).
    arrives_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    #: How long the interpreter is booked, from arrival.
    minutes: Mapped[int] = mapped_column(nullable=False, default=135)
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus), default=BookingStatus.needed)
    requested_by: Mapped[RequestSource] = mapped_column(str_enum(RequestSource), default=RequestSource.committee)
    #: The registration that asked for it (anonymous; set null if the registration goes).
    registration_id: Mapped[int | None] = mapped_column(sa.ForeignKey("registration.id", ondelete="SET NULL"), index=True)
    estimated_cost: Mapped[Decimal | None] = mapped_column(Money)
    actual_cost: Mapped[Decimal | None] = mapped_column(Money)
    #: Who meets the interpreter on the day (name and phone), printed on the order sheet.
    day_contact: Mapped[str] = mapped_column(sa.String(200), default="")
    #: The provider's booking reference.
    reference: Mapped[str] = mapped_column(sa.String(80), default="")
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    ordered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Set when what the provider was ordered changed (arrival, duration, mode, language, the meeting's
    #: venue) after they knew of the booking; cleared when they are told.
    moved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: The arrival time the provider last heard of (kept until they are told of the new one). None while
    #: flagged for a change that is not recorded (duration, venue…): only telling them clears that.
    told_arrival_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    #: Raised on every change of time or status (added to the meeting's for the iCalendar SEQUENCE).
    ical_sequence: Mapped[int] = mapped_column(default=0)

    meeting: Mapped[Meeting] = relationship()
    provider: Mapped[InterpreterProvider | None] = relationship()
    interpreter: Mapped[Interpreter | None] = relationship()

    @property
    def ends_at(self) -> dt.datetime:
        return self.arrives_at + dt.timedelta(minutes=self.minutes)

    @property
    def is_standing(self) -> bool:
        return self.status in STANDING

    @property
    def provider_must_be_told(self) -> bool:
        return self.moved_at is not None

    @property
    def cost(self) -> Decimal | None:
        """What the booking costs as far as is known: the actual cost, else the estimate (unless cancelled)."""
        if self.actual_cost is not None:
            return self.actual_cost
        if self.status in (BookingStatus.cancelled, BookingStatus.no_show):
            return None
        return self.estimated_cost

    @property
    def next_statuses(self) -> tuple[BookingStatus, ...]:
        return STATUS_TRANSITIONS[self.status]
