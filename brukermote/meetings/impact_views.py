"""The pages of ``impact``: what moving or cancelling a published meeting touches, and the confirmed
change (the meetings views call these; they stay thin)."""

from __future__ import annotations

import re
import secrets

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..core.timeutil import local_zone
from ..extensions import db
from . import impact, services
from .models import Meeting, Venue

#: The one-time token of an impact page (the same form as the SMS confirmation's).
IMPACT_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def impact_page(meeting: Meeting, change: str, *, action: str, new_start=None, new_venue_id=None):
    """The form as posted, kept in hidden fields, with what the change touches and a confirm button."""
    found = impact.assess(meeting, change, current_user, new_start=new_start, new_venue_id=new_venue_id)
    if found.names:
        from ..outreach.services import audit

        # Names of participants were shown: in the audit log like every other view of them.
        audit("registration.list", None, current_user, detail=f"meeting:{meeting.id}: {len(found.names)} names "
              f"before it is {change}")
        db.session.commit()  # only the audit entry: the change itself waits for the confirmation
    carried = [(k, v) for k, v in request.form.items(multi=True) if k not in ("confirm", "send_token", "send_sms")]
    old_when = new_when = None
    if new_start is not None:
        new_venue = db.session.get(Venue, new_venue_id) if new_venue_id else None
        old_when, new_when = _when(meeting.starts_at, meeting.venue), _when(new_start, new_venue)
    return render_template("meetings/impact.html", meeting=meeting, change=change, impact=found, action=action,
                           carried=carried, send_token=secrets.token_urlsafe(32), old_when=old_when,
                           new_when=new_when)


def _when(start, venue) -> str:
    """Day, time and place as the committee reads them ("onsdag 19. mars 2031 13:30, Årvoll Gård")."""
    from flask_babel import get_locale

    from ..printing.texts import clock, long_date

    ui = "en" if str(get_locale()) == "en" else "nb"  # the committee's interface language
    local = start.astimezone(local_zone())
    return f"{long_date(local.date(), ui)} {clock(local.time(), ui)}" + (f", {venue.name}" if venue else "")


def already_done(meeting: Meeting):
    """The same confirmation posted twice (a double click, a reloaded page): the first saved it, so
    this is not someone else's change to resolve."""
    flash(_("This change was already confirmed."), "info")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


def confirmed(meeting: Meeting, change: str, apply):
    """Save the change, mark printed posters and flyers outdated and, when asked by an SMS sender,
    queue the notice: one transaction, so the notice goes out only with the change."""
    from ..auth.capabilities import may_send_sms
    from ..sms import services as sms
    from ..sms.models import Audience

    token = request.form.get("send_token", "")
    wants_sms = request.form.get("send_sms") == "yes" and may_send_sms(current_user) and IMPACT_TOKEN.fullmatch(token)
    sms_failed = False
    try:
        apply()
        outdated = impact.mark_prints_outdated(meeting, change)
        send = None
        if wants_sms:
            try:
                send = impact.send_notice(meeting, change, current_user, token)
            except sms.AlreadyQueued as exc:
                if exc.send.request_token == token:
                    raise  # this very confirmation was saved before: nothing more to do
                sms_failed = True
            except sms.SmsError:
                # The notice is refused before anything of it is written: the change still stands.
                sms_failed = True
        db.session.commit()
    except services.ConflictError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("meetings.edit", meeting_id=meeting.id))
    except services.MeetingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    except sms.AlreadyQueued:  # the same confirmation arrived twice: the first did it all
        db.session.rollback()
        flash(_("This change was already confirmed."), "info")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    except IntegrityError:
        # The unique token: the same confirmation committed between our check and our commit.
        db.session.rollback()
        if wants_sms and sms.send_with_token(token) is not None:
            flash(_("This change was already confirmed."), "info")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
        raise
    if send is not None:
        sms.enqueue(send.id)
    flash(_("The meeting is moved.") if change == "moved" else _("The meeting is cancelled."), "success")
    if send is not None:
        count = len(sms.recipients(meeting, Audience.affected))
        flash(ngettext("The SMS is queued for %(num)d person and will be sent in the background.",
                       "The SMS is queued for %(num)d people and will be sent in the background.", count), "success")
    if sms_failed:
        flash(_("The SMS about the change was not sent. You can send it from the meeting's SMS page."), "warning")
    if outdated:
        flash(ngettext("%(num)d printed poster or flyer is marked as outdated: print it again.",
                       "%(num)d printed posters and flyers are marked as outdated: print them again.", outdated)
              if change == "moved" else
              ngettext("%(num)d printed poster or flyer is marked as outdated.",
                       "%(num)d printed posters and flyers are marked as outdated.", outdated), "warning")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))
