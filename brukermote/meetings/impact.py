"""Told when a change matters: before a published meeting moves or is cancelled, who and what it
affects (registrations, SMS recipients, interpreter bookings, posters and flyers printed or hung,
letters and enclosures), and what confirming it does besides saving: the "new time" or
cancellation SMS in each recipient's language (only for an SMS sender, through the same one-time
token as "send now"), printed posters and flyers marked outdated, and the interpreter bookings the
provider knows of flagged so that someone tells the provider (``interpreters.services``' listeners).

Nothing changes until the committee member has seen the impact and confirmed it. This module reads
other domains' tables; they import nothing from it, so there is no cycle.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from ..core import languages
from ..core.timeutil import utcnow
from ..extensions import db
from .models import Meeting, MeetingStatus


@dataclass
class SmsLanguage:
    language: languages.Language
    count: int
    #: The text is not approved in the language: these readers get the Norwegian one.
    fallback: bool


@dataclass
class Impact:
    #: "moved" or "cancelled".
    change: str
    registrations: int = 0
    #: Adults and children registered.
    people: int = 0
    #: Names of the registered, only for members bound by professional secrecy (None otherwise).
    names: list[str] | None = None
    sms_count: int = 0
    sms_languages: list[SmsLanguage] = field(default_factory=list)
    #: The SMS in Norwegian as it would be sent (with the new date and time when moving).
    sms_example: str = ""
    may_send_sms: bool = False
    bookings: list = field(default_factory=list)
    #: Bookings the provider knows of (ordered or confirmed): the provider must be told.
    provider_knows: int = 0
    prints: list = field(default_factory=list)
    hangings: list = field(default_factory=list)
    letters: list = field(default_factory=list)
    mail_merges: int = 0

    @property
    def posters_hung(self) -> int:
        return sum(h.count or 0 for h in self.hangings)


def needs_confirmation(meeting: Meeting) -> bool:
    """Participants may know of the meeting: it was published once (set back to "planned" since or
    not), or people registered, got an SMS about it or a poster or flyer was printed for real. A held
    or cancelled meeting cannot move or be cancelled again."""
    from ..outreach.models import Registration
    from ..printing.models import PrintRecord
    from ..sms.models import SmsMessage, SmsSend

    if meeting.status in (MeetingStatus.held, MeetingStatus.cancelled):
        return False
    if meeting.published_at is not None:
        return True
    known = (sa.select(Registration.id).where(Registration.meeting_id == meeting.id),
             sa.select(SmsMessage.id).join(SmsSend, SmsMessage.send_id == SmsSend.id)
             .where(SmsSend.meeting_id == meeting.id),
             sa.select(PrintRecord.id).where(PrintRecord.meeting_id == meeting.id))
    return any(db.session.scalar(sa.select(sa.exists(query))) for query in known)


def is_move(meeting: Meeting, starts: dt.datetime, ends: dt.datetime, venue_id: int | None) -> bool:
    """Another day, time or venue: what posters, flyers and SMS told people is no longer right."""
    return (starts, ends) != (meeting.starts_at, meeting.ends_at) or venue_id != meeting.venue_id


def assess(meeting: Meeting, change: str, user, *, new_start: dt.datetime | None = None,
           new_venue_id: int | None = None) -> Impact:
    """Everything the change touches, as it is now (nothing is changed)."""
    from ..auth.capabilities import may_send_sms
    from ..core.jobs import Job, JobState
    from ..interpreters.models import STANDING, InterpreterBooking
    from ..outreach.models import Channel, Contact, Mailing, Registration
    from ..printing.models import PrintRecord
    from ..sms import services as sms
    from ..sms.models import Audience, TemplateKind

    impact = Impact(change=change)
    registrations = list(db.session.scalars(sa.select(Registration).where(Registration.meeting_id == meeting.id)
                                            .order_by(Registration.id)))
    impact.registrations = len(registrations)
    impact.people = sum((r.adults or 0) + (r.children or 0) for r in registrations)
    if getattr(user, "is_confidential", False):
        ids = [r.contact_id for r in registrations if r.contact_id]
        named = dict(db.session.execute(sa.select(Contact.id, Contact.name).where(Contact.id.in_(ids))).all()) \
            if ids else {}
        impact.names = sorted(named[i] for i in ids if named.get(i))
    kind = TemplateKind.moved if change == "moved" else TemplateKind.cancellation
    recipients = sms.recipients(meeting, Audience.affected)
    impact.sms_count = len(recipients)
    for code, count in Counter(c.language if c.language in languages.LANGUAGES else "nb"
                               for c in recipients).most_common():
        impact.sms_languages.append(SmsLanguage(languages.get(code), count, sms.usable_template(kind, code)[1]))
    impact.sms_example = sms_text(meeting, kind, "nb", new_start=new_start, new_venue_id=new_venue_id)
    impact.may_send_sms = may_send_sms(user)
    impact.bookings = list(db.session.scalars(
        sa.select(InterpreterBooking).where(InterpreterBooking.meeting_id == meeting.id,
                                            InterpreterBooking.status.in_(STANDING))
        .order_by(InterpreterBooking.language)))
    impact.provider_knows = sum(1 for b in impact.bookings if b.status.value in ("ordered", "confirmed"))
    impact.prints = list(db.session.scalars(
        sa.select(PrintRecord).where(PrintRecord.meeting_id == meeting.id, PrintRecord.outdated_at.is_(None))
        .order_by(PrintRecord.printed_at)))
    impact.hangings = hung_posters(meeting)
    impact.letters = list(db.session.scalars(
        sa.select(Mailing).where(Mailing.meeting_id == meeting.id,
                                 Mailing.channel.in_([Channel.letter, Channel.enclosure])).order_by(Mailing.id)))
    impact.mail_merges = db.session.scalar(
        sa.select(sa.func.count(Job.id)).where(Job.meeting_id == meeting.id, Job.kind == "print.letters",
                                               Job.state == JobState.finished)) or 0
    return impact


def hung_posters(meeting: Meeting) -> list:
    """Where the meeting's posters hang now: hung and not taken down."""
    from ..outreach.models import PosterHanging

    return list(db.session.scalars(
        sa.select(PosterHanging).where(PosterHanging.meeting_id == meeting.id, PosterHanging.hung_on.is_not(None),
                                       PosterHanging.taken_down_on.is_(None)).order_by(PosterHanging.id)))


