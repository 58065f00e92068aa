"""Mailings, registrations and the funnel: invited (by channel) → registered (by channel) → came."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _

from ..core.hooks import Warning
from ..extensions import db
from ..meetings.models import Meeting, MeetingStatus
from .models import ANSWERS, REGISTRATION_CHANNELS, Channel, Mailing, Registration

#: Days a letter or enclosure may take to reach someone.
POSTAL_DAYS = 3
#: Enclosures stop this many days before the meeting by default.
ENCLOSURE_STOP_DAYS = 7


class OutreachError(ValueError):
    pass


def default_stop_date(meeting: Meeting) -> dt.date:
    return meeting.local_date - dt.timedelta(days=ENCLOSURE_STOP_DAYS)


def add_mailing(meeting: Meeting, **values) -> Mailing:
    if values.get("count", 0) < 0 or (values.get("cost") is not None and values["cost"] < 0):
        raise OutreachError(_("Counts and costs cannot be negative."))
    if values.get("channel") == Channel.enclosure and not values.get("stop_on"):
        values["stop_on"] = default_stop_date(meeting)
    mailing = Mailing(meeting_id=meeting.id, **values)
    db.session.add(mailing)
    db.session.flush()
    return mailing


def add_registration(meeting: Meeting, **values) -> Registration:
    if values.get("adults", 0) < 0 or values.get("children", 0) < 0:
        raise OutreachError(_("Counts cannot be negative."))
    if values.get("adults", 0) + values.get("children", 0) == 0:
        raise OutreachError(_("A registration is for at least one person."))
    registration = Registration(meeting_id=meeting.id, **values)
    db.session.add(registration)
    db.session.flush()
    return registration


@dataclass
class FunnelRow:
    channel: Channel
    invited: int | None
    registered: int
    came: int

    @property
    def registered_share(self) -> float | None:
        return self.registered / self.invited if self.invited else None

    @property
    def came_share(self) -> float | None:
        return self.came / self.registered if self.registered else None


@dataclass
class Funnel:
    rows: list[FunnelRow] = field(default_factory=list)
    invited: int = 0
    registered: int = 0
    came: int = 0
    walk_ins: int = 0
    invited_by_channel: dict = field(default_factory=dict)


def funnel(meeting_ids: list[int]) -> Funnel:
    """Counts in people: a registration for two adults is two registered (one query per table)."""
    invited = dict(db.session.execute(
        sa.select(Mailing.channel, sa.func.sum(Mailing.count)).where(Mailing.meeting_id.in_(meeting_ids))
        .group_by(Mailing.channel)).all())
    registrations = db.session.execute(
        sa.select(Registration.channel, sa.func.count(Registration.id), sa.func.sum(Registration.adults),
                  sa.func.sum(sa.case((Registration.came.is_(True), Registration.adults), else_=0)))
        .where(Registration.meeting_id.in_(meeting_ids)).group_by(Registration.channel)).all()
    by_channel = {channel: (int(people or 0), int(came or 0)) for channel, _n, people, came in registrations}
    result = Funnel(invited_by_channel={c: int(n or 0) for c, n in invited.items()})
    result.invited = sum(result.invited_by_channel.values())
    result.walk_ins = sum(walk_ins_by_meeting(meeting_ids).values())
    for channel in REGISTRATION_CHANNELS:
        people, came = by_channel.get(channel, (0, 0))
        if channel == Channel.walk_in:
            continue
        sources = ANSWERS.get(channel, ())
        reached = sum(result.invited_by_channel.get(s, 0) for s in sources) if any(
            s in result.invited_by_channel for s in sources) else None
        result.rows.append(FunnelRow(channel, reached, people, came))
        result.registered += people
        result.came += came
    return result


def walk_ins_by_meeting(meeting_ids: list[int]) -> dict[int, int]:
    """Unregistered people who came, per meeting: the attendance tally's walk-ins, or the walk-ins checked
    in one by one as registrations if those are more (both are headcounts of the same people, so never
    added together). Two queries however many meetings."""
    from ..attendance.models import Attendance

    tallied = dict(db.session.execute(
        sa.select(Attendance.meeting_id, Attendance.walk_ins).where(Attendance.meeting_id.in_(meeting_ids))).all())
    checked_in = dict(db.session.execute(
        sa.select(Registration.meeting_id, sa.func.sum(Registration.adults))
        .where(Registration.meeting_id.in_(meeting_ids), Registration.channel == Channel.walk_in)
        .group_by(Registration.meeting_id)).all())
    return {mid: max(int(tallied.get(mid) or 0), int(checked_in.get(mid) or 0))
            for mid in set(tallied) | set(checked_in)}


def registrations(meeting: Meeting) -> list[Registration]:
    return list(db.session.scalars(sa.select(Registration).where(Registration.meeting_id == meeting.id)
                                   .order_by(Registration.id)))


def mailings(meeting: Meeting) -> list[Mailing]:
    return list(db.session.scalars(sa.select(Mailing).where(Mailing.meeting_id == meeting.id).order_by(Mailing.id)))


def warnings(meeting: Meeting) -> list[Warning]:
    if meeting.status in (MeetingStatus.cancelled, MeetingStatus.held):
        return []
    found = []
    for mailing in mailings(meeting):
        stop = mailing.stop_on if mailing.channel == Channel.enclosure else mailing.sent_on
        if mailing.channel in (Channel.enclosure, Channel.letter) and stop is not None \
                and stop + dt.timedelta(days=POSTAL_DAYS) >= meeting.local_date:
            found.append(Warning("warning", _(
                "%(channel)s until %(date)s: an invitation could arrive after the meeting. Stop a week before.",
                channel=mailing.channel.title, date=stop.isoformat())))
    return found


def forget_contact(contact) -> None:
    """Erasure listener: registrations keep their anonymous counts, never the person (nor their free-text
    dietary needs, which can identify someone or reveal their health)."""
    db.session.execute(sa.update(Registration).where(Registration.contact_id == contact.id)
                       .values(contact_id=None, dietary=""))


@dataclass
class MeetingFunnel:
    meeting: Meeting
    invited: int = 0
    registered: int = 0
    came: int = 0
    walk_ins: int = 0


def meetings_between(start: dt.date | None, end: dt.date | None) -> list[Meeting]:
    from ..core.timeutil import local_midnight_utc

    query = sa.select(Meeting).where(Meeting.status != MeetingStatus.cancelled).order_by(Meeting.starts_at)
    if start is not None:
        query = query.where(Meeting.starts_at >= local_midnight_utc(start))
    if end is not None and end < dt.date.max:  # the last day there is: no bound
        query = query.where(Meeting.starts_at < local_midnight_utc(end + dt.timedelta(days=1)))
    return list(db.session.scalars(query))


def funnel_by_meeting(meetings: list[Meeting]) -> list[MeetingFunnel]:
    """The funnel's totals for each meeting, side by side (two queries however many meetings)."""
    ids = [m.id for m in meetings]
    invited = dict(db.session.execute(
        sa.select(Mailing.meeting_id, sa.func.sum(Mailing.count)).where(Mailing.meeting_id.in_(ids))
        .group_by(Mailing.meeting_id)).all())
    walk_in = Registration.channel == Channel.walk_in
    rows = db.session.execute(
        sa.select(Registration.meeting_id,
                  sa.func.sum(sa.case((walk_in, 0), else_=Registration.adults)),
                  sa.func.sum(sa.case((sa.and_(~walk_in, Registration.came.is_(True)), Registration.adults), else_=0)))
        .where(Registration.meeting_id.in_(ids)).group_by(Registration.meeting_id)).all()
    registered = {mid: (int(r or 0), int(c or 0)) for mid, r, c in rows}
    walk_ins = walk_ins_by_meeting(ids)
    result = []
    for meeting in meetings:
        r, c = registered.get(meeting.id, (0, 0))
        result.append(MeetingFunnel(meeting, int(invited.get(meeting.id) or 0), r, c, walk_ins.get(meeting.id, 0)))
    return result
