"""Finding meetings (issue 17): by year, topic, venue and status; the past ones 50 a page, filtered
and paged in SQL, so ten years of meetings cost what one does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from ..core.paging import Page, paginate
from ..core.timeutil import local_zone, utcnow
from ..extensions import db
from .models import Meeting, MeetingStatus


@dataclass
class MeetingFilter:
    year: int | None = None
    topic: str = ""
    venue_id: int | None = None
    status: MeetingStatus | None = None

    @classmethod
    def from_args(cls, args) -> MeetingFilter:
        year, venue, status = args.get("year", ""), args.get("venue", ""), args.get("status", "")
        return cls(
            year=int(year) if year.isdigit() and 1900 <= int(year) <= 2999 else None,
            topic=args.get("topic", "").strip()[:200],
            venue_id=int(venue) if venue.isdigit() and len(venue) < 10 else None,
            status=MeetingStatus(status) if status in {s.value for s in MeetingStatus} else None,
        )

    @property
    def active(self) -> bool:
        return bool(self.year or self.topic or self.venue_id or self.status)

    def apply(self, query: sa.Select) -> sa.Select:
        if self.year:
            zone = local_zone()
            start = dt.datetime(self.year, 1, 1, tzinfo=zone)
            query = query.where(Meeting.starts_at >= start, Meeting.starts_at < start.replace(year=self.year + 1))
        if self.topic:
            query = query.where(sa.func.lower(Meeting.topic).contains(self.topic.lower(), autoescape=True))
        if self.venue_id:
            query = query.where(Meeting.venue_id == self.venue_id)
        if self.status:
            query = query.where(Meeting.status == self.status)
        return query


def coming(filters: MeetingFilter) -> list[Meeting]:
    query = sa.select(Meeting).where(Meeting.ends_at >= utcnow()).order_by(Meeting.starts_at)
    return list(db.session.scalars(filters.apply(query).options(selectinload(Meeting.venue))))


def past(filters: MeetingFilter, number: int) -> Page:
    query = sa.select(Meeting).where(Meeting.ends_at < utcnow()).order_by(Meeting.starts_at.desc(), Meeting.id)
    return paginate(filters.apply(query).options(selectinload(Meeting.venue)), number)


def years() -> list[int]:
    """The years that have meetings, newest first, for the filter (one grouped query)."""
    first, last = db.session.execute(sa.select(sa.func.min(Meeting.starts_at), sa.func.max(Meeting.starts_at))).one()
    if first is None:
        return []
    zone = local_zone()
    return list(range(last.astimezone(zone).year, first.astimezone(zone).year - 1, -1))
