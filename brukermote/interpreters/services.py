"""Interpreter operations: bookings and their life cycle, warnings, demand and costs.

Usable from views, the CLI, the demo loader and tests alike. Functions flush, never commit.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from ..core import languages
from ..core.hooks import Warning
from ..core.timeutil import local_zone, to_local, to_utc, utcnow
from ..extensions import db
from ..meetings.models import BudgetCategory, BudgetLine, Meeting, MeetingStatus, MeetingType
from .models import (
    COVERING,
    PROVIDER_KNOWS,
    STANDING,
    STATUS_TRANSITIONS,
    BookingMode,
    BookingStatus,
    Interpreter,
    InterpreterBooking,
    InterpreterLanguage,
    InterpreterProvider,
    ProviderKind,
    RequestSource,
)

#: Interpreters are asked to come this long before the start, for a briefing.
BRIEFING_MINUTES = 15
#: Lead time assumed for a booking that has no provider yet (the public service's usual).
DEFAULT_LEAD_DAYS = 14
#: How many past meetings the demand suggestions look back over.
HISTORY_MEETINGS = 10


class InterpreterError(ValueError):
    """A request the domain refuses, with a message fit for the user.

    ``field`` names the form field the message belongs to, when there is one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


def language_label(code: str) -> str:
    lang = languages.LANGUAGES.get(code)
    return lang.name_nb if lang else code


# -- price model --------------------------------------------------------------------------------

def billed_hours(provider: InterpreterProvider, minutes: int) -> Decimal:
    """Hours the provider bills: the booked time rounded up to the next started half hour,
    but never less than the provider's minimum."""
    half_hours = math.ceil(minutes / 30)
    hours = Decimal(half_hours) / 2
    return max(hours, Decimal(provider.minimum_hours or 0))


def estimate_cost(provider: InterpreterProvider | None, minutes: int, mode: BookingMode) -> Decimal | None:
    """The default estimate from the provider's price model: hourly rate × billed hours, plus
    travel for on-site work (none by phone). None when the provider has no hourly rate."""
    if provider is None or provider.hourly_rate is None:
        return None
    cost = provider.hourly_rate * billed_hours(provider, minutes)
    if mode != BookingMode.phone and provider.travel_cost:
        cost += provider.travel_cost
    return cost.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


# -- providers and interpreters -----------------------------------------------------------------

def providers() -> list[InterpreterProvider]:
    return list(db.session.scalars(sa.select(InterpreterProvider).order_by(InterpreterProvider.name)))


def provider_usage() -> dict[int, int]:
    """Bookings per provider, in one query."""
    rows = db.session.execute(
        sa.select(InterpreterBooking.provider_id, sa.func.count(InterpreterBooking.id))
        .where(InterpreterBooking.provider_id.is_not(None)).group_by(InterpreterBooking.provider_id))
    return {provider_id: count for provider_id, count in rows}


def interpreters() -> list[Interpreter]:
    return list(db.session.scalars(
        sa.select(Interpreter).order_by(Interpreter.name)
        .options(selectinload(Interpreter.languages), selectinload(Interpreter.provider))))


def interpreters_for(code: str) -> list[Interpreter]:
    return list(db.session.scalars(
        sa.select(Interpreter).join(InterpreterLanguage).where(InterpreterLanguage.language == code)
        .order_by(Interpreter.name).options(selectinload(Interpreter.languages))))


def delete_provider(provider: InterpreterProvider) -> None:
    used = db.session.scalar(sa.select(sa.func.count(InterpreterBooking.id))
                             .where(InterpreterBooking.provider_id == provider.id))
    if used:
        raise InterpreterError(ngettext(
            "%(name)s cannot be deleted: %(num)d booking refers to it. The booking keeps its history; "
            "change its provider first if it really must go.",
            "%(name)s cannot be deleted: %(num)d bookings refer to it. The bookings keep their history; "
            "change their provider first if it really must go.", used, name=provider.name))
    db.session.delete(provider)
    db.session.flush()


def set_languages(interpreter: Interpreter, categories: dict[str, int | None]) -> None:
    """Replace the interpreter's languages: ``{code: category (1–5) or None for not registered}``."""
    for code, category in categories.items():
        if code not in languages.LANGUAGES:
            raise InterpreterError(_("Unknown language «%(code)s».", code=code))
        if category is not None and category not in (1, 2, 3, 4, 5):
            raise InterpreterError(_("The register category must be 1 to 5, or not registered."))
    existing = {entry.language: entry for entry in interpreter.languages}
    for code, entry in existing.items():
        if code not in categories:
            interpreter.languages.remove(entry)
    for code, category in categories.items():
        if code in existing:
            existing[code].register_category = category
        else:
            interpreter.languages.append(InterpreterLanguage(language=code, register_category=category))
    db.session.flush()


# -- bookings -----------------------------------------------------------------------------------

