"""«Angre» after a delete: the deleted rows are kept as a snapshot for a few minutes and put back on request.

Why snapshots and not soft deletes: a ``deleted_at`` column on every table would have to be remembered by
every query (reports, the funnel, averages, exports) for ever; a snapshot leaves the tables as they
are and the row is really gone — from counts and averages at once — until it is put back.

Personal data (a registration linked to a contact, its dietary note, its dedupe key) sits in a
snapshot only while it can be undone: an entry lives ``UNDO_MINUTES``, is deleted when used,
by every new delete and by the worker every ten minutes, and erasing a contact deletes every entry
about them at once (an erasure listener in ``outreach.undo``, and the foreign key's cascade). Only the member who deleted may undo.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from decimal import Decimal

import sqlalchemy as sa
from flask import flash
from flask_babel import gettext as _
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .models import UTCDateTime
from .timeutil import utcnow

#: How long a delete can be undone.
UNDO_MINUTES = 10


class UndoError(ValueError):
    """The delete cannot be undone (too late, someone changed things meanwhile); the message says why."""


class UndoEntry(db.Model):
    """A snapshot of rows deleted by a member, restorable by them for ``UNDO_MINUTES``."""

    __tablename__ = "undo_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Which restorer puts it back, e.g. "task", "programme_item", "feedback", "registration".
    kind: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    #: Only this member may undo (a shared office PC still signs each member in apart).
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: The meeting the rows belonged to; deleting the meeting deletes the chance to undo.
    meeting_id: Mapped[int | None] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    #: A registration linked to a person: erasing the person deletes the snapshot too.
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("contact.id", ondelete="CASCADE"), index=True)
    #: The rows as column → value (JSON-safe), see ``snapshot``.
    payload: Mapped[dict] = mapped_column(sa.JSON, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, index=True)


#: kind → fn(payload) -> the URL to show the restored rows at; raises UndoError when it cannot.
restorers: dict[str, Callable[[dict], str]] = {}


def register(kind: str, restorer: Callable[[dict], str]) -> None:
    restorers[kind] = restorer


# -- rows as JSON and back ----------------------------------------------------------------------------

def snapshot(obj) -> dict:
    """Every column of a mapped row as JSON-safe values (dates as ISO text, enums as their value)."""
    values = {}
    for attr in sa.inspect(obj).mapper.column_attrs:
        value = getattr(obj, attr.key)
        if isinstance(value, enum.Enum):
            value = value.value
        elif isinstance(value, (dt.datetime, dt.date)):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        values[attr.key] = value
    return values


def revive(model, values: dict):
    """A new (transient) row of ``model`` from ``snapshot`` output; columns since dropped are ignored."""
    mapper = sa.inspect(model)
    kwargs = {}
    for attr in mapper.column_attrs:
        if attr.key not in values:
            continue
        value = values[attr.key]
        column_type = attr.columns[0].type
        if value is not None:
            if isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
                value = column_type.enum_class(value)
            elif isinstance(column_type, UTCDateTime):
                value = dt.datetime.fromisoformat(value)
            elif isinstance(column_type, sa.Date):
                value = dt.date.fromisoformat(value)
            elif isinstance(column_type, sa.Numeric):
                value = Decimal(value)
        kwargs[attr.key] = value
    return model(**kwargs)


def existing_or_none(model, ident):
    """A reference kept in a snapshot, if what it points at still exists (a speaker deleted meanwhile)."""
    return ident if ident is not None and db.session.get(model, ident) is not None else None


# -- remembering and restoring -----------------------------------------------------------------------

def purge_expired(now: dt.datetime | None = None) -> int:
    result = db.session.execute(sa.delete(UndoEntry).where(UndoEntry.expires_at <= (now or utcnow())))
    return result.rowcount or 0


def remember(kind: str, payload: dict, user, meeting_id: int | None = None,
             contact_id: int | None = None) -> UndoEntry | None:
    """Keep ``payload`` restorable by ``user`` for a while. None when nobody signed in (the CLI): no undo."""
    if getattr(user, "id", None) is None:
        return None
    purge_expired()
    now = utcnow()
    entry = UndoEntry(kind=kind, user_id=user.id, meeting_id=meeting_id, contact_id=contact_id, payload=payload,
                      created_at=now, expires_at=now + dt.timedelta(minutes=UNDO_MINUTES))
    db.session.add(entry)
    db.session.flush()
    return entry


def restore(entry_id: int, user) -> str:
    """Put the rows back; returns where to show them. The entry is used up.

    The entry is claimed first, by deleting it: of two «Undo» clicks arriving together the second
    waits for the first (the row lock on PostgreSQL, the one writer on SQLite) and then finds nothing
    to claim, so it is told it is too late instead of restoring the same rows twice (a primary-key
    clash, "database is locked")."""
    claimed = db.session.execute(
        sa.delete(UndoEntry).where(UndoEntry.id == entry_id, UndoEntry.user_id == getattr(user, "id", None),
                                   UndoEntry.expires_at > utcnow())
        .returning(UndoEntry.kind, UndoEntry.payload).execution_options(synchronize_session=False)).first()
    if claimed is None:
        raise UndoError(_("It is too late to undo: that can be done for %(n)d minutes after deleting.",
                          n=UNDO_MINUTES))
    restorer = restorers.get(claimed.kind)
    if restorer is None:
        raise UndoError(_("This cannot be undone."))  # the caller rolls back: the entry stays
    url = restorer(claimed.payload)
    db.session.flush()
    return url


def flash_undo(message: str, entry: UndoEntry | None) -> None:
    """The «deleted» message with an «Undo» button (base.html renders the ``undo:<id>`` category)."""
    flash(message, f"undo:{entry.id}" if entry is not None else "success")