def sms_text(meeting: Meeting, kind, language: str, *, new_start: dt.datetime | None = None,
             new_venue_id: int | None = None) -> str:
    """The SMS a reader of ``language`` would get, with the new date, time and venue of a move (the
    meeting itself is not changed to compute it)."""
    from ..printing import texts as printing_texts
    from ..sms import services as sms
    from ..sms import texts as sms_texts
    from .models import Venue

    template, _fallback = sms.usable_template(kind, language)
    values = sms.values_for(meeting, template.language)
    if new_start is not None:
        local = new_start.astimezone(meeting.local_start.tzinfo)
        values.update(date=printing_texts.long_date(local.date(), template.language),
                      weekday=printing_texts.weekday(local.date(), template.language),
                      time=printing_texts.clock(local.time(), template.language))
    if new_venue_id is not None and new_venue_id != meeting.venue_id:
        venue = db.session.get(Venue, new_venue_id)
        values["venue"] = venue.name if venue else ""
    return sms_texts.fill(template.body, values)


def mark_prints_outdated(meeting: Meeting, because: str) -> int:
    """Every poster and flyer printed so far shows what is no longer true. Returns how many."""
    from ..printing.models import PrintRecord

    result = db.session.execute(
        sa.update(PrintRecord).where(PrintRecord.meeting_id == meeting.id, PrintRecord.outdated_at.is_(None))
        .values(outdated_at=utcnow(), outdated_because=because).execution_options(synchronize_session=False))
    db.session.flush()
    return result.rowcount or 0


def send_notice(meeting: Meeting, change: str, user, request_token: str):
    """The "new time" or cancellation SMS to everyone registered or told by SMS, through the SMS
    service (it checks the sender's role, the one-time token and the audit). Returns the send, or
    None when nobody is to get it. The caller commits, then hands the send to the worker."""
    from ..sms import services as sms
    from ..sms.models import Audience, SendKind

    if not sms.recipients(meeting, Audience.affected):
        return None
    kind = SendKind.moved if change == "moved" else SendKind.cancellation
    # No "same text lately" window: a correction of a move minutes later is a new notice (a new time).
    return sms.send_now(meeting, kind, Audience.affected, actor=user, request_token=request_token,
                        same_text_window=False)


@dataclass
class Outdated:
    """Printed material still to be replaced after a change, for the meeting page's warning."""

    because: str
    #: (document, language code) printed before the change and not printed again since.
    prints: list[tuple[str, str]]
    places: list[str]


def outdated(meeting: Meeting) -> Outdated | None:
    from ..printing.models import PrintRecord

    records = list(db.session.scalars(sa.select(PrintRecord).where(PrintRecord.meeting_id == meeting.id)
                                      .order_by(PrintRecord.printed_at, PrintRecord.id)))
    latest: dict[tuple[str, str], object] = {}
    for record in records:
        latest[(record.document, record.language)] = record  # a reprint after the change replaces it
    stale = [record for record in latest.values() if record.outdated_at is not None]
    if not stale:
        return None
    places = [h.location.name for h in hung_posters(meeting)]
    return Outdated(stale[-1].outdated_because, [(r.document, r.language) for r in stale], places)