@dataclass
class BookingData:
    """What a form (or the demo loader, or a test) says a booking should be."""

    language: str
    provider_id: int | None = None
    interpreter_id: int | None = None
    mode: BookingMode = BookingMode.plenary
    #: Local wall-clock arrival on the meeting's day; None: 15 minutes before the start.
    arrival: dt.time | None = None
    #: None: from arrival until the meeting ends.
    minutes: int | None = None
    requested_by: RequestSource = RequestSource.committee
    registration_id: int | None = None
    #: None: computed from the provider's price model.
    estimated_cost: Decimal | None = None
    actual_cost: Decimal | None = None
    reference: str = ""
    day_contact: str = ""
    notes: str = ""


def default_arrival(meeting: Meeting) -> dt.datetime:
    return meeting.starts_at - dt.timedelta(minutes=BRIEFING_MINUTES)


def bookings(meeting: Meeting) -> list[InterpreterBooking]:
    return list(db.session.scalars(
        sa.select(InterpreterBooking).where(InterpreterBooking.meeting_id == meeting.id)
        .order_by(InterpreterBooking.arrives_at, InterpreterBooking.language, InterpreterBooking.id)
        .options(selectinload(InterpreterBooking.provider),
                 selectinload(InterpreterBooking.interpreter).selectinload(Interpreter.languages))))


def _estimate_followed(booking: InterpreterBooking, old_provider: InterpreterProvider | None, old_minutes: int | None,
                       old_mode: BookingMode | None, given: Decimal | None) -> Decimal | None:
    """The estimate to keep after an edit or a move. Empty means computed from the provider's prices. An
    estimate equal to what the price model gave for the old provider, duration and mode was computed,
    not typed (the table does not record which), so it follows those changes; a typed one is kept."""
    new_computed = estimate_cost(booking.provider, booking.minutes, booking.mode)
    if given is None:
        return new_computed
    if old_minutes is None or (old_provider, old_minutes, old_mode) == (booking.provider, booking.minutes, booking.mode):
        return given
    old_computed = estimate_cost(old_provider, old_minutes, old_mode)
    if old_computed is not None and given == old_computed:
        return new_computed
    return given


def _note_order_change(booking: InterpreterBooking, old_arrives: dt.datetime, *, other_changed: bool,
                       now: dt.datetime | None = None) -> None:
    """Flag a booking the provider knows of when what they were ordered changed: arrival, duration,
    mode, language or the venue.

    Only the arrival they have is recorded (``told_arrival_at``). While nothing but the arrival has
    changed, going back to it clears the flag. Once something not recorded changed too, the told arrival
    is dropped (None while flagged), so no later move can look like "back to what they have": only
    marking the provider as told clears the flag then."""
    if booking.status not in PROVIDER_KNOWS:
        return
    if booking.arrives_at == old_arrives and not other_changed:
        return
    if booking.moved_at is None:
        booking.told_arrival_at = old_arrives  # nothing was pending: the provider had the order as it was
    elif booking.told_arrival_at is None:
        other_changed = True  # a change that is not recorded is still pending
    if other_changed:
        booking.told_arrival_at = None
        booking.moved_at = booking.moved_at or now or utcnow()
    elif booking.told_arrival_at == booking.arrives_at:
        booking.moved_at = None  # back to what the provider already has
    else:
        booking.moved_at = booking.moved_at or now or utcnow()


