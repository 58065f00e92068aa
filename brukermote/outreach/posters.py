"""Poster locations (a reusable, prioritised list of places) and, per meeting, where posters hung."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext

from ..core.hooks import Warning
from ..core.timeutil import local_zone, utcnow
from ..extensions import db
from ..meetings.models import Meeting, MeetingStatus
from .models import PosterHanging, PosterLocation

#: Posters go up at the most important places first; within this many days of the meeting the
#: committee is told which of its priority-1 places still have none.
PRIORITY_WARNING_DAYS = 14


class PosterError(ValueError):
    pass


def locations(active_only: bool = False) -> list[PosterLocation]:
    query = sa.select(PosterLocation).order_by(PosterLocation.active.desc(), PosterLocation.priority,
                                               PosterLocation.name)
    if active_only:
        query = query.where(PosterLocation.active.is_(True))
    return list(db.session.scalars(query))


def save_location(location: PosterLocation | None, *, name: str, address: str = "", contact: str = "",
                  priority: int = 1, active: bool = True, notes: str = "") -> PosterLocation:
    name = name.strip()
    if not name:
        raise PosterError(_("Give the place a name."))
    if priority < 1:
        raise PosterError(_("Priority is 1 (most important) or higher."))
    clash = db.session.scalar(sa.select(PosterLocation).where(sa.func.lower(PosterLocation.name) == name.lower()))
    if clash is not None and clash is not location:
        raise PosterError(_("There is already a place called %(name)s.", name=name))
    if location is None:
        location = PosterLocation()
        db.session.add(location)
    location.name, location.address, location.contact = name, address.strip(), contact.strip()
    location.priority, location.active, location.notes = priority, active, notes.strip()
    db.session.flush()
    return location


def hangings(meeting: Meeting) -> list[PosterHanging]:
    return list(db.session.scalars(
        sa.select(PosterHanging).join(PosterLocation).where(PosterHanging.meeting_id == meeting.id)
        .order_by(PosterLocation.priority, PosterLocation.name)))


def hang(meeting: Meeting, location: PosterLocation, *, count: int = 1, languages: list | None = None,
         hung_on: dt.date | None = None, hung_by: str = "") -> PosterHanging:
    """Record posters at a place (a second entry for the same place updates the first)."""
    if count < 0:
        raise PosterError(_("The count cannot be negative."))
    if hung_on is not None and hung_on > meeting.local_date:
        raise PosterError(_("Posters hung after the meeting cannot invite anyone. Check the date."))
    hanging = db.session.scalar(sa.select(PosterHanging).where(
        PosterHanging.meeting_id == meeting.id, PosterHanging.location_id == location.id))
    if hanging is None:
        hanging = PosterHanging(meeting_id=meeting.id, location_id=location.id)
        db.session.add(hanging)
    hanging.count, hanging.languages = count, list(languages or [])
    hanging.hung_on, hanging.hung_by = hung_on, hung_by.strip()
    db.session.flush()
    return hanging


def take_down(hanging: PosterHanging, on: dt.date | None = None) -> None:
    on = on or utcnow().astimezone(local_zone()).date()
    if hanging.hung_on is not None and on < hanging.hung_on:
        raise PosterError(_("A poster cannot come down before it went up."))
    hanging.taken_down_on = on
    db.session.flush()


def warnings(meeting: Meeting) -> list[Warning]:
    if meeting.status == MeetingStatus.draft:
        return []
    today = utcnow().astimezone(local_zone()).date()
    rows = hangings(meeting)
    found = []
    if today > meeting.local_date or meeting.status == MeetingStatus.cancelled:
        still_up = [h.location.name for h in rows if h.taken_down_on is None]
        if still_up:
            found.append(Warning("warning", ngettext(
                "A poster is still up at %(places)s: take it down.",
                "Posters are still up at %(num)d places (%(places)s): take them down.",
                len(still_up), places=", ".join(still_up))))
        return found
    if (meeting.local_date - today).days <= PRIORITY_WARNING_DAYS:
        covered = {h.location_id for h in rows}
        missing = [loc.name for loc in locations(active_only=True) if loc.priority == 1 and loc.id not in covered]
        if missing:
            found.append(Warning("warning", _("No posters yet at the most important places: %(places)s.",
                                              places=", ".join(missing))))
    return found


def usage() -> dict[int, tuple[int, dt.date | None]]:
    """Per place: at how many meetings posters hung there, and the last day they went up (one query)."""
    rows = db.session.execute(
        sa.select(PosterHanging.location_id, sa.func.count(PosterHanging.id), sa.func.max(PosterHanging.hung_on))
        .group_by(PosterHanging.location_id)).all()
    return {location_id: (int(n), last) for location_id, n, last in rows}
