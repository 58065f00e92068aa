"""Correcting registrations: edit, delete, and undo a delete for a few minutes (``core.undo``).

A registration may point at a person (``contact_id``, its ``dedupe_key``, a free-text food need): the
snapshot kept for undo is personal data too, so it is deleted with the person (``forget_contact``, an
erasure listener; the undo table's foreign key to the contact cascades as well) and never outlives
``UNDO_MINUTES``. Linking, unlinking, editing a linked registration and putting one back are audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from ..core import languages, undo
from ..extensions import db
from ..meetings.models import Meeting, MeetingStatus
from .funnel import AlreadyRegistered, OutreachError, contact_key, find_registration, person_key
from .models import REGISTRATION_CHANNELS, Channel, Contact, Registration
from .services import audit

#: Marks "leave the linked contact as it is" (members without secrecy never see nor change it).
UNCHANGED = object()


@dataclass
class RegistrationData:
    channel: Channel
    adults: int
    children: int
    interpreter_language: str = ""
    childcare_needed: bool = False
    #: None: leave the food need as it is (hidden from members without secrecy on a linked registration).
    dietary: str | None = ""
    came: bool | None = None
    contact_id: object = UNCHANGED


def update_registration(registration: Registration, data: RegistrationData, user) -> None:
    if data.channel not in REGISTRATION_CHANNELS:
        raise OutreachError(_("Choose how the person signed up."))
    if data.adults < 0 or data.children < 0:
        raise OutreachError(_("Counts cannot be negative."))
    if data.adults + data.children == 0:
        raise OutreachError(_("A registration is for at least one person."))
    if data.interpreter_language and data.interpreter_language not in languages.LANGUAGES:
        raise OutreachError(_("Unknown language: %(code)s", code=data.interpreter_language))
    before = registration.contact_id
    if data.contact_id is not UNCHANGED and data.contact_id != before:
        contact = db.session.get(Contact, data.contact_id) if data.contact_id else None
        if data.contact_id and contact is None:
            raise OutreachError(_("That contact no longer exists. Choose another."))
        key = contact_key(contact)
        meeting = db.session.get(Meeting, registration.meeting_id)
        other = find_registration(meeting, key)
        if other is not None and other.id != registration.id:
            raise AlreadyRegistered(other.id)
        registration.contact_id, registration.dedupe_key = (contact.id if contact else None), key
        if before:
            audit("registration.unlink", before, user, f"meeting {registration.meeting_id}")
        if contact is not None:
            audit("registration.link", contact.id, user, f"meeting {registration.meeting_id}")
    elif registration.contact_id:
        audit("registration.edit", registration.contact_id, user, f"meeting {registration.meeting_id}")
    registration.channel, registration.adults, registration.children = data.channel, data.adults, data.children
    registration.interpreter_language, registration.childcare_needed = data.interpreter_language, data.childcare_needed
    if data.dietary is not None:
        registration.dietary = data.dietary.strip()
    registration.came = data.came
    db.session.flush()


def delete_registration(registration: Registration, user) -> undo.UndoEntry | None:
    if registration.contact_id:
        audit("registration.delete", registration.contact_id, user, f"meeting {registration.meeting_id}")
    payload = undo.snapshot(registration) | {"meeting_as_told": _meeting_as_told(db.session.get(
        Meeting, registration.meeting_id))}
    entry = undo.remember("registration", payload, user, meeting_id=registration.meeting_id,
                          contact_id=registration.contact_id)
    db.session.delete(registration)
    db.session.flush()
    return entry


def _restore_registration(payload: dict) -> str:
    from flask_login import current_user

    meeting = db.session.get(Meeting, payload.get("meeting_id"))
    if meeting is None:
        raise undo.UndoError(_("The meeting is deleted; the registration cannot come back."))
    told = payload.get("meeting_as_told")
    if meeting.status == MeetingStatus.cancelled or (told is not None and told != _meeting_as_told(meeting)):
        # A move or cancellation notice went to the registered then: this person did not get it.
        raise undo.UndoError(_("The meeting was moved or cancelled after the registration was deleted, so the "
                               "person did not get the notice; register them again instead."))
    registration = undo.revive(Registration, payload)
    if db.session.get(Registration, registration.id) is not None:
        registration.id = None
    if registration.contact_id and db.session.get(Contact, registration.contact_id) is None:
        raise undo.UndoError(_("The person was erased meanwhile; the registration cannot come back."))
    if find_registration(meeting, registration.dedupe_key) is not None:
        raise undo.UndoError(_("This person has registered again meanwhile; the deleted registration is not "
                               "put back beside it."))
    db.session.add(registration)
    db.session.flush()
    if registration.contact_id:
        audit("registration.restore", registration.contact_id, current_user, f"meeting {meeting.id}")
    return url_for("outreach.meeting_outreach", meeting_id=meeting.id) + "#registrations"


def _meeting_as_told(meeting: Meeting) -> str:
    """Time and venue of the meeting, as the registered know it (for the undo's snapshot)."""
    utc = dt.UTC
    return f"{meeting.starts_at.astimezone(utc).isoformat()} {meeting.ends_at.astimezone(utc).isoformat()} " \
           f"{meeting.venue_id}"


def forget_contact(contact) -> None:
    """Erasure listener: no snapshot of a registration of the person outlives their erasure, also not
    one that only their number or name (the dedupe key) points at."""
    keys = {k for k in (person_key(contact.phone), person_key(name=contact.name)) if k}
    for entry in db.session.scalars(sa.select(undo.UndoEntry).where(undo.UndoEntry.kind == "registration")):
        if entry.contact_id == contact.id or (entry.payload or {}).get("dedupe_key") in keys:
            db.session.delete(entry)
    db.session.flush()


undo.register("registration", _restore_registration)
