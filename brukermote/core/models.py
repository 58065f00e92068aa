"""Model building blocks shared by every domain."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from ..extensions import db
from .timeutil import UTC, utcnow


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime, stored naive-UTC so SQLite and PostgreSQL hold the same value."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def str_enum(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """A portable enum column: VARCHAR holding the member's value, no database-side type."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


Money = sa.Numeric(10, 2)


# -- limits the schema holds itself ----------------------------------------------------------------
# The forms and services refuse these first, with a message naming the field (core.validation); the
# database refuses them too, so a path that forgets the check (a script, a future form, the shell) fails
# instead of storing a meeting in year 9999 that every page then trips over. Both databases compare the
# stored text of a date ('2030-05-15', and '2030-05-15 11:30:00' for a timestamp on SQLite) with these
# literals correctly. Migration 15c0e1a2b3d4 spells out the same constraints.

#: As core.validation.DATE_MIN/DATE_MAX (not imported: the schema must not move with a form).
FIRST_DAY, LAST_DAY = "2000-01-01", "2100-12-31"
#: For a UTC timestamp a day more on each side: Oslo's midnight on the first day is 23:00 UTC the day before.
FIRST_INSTANT, AFTER_LAST_INSTANT = "1999-12-31", "2101-01-02"


def in_planning_years(*columns: str, timestamp: bool = False) -> tuple[sa.CheckConstraint, ...]:
    """CHECK that each (nullable) date or UTC timestamp column lies in the years a committee plans in."""
    if timestamp:
        rule = "{c} IS NULL OR ({c} >= '" + FIRST_INSTANT + "' AND {c} < '" + AFTER_LAST_INSTANT + "')"
    else:
        rule = "{c} IS NULL OR ({c} >= '" + FIRST_DAY + "' AND {c} <= '" + LAST_DAY + "')"
    return tuple(sa.CheckConstraint(rule.format(c=c), name=f"{c}_in_years") for c in columns)


def at_most(**limits: int) -> tuple[sa.CheckConstraint, ...]:
    """CHECK a Text column's length (in characters on both databases) against its form's limit."""
    return tuple(sa.CheckConstraint(f"length({c}) <= {n}", name=f"{c}_length") for c, n in limits.items())


class TimestampMixin:
    #: When the row was created (UTC).
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    #: When the row last changed (UTC).
    updated_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


class Organisation(db.Model):
    """The one organisation this installation serves: its defaults and the facts printed on everything."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Display name, e.g. "NAV Bjerke og Høgskolen i Oslo".
    name: Mapped[str] = mapped_column(sa.String(200), default="Brukermøte")
    #: Interpreter languages every new meeting starts with (language codes).
    default_interpreter_languages: Mapped[list] = mapped_column(sa.JSON, default=lambda: ["so", "ar"])
    #: Languages every new meeting's printed material starts with.
    default_target_languages: Mapped[list] = mapped_column(sa.JSON, default=lambda: ["nb", "so", "ar"])
    #: Phone number participants call to order an interpreter in another language (E.164).
    interpreter_phone: Mapped[str | None] = mapped_column(sa.String(32))
    #: "Who sends this" line printed on letters and posters.
    sender_line: Mapped[str | None] = mapped_column(sa.String(300))
    #: Return address for envelopes (several lines).
    return_address: Mapped[str | None] = mapped_column(sa.Text)
    #: Whether the office's own printer prints colour (preflight warns for red marks if not).
    office_printer_colour: Mapped[bool] = mapped_column(default=False)

    @classmethod
    def current(cls) -> Organisation:
        org = db.session.scalar(sa.select(cls).order_by(cls.id).limit(1))
        if org is None:
            org = cls(name="Brukermøte")
            db.session.add(org)
            db.session.flush()
        return org


class AuditEntry(db.Model):
    """Who looked at or changed personal data, when, and what (GDPR accountability)."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When it happened (UTC).
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False, index=True)
    #: The user who did it; kept as text too so the log survives the user's deletion.
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user.id", ondelete="SET NULL"), index=True)
    user_label: Mapped[str] = mapped_column(sa.String(200), default="")
    #: What was done, e.g. "contact.view", "contact.export", "contact.erase".
    action: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    #: What it was done to, e.g. "contact:12" (never the personal data itself).
    target: Mapped[str] = mapped_column(sa.String(120), default="")
    detail: Mapped[str] = mapped_column(sa.Text, default="")


def decimal_or_zero(value: Decimal | None) -> Decimal:
    return value if value is not None else Decimal("0")
