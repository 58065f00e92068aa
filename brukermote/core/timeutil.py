"""Time zone helpers: meetings are planned in Europe/Oslo wall-clock time and stored in UTC.

A wall-clock time can be impossible (the spring DST gap, 02:00–03:00 on the last Sunday of
March) or occur twice (the autumn night). Both are refused with a clear reason rather than
silently shifted — a poster must never show a time nobody typed.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

UTC = dt.UTC


class WallClockError(ValueError):
    """The local time cannot be mapped to a single instant."""

    def __init__(self, kind: str, when: dt.datetime):
        self.kind = kind  # "nonexistent" or "ambiguous"
        self.when = when
        super().__init__(f"{when:%Y-%m-%d %H:%M} is {kind} in the local time zone")


def local_zone() -> ZoneInfo:
    name = current_app.config["TIMEZONE"] if has_app_context() else "Europe/Oslo"
    return ZoneInfo(name)


def to_utc(day: dt.date, clock: dt.time, zone: ZoneInfo | None = None) -> dt.datetime:
    """Combine a local date and wall-clock time into an aware UTC datetime, refusing gaps and overlaps."""
    zone = zone or local_zone()
    naive = dt.datetime.combine(day, clock.replace(tzinfo=None, fold=0))
    first = naive.replace(tzinfo=zone, fold=0)
    second = naive.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Either a gap or an overlap; a round trip tells which.
        back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        raise WallClockError("nonexistent" if back != naive else "ambiguous", naive)
    return first.astimezone(UTC)


def to_local(moment: dt.datetime | None, zone: ZoneInfo | None = None) -> dt.datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone or local_zone())


def utcnow() -> dt.datetime:
    return dt.datetime.now(UTC)


def local_midnight_utc(day: dt.date, zone: ZoneInfo | None = None) -> dt.datetime:
    """The UTC moment a local calendar day begins (midnight is never in a DST gap in Europe/Oslo)."""
    zone = zone or local_zone()
    try:
        return dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone).astimezone(dt.UTC)
    except OverflowError:
        # Days at the calendar's edge (0001-01-01 east of Greenwich) begin before the first UTC
        # moment Python can hold; as a filter bound they mean "from the beginning".
        return dt.datetime.min.replace(tzinfo=dt.UTC)


def local_today(zone: ZoneInfo | None = None) -> dt.date:
    return utcnow().astimezone(zone or local_zone()).date()