def _apply(booking: InterpreterBooking, meeting: Meeting, data: BookingData) -> None:
    if data.language not in languages.LANGUAGES or data.language == "nb":
        raise InterpreterError(_("Choose the language to interpret into."), "language")
    provider = None
    if data.provider_id is not None:
        provider = db.session.get(InterpreterProvider, data.provider_id)
        if provider is None:
            raise InterpreterError(_("The chosen provider no longer exists."), "provider_id")
    interpreter = None
    if data.interpreter_id is not None:
        interpreter = db.session.get(Interpreter, data.interpreter_id)
        if interpreter is None:
            raise InterpreterError(_("The chosen interpreter no longer exists."), "interpreter_id")
        if not interpreter.speaks(data.language):
            raise InterpreterError(_("%(name)s does not interpret %(language)s. Choose another interpreter, "
                                     "or add the language to the interpreter first.",
                                     name=interpreter.name, language=language_label(data.language)),
                                   "interpreter_id")
    if data.arrival is None:
        arrives = default_arrival(meeting)
    else:
        arrives = to_utc(meeting.local_date, data.arrival)
    if arrives > meeting.starts_at:
        raise InterpreterError(_("The interpreter must arrive no later than the meeting starts (%(start)s); "
                                 "15 minutes before is usual, for the briefing.",
                                 start=meeting.local_start.strftime("%H:%M")), "arrival")
    if arrives < meeting.starts_at - dt.timedelta(hours=6):
        raise InterpreterError(_("The arrival is more than six hours before the meeting starts."), "arrival")
    minutes = data.minutes
    if minutes is None:
        minutes = int((meeting.ends_at - arrives).total_seconds() // 60)
    if minutes <= 0 or minutes > 1440:
        raise InterpreterError(_("The duration must be between 1 and 1440 minutes."), "minutes")
    for name, value in (("estimated_cost", data.estimated_cost), ("actual_cost", data.actual_cost)):
        if value is not None and value < 0:
            raise InterpreterError(_("The amount cannot be negative."), name)
    if data.requested_by == RequestSource.registration and data.registration_id is not None:
        from ..outreach.models import Registration

        registration = db.session.get(Registration, data.registration_id)
        if registration is None or registration.meeting_id != meeting.id:
            raise InterpreterError(_("That registration is not for this meeting."), "registration_id")
    if booking.arrives_at is not None and (booking.arrives_at != arrives or booking.minutes != minutes):
        booking.ical_sequence = (booking.ical_sequence or 0) + 1
    old_provider, old_minutes, old_mode = booking.provider, booking.minutes, booking.mode
    old_estimate = booking.estimated_cost
    booking.language = data.language
    booking.provider_id = provider.id if provider else None
    booking.provider = provider
    booking.interpreter_id = interpreter.id if interpreter else None
    booking.interpreter = interpreter
    booking.mode = data.mode
    booking.arrives_at = arrives
    booking.minutes = minutes
    booking.requested_by = data.requested_by
    booking.registration_id = data.registration_id if data.requested_by == RequestSource.registration else None
    given = data.estimated_cost
    if given is not None and given != old_estimate:
        old_minutes = None  # typed anew in this edit: keep it as typed
    booking.estimated_cost = _estimate_followed(booking, old_provider, old_minutes, old_mode, given)
    booking.actual_cost = data.actual_cost
    booking.reference = data.reference.strip()
    booking.day_contact = data.day_contact.strip()
    booking.notes = data.notes.strip()


def create_booking(meeting: Meeting, data: BookingData) -> InterpreterBooking:
    """A new booking, status "needed"; the estimate defaults to the provider's price model."""
    if meeting.is_cancelled:
        raise InterpreterError(_("The meeting is cancelled; nothing can be booked for it."))
    booking = InterpreterBooking(meeting_id=meeting.id, meeting=meeting, status=BookingStatus.needed)
    booking.arrives_at = None
    _apply(booking, meeting, data)
    db.session.add(booking)
    db.session.flush()
    return booking


def update_booking(booking: InterpreterBooking, data: BookingData) -> InterpreterBooking:
    """Save an edited booking. A change to what the provider of an ordered or confirmed booking was
    ordered (arrival, duration, mode, language) is flagged, like a move of the meeting, until the
    provider is told. An empty estimate is computed from the provider's prices."""
    old = (booking.arrives_at, booking.minutes, booking.mode, booking.language)
    _apply(booking, booking.meeting, data)
    _note_order_change(booking, old[0],
                       other_changed=(booking.minutes, booking.mode, booking.language) != old[1:])
    db.session.flush()
    return booking


def book_language(meeting: Meeting, code: str, source: RequestSource = RequestSource.committee) -> InterpreterBooking:
    """One click from the demand list: a "needed" booking at the default time, through the provider
    last used for this language (else the only/first public provider), with its estimate."""
    provider_id = db.session.scalar(
        sa.select(InterpreterBooking.provider_id)
        .where(InterpreterBooking.language == code, InterpreterBooking.provider_id.is_not(None))
        .order_by(InterpreterBooking.arrives_at.desc()).limit(1))
    if provider_id is None:
        provider_id = db.session.scalar(
            sa.select(InterpreterProvider.id).order_by(
                sa.case((InterpreterProvider.kind == ProviderKind.public, 0), else_=1), InterpreterProvider.id).limit(1))
    registration_id = None
    if source == RequestSource.registration:
        from ..outreach.models import Registration

        registration_id = db.session.scalar(
            sa.select(Registration.id).where(Registration.meeting_id == meeting.id,
                                             Registration.interpreter_language == code)
            .order_by(Registration.id).limit(1))
    return create_booking(meeting, BookingData(language=code, provider_id=provider_id, requested_by=source,
                                               registration_id=registration_id))


def change_booking_status(booking: InterpreterBooking, new: BookingStatus, *, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    if booking.meeting.is_cancelled and new != BookingStatus.cancelled:
        # Nothing is going to happen: confirming, reopening or recording the day would all be false.
        raise InterpreterError(_("The meeting is cancelled: its interpreter bookings can only be cancelled "
                                 "(tell the provider first if they know of the booking)."))
    if new not in STATUS_TRANSITIONS[booking.status]:
        raise InterpreterError(_("A booking that is %(old)s cannot become %(new)s.",
                                 old=booking.status.title, new=new.title))
    if new == BookingStatus.ordered and booking.provider_id is None:
        raise InterpreterError(_("Choose the provider before marking the booking as ordered."))
    if new in (BookingStatus.delivered, BookingStatus.no_show) and booking.arrives_at > now:
        raise InterpreterError(_("Whether the interpreter came can only be recorded after the arrival time."))
    if new == BookingStatus.ordered:
        booking.ordered_at = now
        booking.told_arrival_at = booking.arrives_at
        booking.moved_at = None
    if new == BookingStatus.confirmed:
        booking.confirmed_at = now
    if new in (BookingStatus.cancelled, BookingStatus.needed):
        # A cancellation is itself the news the provider needed; a pending move no longer matters.
        booking.moved_at = None
    booking.status = new
    booking.ical_sequence = (booking.ical_sequence or 0) + 1
    db.session.flush()


def mark_provider_told(booking: InterpreterBooking) -> None:
    booking.moved_at = None
    booking.told_arrival_at = booking.arrives_at
    db.session.flush()


def delete_booking(booking: InterpreterBooking) -> None:
    if booking.status in PROVIDER_KNOWS:
        raise InterpreterError(_("The provider knows of this booking: cancel it (and tell them) instead of deleting it."))
    db.session.delete(booking)
    db.session.flush()


# -- listeners: the booking follows the meeting --------------------------------------------------

def follow_meeting_time(meeting: Meeting, old_start: dt.datetime, old_end: dt.datetime) -> None:
    """The meeting moved: every booking not yet over moves by the same amount. A booking that lasted
    until the old end lasts until the new one, and a computed estimate follows the new duration. If
    the provider knew of it and its arrival or duration changed, the booking is flagged until someone
    marks the provider as told."""
    delta = meeting.starts_at - old_start
    now = utcnow()
    for booking in db.session.scalars(
            sa.select(InterpreterBooking).where(InterpreterBooking.meeting_id == meeting.id)):
        if booking.status in (BookingStatus.delivered, BookingStatus.no_show):
            continue
        old_arrives, old_minutes = booking.arrives_at, booking.minutes
        ran_to_end = booking.ends_at == old_end
        booking.arrives_at = booking.arrives_at + delta
        if ran_to_end:
            booking.minutes = max(1, min(1440, int((meeting.ends_at - booking.arrives_at).total_seconds() // 60)))
        booking.estimated_cost = _estimate_followed(booking, booking.provider, old_minutes, booking.mode,
                                                    booking.estimated_cost)
        if (booking.arrives_at, booking.minutes) != (old_arrives, old_minutes):
            booking.ical_sequence = (booking.ical_sequence or 0) + 1
        _note_order_change(booking, old_arrives, other_changed=booking.minutes != old_minutes, now=now)
    db.session.flush()


@sa.event.listens_for(Meeting.venue_id, "set", active_history=True)
def _venue_changed(meeting: Meeting, value, oldvalue, initiator) -> None:
    """The meeting got another venue: an on-site interpreter the provider knows of must be told where to
    go. (The meetings domain tells listeners only of time changes, so the attribute is watched.)"""
    if meeting.id is None or oldvalue in (sa.orm.attributes.NO_VALUE, sa.orm.attributes.NEVER_SET) \
            or oldvalue == value:
        return
    with db.session.no_autoflush:
        affected = db.session.scalars(sa.select(InterpreterBooking).where(
            InterpreterBooking.meeting_id == meeting.id, InterpreterBooking.status.in_(PROVIDER_KNOWS),
            InterpreterBooking.mode != BookingMode.phone)).all()
    for booking in affected:
        _note_order_change(booking, booking.arrives_at, other_changed=True)


def on_meeting_cancelled(meeting: Meeting) -> None:
    """Bookings nobody has ordered yet are cancelled with the meeting; ordered and confirmed ones stay
    (and are warned about) until the committee has told the provider and cancels them: they are
    flagged "tell the provider" at once, as a move would flag them."""
    for booking in db.session.scalars(
            sa.select(InterpreterBooking).where(InterpreterBooking.meeting_id == meeting.id,
                                                InterpreterBooking.status.in_((BookingStatus.needed,)
                                                                              + PROVIDER_KNOWS))):
        if booking.status == BookingStatus.needed:
            booking.status = BookingStatus.cancelled
            booking.ical_sequence = (booking.ical_sequence or 0) + 1
        else:
            _note_order_change(booking, booking.arrives_at, other_changed=True)
    db.session.flush()


# -- warnings -----------------------------------------------------------------------------------

def lead_deadline(booking: InterpreterBooking) -> dt.datetime:
    days = booking.provider.lead_time_days if booking.provider is not None else DEFAULT_LEAD_DAYS
    return booking.arrives_at - dt.timedelta(days=days)


def overlapping(booking_list: list[InterpreterBooking]) -> dict[int, list[InterpreterBooking]]:
    """For each standing booking with a named interpreter: that interpreter's standing bookings at
    other meetings whose time overlaps. One query for the whole list."""
    mine = [b for b in booking_list if b.interpreter_id is not None and b.status in STANDING]
    if not mine:
        return {}
    ids = {b.interpreter_id for b in mine}
    earliest = min(b.arrives_at for b in mine) - dt.timedelta(minutes=1440)
    latest = max(b.ends_at for b in mine)
    others = list(db.session.scalars(
        sa.select(InterpreterBooking)
        .where(InterpreterBooking.interpreter_id.in_(ids), InterpreterBooking.status.in_(STANDING),
               InterpreterBooking.arrives_at >= earliest, InterpreterBooking.arrives_at < latest)
        .options(selectinload(InterpreterBooking.meeting), selectinload(InterpreterBooking.interpreter))))
    result: dict[int, list[InterpreterBooking]] = {}
    for booking in mine:
        clashes = [o for o in others
                   if o.id != booking.id and o.meeting_id != booking.meeting_id
                   and o.interpreter_id == booking.interpreter_id and o.meeting.status != MeetingStatus.cancelled
                   and o.arrives_at < booking.ends_at and booking.arrives_at < o.ends_at]
        if clashes:
            result[booking.id] = clashes
    return result


def registration_needs(meeting: Meeting) -> dict[str, int]:
    """Registrations for the meeting per interpreter language they asked for (Norwegian excluded)."""
    from ..outreach.models import Registration

    rows = db.session.execute(
        sa.select(Registration.interpreter_language, sa.func.count(Registration.id))
        .where(Registration.meeting_id == meeting.id, Registration.interpreter_language != "",
               Registration.interpreter_language != "nb")
        .group_by(Registration.interpreter_language))
    return {code: count for code, count in rows}


def warnings(meeting: Meeting, *, now: dt.datetime | None = None) -> list[Warning]:
    """The interpreter warnings for the meeting page and the dashboard."""
    from flask import has_request_context, url_for

    now = now or utcnow()
    url = url_for("interpreters.meeting", meeting_id=meeting.id) if has_request_context() else None
    rows = bookings(meeting)
    result: list[Warning] = []
    standing = [b for b in rows if b.status in STANDING]
    if meeting.is_cancelled:
        if standing:
            result.append(Warning("error", ngettext(
                "The meeting is cancelled but %(num)d interpreter booking still stands (%(languages)s): "
                "tell the provider and cancel it.",
                "The meeting is cancelled but %(num)d interpreter bookings still stand (%(languages)s): "
                "tell the provider and cancel them.", len(standing),
                languages=", ".join(language_label(b.language) for b in standing)), url))
        return result
    if meeting.ends_at < now:
        open_ = [b for b in rows if b.status in PROVIDER_KNOWS]
        if open_:
            result.append(Warning("info", _(
                "The meeting is over: record whether the interpreters came (%(languages)s), and the invoiced cost.",
                languages=", ".join(language_label(b.language) for b in open_)), url))
        return result
    covered = {b.language for b in rows if b.status in COVERING}
    for code, count in sorted(registration_needs(meeting).items()):
        if code not in covered:
            result.append(Warning("warning", ngettext(
                "%(num)d registration needs an interpreter in %(language)s, but no booking covers it.",
                "%(num)d registrations need an interpreter in %(language)s, but no booking covers it.",
                count, language=language_label(code)), url))
    for booking in rows:
        if booking.status in (BookingStatus.needed, BookingStatus.ordered) and now >= lead_deadline(booking):
            provider = booking.provider.name if booking.provider else _("the provider")
            days = booking.provider.lead_time_days if booking.provider else DEFAULT_LEAD_DAYS
            result.append(Warning("warning", _(
                "The %(language)s interpreter is not confirmed, and %(provider)s needs %(days)d days' notice.",
                language=language_label(booking.language), provider=provider, days=days), url))
    for booking_id, clashes in overlapping(rows).items():
        booking = next(b for b in rows if b.id == booking_id)
        for other in clashes:
            result.append(Warning("warning", _(
                "%(name)s is also booked at another meeting at the same time: %(other)s.",
                name=booking.interpreter.name, other=str(other.meeting)), url))
    by_person: dict[int, list[InterpreterBooking]] = {}
    for booking in standing:
        if booking.interpreter_id is not None:
            by_person.setdefault(booking.interpreter_id, []).append(booking)
    for same in by_person.values():
        if len({b.language for b in same}) > 1 and any(
                a.arrives_at < b.ends_at and b.arrives_at < a.ends_at for a in same for b in same if a is not b):
            result.append(Warning("warning", _(
                "%(name)s is booked for %(languages)s at the same time at this meeting; one person cannot "
                "interpret both at once.", name=same[0].interpreter.name,
                languages=" + ".join(language_label(b.language) for b in same)), url))
    for booking in rows:
        if booking.moved_at is not None and booking.status in PROVIDER_KNOWS:
            # The whole order is repeated: the flag may stand for a new duration or venue, which are
            # not recorded as told, so the provider is given everything they need.
            where = _("by phone") if booking.mode == BookingMode.phone else _(
                "at %(venue)s", venue=meeting.venue.name if meeting.venue is not None else "?")
            order = dict(provider=booking.provider.name if booking.provider else "?",
                         language=language_label(booking.language),
                         when=to_local(booking.arrives_at).strftime("%d.%m.%Y %H:%M"),
                         until=to_local(booking.ends_at).strftime("%H:%M"), where=where)
            if booking.told_arrival_at is not None:
                message = _("The interpreter's order has changed (the meeting moved or changed, or the booking was "
                            "edited): tell %(provider)s that the %(language)s interpreter must now come %(when)s and "
                            "stay until %(until)s, %(where)s (the arrival they have is %(old)s).",
                            old=to_local(booking.told_arrival_at).strftime("%d.%m.%Y %H:%M"), **order)
            else:
                message = _("The interpreter's order has changed (the meeting moved or changed, or the booking was "
                            "edited): tell %(provider)s that the %(language)s interpreter must now come %(when)s and "
                            "stay until %(until)s, %(where)s.", **order)
            result.append(Warning("warning", message, url))
    return result


# -- demand -------------------------------------------------------------------------------------

@dataclass
class Suggestion:
    code: str
    #: Registrations for this meeting asking for the language.
    registrations: int = 0
    #: Past meetings (of those looked at) where the language was needed: a registration asked for it
    #: or a booking that was not cancelled existed.
    needed_at: int = 0
    #: Past meetings where an interpreter in the language actually interpreted (a delivered booking).
    used_at: int = 0
    #: Among the committee's default interpreter languages for this meeting.
    is_default: bool = False
    #: A booking for this meeting already covers it.
    covered: bool = False
    booking_statuses: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return language_label(self.code)


def history_meetings(meeting: Meeting, limit: int = HISTORY_MEETINGS) -> list[int]:
    """The ids of up to ``limit`` meetings held before this one (the most recent first), not counting
    committee meetings or cancelled ones."""
    return list(db.session.scalars(
        sa.select(Meeting.id).where(Meeting.starts_at < meeting.starts_at, Meeting.id != meeting.id,
                                    Meeting.status == MeetingStatus.held,
                                    Meeting.type != MeetingType.committee_meeting)
        .order_by(Meeting.starts_at.desc()).limit(limit)))


def demand(meeting: Meeting, limit: int = HISTORY_MEETINGS) -> list[Suggestion]:
    """Languages to consider booking for ``meeting``, most pressing first.

    A language is suggested when at least one of these holds: a registration for this meeting asks for
    it; it is among the meeting's default interpreter languages (``meeting.interpreter_languages``);
    it was needed at one of the last ``limit`` held meetings before this one. Norwegian is never
    suggested.

    Counts per language:

    * ``registrations`` – registrations for this meeting whose stated interpreter language it is;
    * ``used_at`` – past meetings (of those ``limit``) with a *delivered* booking in it;
    * ``needed_at`` – past meetings where a registration asked for it or a booking in it existed
      that was not cancelled (delivered, no-show, or left standing all count: it was needed).

    Order: ``registrations`` descending (people who said they are coming come first), then ``used_at``
    descending, then ``needed_at`` descending, then the order of the language registry
    (``languages.toml``) so the list is stable. Being a default or being covered already does not
    change the position; both are shown as flags so the committee sees what is beyond the defaults.
    """
    from ..outreach.models import Registration

    past = history_meetings(meeting, limit)
    suggestions: dict[str, Suggestion] = {}

    def get(code: str) -> Suggestion:
        if code not in suggestions:
            suggestions[code] = Suggestion(code)
        return suggestions[code]

    for code, count in registration_needs(meeting).items():
        get(code).registrations = count
    for code in meeting.interpreter_languages or []:
        get(code).is_default = True
    if past:
        needed: dict[str, set[int]] = defaultdict(set)
        used: dict[str, set[int]] = defaultdict(set)
        for code, meeting_id in db.session.execute(
                sa.select(Registration.interpreter_language, Registration.meeting_id).distinct()
                .where(Registration.meeting_id.in_(past), Registration.interpreter_language != "")):
            needed[code].add(meeting_id)
        for code, meeting_id, status in db.session.execute(
                sa.select(InterpreterBooking.language, InterpreterBooking.meeting_id, InterpreterBooking.status)
                .where(InterpreterBooking.meeting_id.in_(past))):
            if status != BookingStatus.cancelled:
                needed[code].add(meeting_id)
            if status == BookingStatus.delivered:
                used[code].add(meeting_id)
        for code, ids in needed.items():
            get(code).needed_at = len(ids)
        for code, ids in used.items():
            get(code).used_at = len(ids)
    for booking in db.session.scalars(
            sa.select(InterpreterBooking).where(InterpreterBooking.meeting_id == meeting.id)):
        if booking.language in suggestions:
            s = suggestions[booking.language]
            s.booking_statuses.append(booking.status.value)
            if booking.status in COVERING:
                s.covered = True
    suggestions.pop("nb", None)
    order = {code: index for index, code in enumerate(languages.LANGUAGES)}
    return sorted((s for s in suggestions.values() if s.code in languages.LANGUAGES),
                  key=lambda s: (-s.registrations, -s.used_at, -s.needed_at, order[s.code]))


# -- costs --------------------------------------------------------------------------------------

def _cost_expr():
    """SQL for a booking's known cost: actual if set, else the estimate unless cancelled or no-show."""
    return sa.case(
        (InterpreterBooking.actual_cost.is_not(None), InterpreterBooking.actual_cost),
        (InterpreterBooking.status.in_([BookingStatus.cancelled, BookingStatus.no_show]), sa.null()),
        else_=InterpreterBooking.estimated_cost)


def _estimated_expr():
    return sa.case(
        (InterpreterBooking.status.in_([BookingStatus.cancelled, BookingStatus.no_show]), sa.null()),
        else_=InterpreterBooking.estimated_cost)


@dataclass
class MeetingCost:
    meeting: Meeting
    bookings: int
    estimated: Decimal
    actual: Decimal
    cost: Decimal
    budget_total: Decimal
    budget_interpreters: Decimal | None
    #: The meeting's other costs: its budget lines except interpreters, each category's actual amount
    #: where one is entered, else its estimate (as the reports count them).
    other_cost: Decimal = Decimal("0.00")
    has_budget: bool = False

    @property
    def total_cost(self) -> Decimal:
        """The meeting's whole cost as the reports give it: the other costs plus the bookings' cost,
        which takes the place of the budget's interpreter line."""
        return self.other_cost + self.cost

    @property
    def share(self) -> float | None:
        """Interpreters' share of the meeting's whole cost, 0–1; None without a budget.

        Not the bookings' cost over the estimated budget: that budget holds an interpreter line of its
        own, and actual costs over estimates gave shares above 100 %."""
        if not self.has_budget or not self.total_cost:
            return None
        return float(self.cost / self.total_cost)


@dataclass
class LanguageCost:
    code: str
    bookings: int
    delivered: int
    meetings: int
    estimated: Decimal
    actual: Decimal
    cost: Decimal

    @property
    def name(self) -> str:
        return language_label(self.code)


def _period(start: dt.date | None, end: dt.date | None):
    conditions = []
    if start is not None:
        conditions.append(Meeting.starts_at >= to_utc(start, dt.time(0, 0)))
    if end is not None:
        conditions.append(Meeting.starts_at < to_utc(end + dt.timedelta(days=1), dt.time(0, 0)))
    return conditions


def _d(value) -> Decimal:
    return Decimal(value or 0).quantize(Decimal("0.01"))


def meeting_costs(start: dt.date | None = None, end: dt.date | None = None,
                  meeting_ids: list[int] | None = None) -> list[MeetingCost]:
    """Interpreter costs per meeting with bookings in the period (by the meeting's local date), with
    the meeting's budget: three grouped queries whatever the number of meetings."""
    conditions = _period(start, end)
    if meeting_ids is not None:
        conditions.append(Meeting.id.in_(meeting_ids))
    rows = db.session.execute(
        sa.select(InterpreterBooking.meeting_id,
                  sa.func.count(InterpreterBooking.id),
                  sa.func.sum(_estimated_expr()),
                  sa.func.sum(InterpreterBooking.actual_cost),
                  sa.func.sum(_cost_expr()))
        .join(Meeting, Meeting.id == InterpreterBooking.meeting_id)
        .where(*conditions).group_by(InterpreterBooking.meeting_id)).all()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    meetings = {m.id: m for m in db.session.scalars(sa.select(Meeting).where(Meeting.id.in_(ids)))}
    budgets: dict[int, Decimal] = {}
    interp_budget: dict[int, Decimal] = {}
    other: dict[int, Decimal] = {}
    for meeting_id, category, total, actual in db.session.execute(
            sa.select(BudgetLine.meeting_id, BudgetLine.category, sa.func.sum(BudgetLine.estimated),
                      sa.func.sum(BudgetLine.actual))
            .where(BudgetLine.meeting_id.in_(ids)).group_by(BudgetLine.meeting_id, BudgetLine.category)):
        budgets[meeting_id] = budgets.get(meeting_id, Decimal("0")) + _d(total)
        if category == BudgetCategory.interpreters:
            if total is not None:
                interp_budget[meeting_id] = _d(total)
        else:
            # Counted as attendance.reports.meeting_facts counts it, so the share matches /reports.
            other[meeting_id] = other.get(meeting_id, Decimal("0")) + _d(actual if actual is not None else total)
    result = [MeetingCost(meeting=meetings[mid], bookings=count, estimated=_d(est), actual=_d(act), cost=_d(cost),
                          budget_total=budgets.get(mid, Decimal("0")), budget_interpreters=interp_budget.get(mid),
                          other_cost=other.get(mid, Decimal("0.00")), has_budget=mid in budgets)
              for mid, count, est, act, cost in rows]
    result.sort(key=lambda c: c.meeting.starts_at)
    return result


def language_costs(start: dt.date | None = None, end: dt.date | None = None) -> list[LanguageCost]:
    """Interpreter costs per language over the period, most expensive first: one grouped query."""
    delivered = sa.case((InterpreterBooking.status == BookingStatus.delivered, 1), else_=0)
    rows = db.session.execute(
        sa.select(InterpreterBooking.language, sa.func.count(InterpreterBooking.id), sa.func.sum(delivered),
                  sa.func.count(sa.distinct(InterpreterBooking.meeting_id)),
                  sa.func.sum(_estimated_expr()), sa.func.sum(InterpreterBooking.actual_cost),
                  sa.func.sum(_cost_expr()))
        .join(Meeting, Meeting.id == InterpreterBooking.meeting_id)
        .where(*_period(start, end)).group_by(InterpreterBooking.language)).all()
    order = {code: index for index, code in enumerate(languages.LANGUAGES)}
    result = [LanguageCost(code=code, bookings=count, delivered=int(done or 0), meetings=n_meetings,
                           estimated=_d(est), actual=_d(act), cost=_d(cost))
              for code, count, done, n_meetings, est, act, cost in rows]
    result.sort(key=lambda c: (-c.cost, order.get(c.code, 999)))
    return result


def earliest_arrival(meeting: Meeting) -> dt.datetime | None:
    """For the briefing sheet: when the first ordered or confirmed interpreter is to arrive."""
    return db.session.scalar(
        sa.select(sa.func.min(InterpreterBooking.arrives_at)).where(
            InterpreterBooking.meeting_id == meeting.id,
            InterpreterBooking.status.in_([BookingStatus.ordered, BookingStatus.confirmed, BookingStatus.delivered])))


def booked_languages(meeting: Meeting) -> list[str]:
    """For the briefing sheet: the languages of the meeting's bookings that were not cancelled (nor
    no-shows), in the order they were booked."""
    codes = db.session.scalars(
        sa.select(InterpreterBooking.language).where(InterpreterBooking.meeting_id == meeting.id,
                                                     InterpreterBooking.status.in_(COVERING))
        .order_by(InterpreterBooking.id))
    return list(dict.fromkeys(codes))


def cost_by_meeting_and_language(meeting_ids: list[int]) -> dict[tuple[int, str], Decimal]:
    """For the reports: each meeting's known interpreter cost per language (one grouped query)."""
    rows = db.session.execute(
        sa.select(InterpreterBooking.meeting_id, InterpreterBooking.language, sa.func.sum(_cost_expr()))
        .where(InterpreterBooking.meeting_id.in_(meeting_ids))
        .group_by(InterpreterBooking.meeting_id, InterpreterBooking.language)).all()
    return {(meeting_id, code): _d(cost) for meeting_id, code, cost in rows if cost is not None}


def meeting_cost(meeting: Meeting) -> MeetingCost:
    rows = meeting_costs(meeting_ids=[meeting.id])
    if rows:
        return rows[0]
    total = meeting.budget_total("estimated")
    line = next((b.estimated for b in meeting.budget_lines if b.category == BudgetCategory.interpreters), None)
    by_category: dict = {}
    for b in meeting.budget_lines:
        if b.category != BudgetCategory.interpreters:
            estimated, actual = by_category.get(b.category, (None, None))
            if b.estimated is not None:
                estimated = (estimated or Decimal("0")) + b.estimated
            if b.actual is not None:
                actual = (actual or Decimal("0")) + b.actual
            by_category[b.category] = (estimated, actual)
    other = sum((_d(actual if actual is not None else estimated) for estimated, actual in by_category.values()),
                Decimal("0.00"))
    return MeetingCost(meeting, 0, Decimal("0.00"), Decimal("0.00"), Decimal("0.00"), _d(total), line,
                       other_cost=other, has_budget=bool(meeting.budget_lines))


# -- calendar -----------------------------------------------------------------------------------

def calendar_events(user) -> list:
    """Interpreter arrivals for a member's private feed: every booking (cancelled ones as
    STATUS:CANCELLED, so subscribers' copies update) of the meetings the member's feed shows —
    meetings that are not drafts and ended less than 180 days ago — with a reminder an hour before."""
    from icalendar import Alarm, Event

    from ..calendar.services import _domain

    zone = local_zone()
    since = utcnow() - dt.timedelta(days=180)
    rows = db.session.scalars(
        sa.select(InterpreterBooking).join(Meeting, Meeting.id == InterpreterBooking.meeting_id)
        .where(Meeting.ends_at >= since, Meeting.status != MeetingStatus.draft)
        .order_by(InterpreterBooking.arrives_at)
        .options(selectinload(InterpreterBooking.meeting).selectinload(Meeting.venue),
                 selectinload(InterpreterBooking.provider), selectinload(InterpreterBooking.interpreter)))
    events = []
    domain = _domain()
    for booking in rows:
        meeting = booking.meeting
        cancelled = booking.status in (BookingStatus.cancelled, BookingStatus.no_show) or meeting.is_cancelled
        event = Event()
        event.add("uid", f"interpreter-booking-{booking.id}@{domain}")
        event.add("dtstamp", utcnow())
        event.add("last-modified", booking.updated_at or utcnow())
        event.add("sequence", (meeting.ical_sequence or 0) + (booking.ical_sequence or 0))
        event.add("dtstart", booking.arrives_at.astimezone(zone))
        event.add("dtend", booking.ends_at.astimezone(zone))
        event.add("summary", f"Tolk {language_label(booking.language).lower()} kommer – {meeting.topic or meeting.type.title}")
        event.add("status", "CANCELLED" if cancelled else
                  "CONFIRMED" if booking.status in (BookingStatus.confirmed, BookingStatus.delivered) else "TENTATIVE")
        if meeting.venue is not None:
            event.add("location", ", ".join(p for p in (meeting.venue.name, meeting.venue.address) if p))
        lines = [f"Språk: {language_label(booking.language)}", f"Status: {booking.status.value}",
                 "Gi tolken en orientering før møtet starter."]
        if booking.interpreter:
            lines.insert(1, f"Tolk: {booking.interpreter.name} {booking.interpreter.phone}".strip())
        if booking.provider:
            lines.insert(1, f"Leverandør: {booking.provider.name} {booking.provider.phone}".strip())
        event.add("description", "\n".join(lines))
        event.add("transp", "TRANSPARENT")
        if not cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Tolk {language_label(booking.language).lower()} kommer")
            alarm.add("trigger", dt.timedelta(minutes=-60))
            event.add_component(alarm)
        events.append(event)
    return events
