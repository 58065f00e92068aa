from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort

from ..auth.access import public
from ..auth.models import User
from ..core.models import Organisation
from ..extensions import db
from ..public.views import published_meeting
from . import services

bp = Blueprint("calendar", __name__)


def _ics(data: bytes, filename: str) -> Response:
    return Response(data, mimetype="text/calendar",
                    headers={"Content-Disposition": f'inline; filename="{filename}"', "Cache-Control": "no-cache"})


@bp.route("/m/<uid>.ics")
@public
def meeting_ics(uid: str):
    meeting = published_meeting(uid)
    return _ics(services.meeting_ics(meeting), f"brukermote-{meeting.local_date.isoformat()}.ics")


@bp.route("/calendar/public.ics")
@public
def public_feed():
    """Published meetings, for the district's website and anyone who subscribes. Computed once per
    version of the meetings (``core.cache``); a calendar that has this version gets a 304."""
    from ..core import cache

    version, changed = services.public_feed_version()
    unchanged = cache.not_modified(version)
    if unchanged is not None:
        return unchanged
    body = cache.cached("public-feed", version,
                        lambda: services.public_feed(Organisation.current().name or "Brukermøter"))
    response = _ics(body, "brukermoter.ics")
    return cache.with_version(response, version, changed)


@bp.route("/calendar/member/<token>.ics")
@public
def member_feed(token: str):
    """A member's private feed; the secret token in the URL is the credential (revocable on the profile page)."""
    user = db.session.scalar(sa.select(User).where(User.calendar_token == token, User.is_active_member.is_(True)))
    if user is None or len(token) < 20:
        abort(404)
    return _ics(services.member_feed(user), "brukermote-privat.ics")
