"""Mailings, registrations and the funnel: invited (by channel) → registered (by channel) → came."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from ..core.hooks import Warning
from ..core.locks import lock_row
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
    from ..core import validation

    # A mailing dated 9999-12-31 made the meeting's pages fail for everyone (a week after it overflows).
    for label, day in ((_("Sent or started on"), values.get("sent_on")), (_("Stopped on (enclosures)"),
                                                                         values.get("stop_on"))):
        if validation.date_problem(label, day):
            raise OutreachError(validation.date_problem(label, day))
    try:
        values["done_by"] = validation.check_text(_("Done by"), values.get("done_by"), 120)
    except validation.InputError as exc:
        raise OutreachError(str(exc)) from None
    if values.get("channel") == Channel.enclosure and not values.get("stop_on"):
        values["stop_on"] = default_stop_date(meeting)
    mailing = Mailing(meeting_id=meeting.id, **values)
    db.session.add(mailing)
    db.session.flush()
    return mailing


class AlreadyRegistered(OutreachError):
    """The person has a registration for the meeting already (``registration_id``); nothing was added."""

    def __init__(self, registration_id: int):
        self.registration_id = registration_id
        super().__init__(_("This person is already registered for this meeting."))


#: Longest key the column holds (a 200-character name can grow when folded: "ß" → "ss").
KEY_LENGTH = 220


def person_key(phone: str | None = None, name: str | None = None) -> str | None:
    """What makes two registrations for one meeting the same person: the same mobile number (E.164), or,
    without a number, the same name written the same way up to case, spacing and Unicode composition.
    None for an anonymous head count (those may repeat: two families of four are eight people)."""
    if phone:
        return f"tel:{phone}"
    folded = " ".join(unicodedata.normalize("NFC", unicodedata.normalize("NFC", name or "").casefold()).split())
    if not folded or folded == "–":  # "–" is the name of a contact that gave only a number
        return None
    return f"name:{folded}"[:KEY_LENGTH]


def contact_key(contact) -> str | None:
    return person_key(contact.phone, contact.name) if contact is not None else None


def find_registration(meeting: Meeting, dedupe_key: str | None) -> Registration | None:
    if dedupe_key is None:
        return None
    return db.session.scalar(sa.select(Registration).where(Registration.meeting_id == meeting.id,
                                                           Registration.dedupe_key == dedupe_key))


def add_registration(meeting: Meeting, dedupe_key: str | None = None, **values) -> Registration:
    """A registration, once per person (``dedupe_key``, see ``person_key``; by default the linked contact's
    number or name): AlreadyRegistered if the person has one. The check waits for a concurrent sign-up for the same meeting to commit (``lock_row``), so
    the second of two simultaneous posts gets the friendly answer; the unique constraint is what makes
    the rule hold, and its IntegrityError is turned into the same answer."""
    if values.get("adults", 0) < 0 or values.get("children", 0) < 0:
        raise OutreachError(_("Counts cannot be negative."))
    if values.get("adults", 0) + values.get("children", 0) == 0:
        raise OutreachError(_("A registration is for at least one person."))
    if dedupe_key is None and values.get("contact_id"):
        from .models import Contact

        dedupe_key = contact_key(db.session.get(Contact, values["contact_id"]))
    if dedupe_key is not None:
        lock_row(Meeting, meeting.id)
        existing = find_registration(meeting, dedupe_key)
        if existing is not None:
            raise AlreadyRegistered(existing.id)
    registration = Registration(meeting_id=meeting.id, dedupe_key=dedupe_key, **values)
    try:
        with db.session.begin_nested():
            db.session.add(registration)
            db.session.flush()
    except IntegrityError:
        existing = find_registration(meeting, dedupe_key)
        if existing is None:
            raise
        raise AlreadyRegistered(existing.id) from None
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
                and stop >= meeting.local_date - dt.timedelta(days=POSTAL_DAYS):
            # (subtracting from the meeting: a legacy stop date of 9999-12-31 must not overflow the page)
            found.append(Warning("warning", _(
                "%(channel)s until %(date)s: an invitation could arrive after the meeting. Stop a week before.",
                channel=mailing.channel.title, date=stop.isoformat())))
    return found


def forget_contact(contact) -> None:
    """Erasure listener: registrations keep their anonymous counts, never the person (nor their free-text
    dietary needs, which can identify someone or reveal their health)."""
    db.session.execute(sa.update(Registration).where(Registration.contact_id == contact.id)
                       .values(contact_id=None, dietary="", dedupe_key=None))
    # The key holds the number or the name itself, also on a registration another record of the same
    # person made (a web sign-up and a slip are two contacts).
    keys = [k for k in (person_key(contact.phone), person_key(name=contact.name)) if k]
    if keys:
        db.session.execute(sa.update(Registration).where(Registration.dedupe_key.in_(keys))
                           .values(dedupe_key=None))


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
