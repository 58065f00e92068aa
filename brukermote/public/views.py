from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request

from ..auth.access import public
from ..core import languages
from ..extensions import db
from ..meetings.models import Meeting, MeetingStatus

bp = Blueprint("public", __name__)

#: Only these are ever shown to the public, and only if the meeting was published at some point.
VISIBLE = (MeetingStatus.published, MeetingStatus.held, MeetingStatus.cancelled)


def published_meeting(uid: str) -> Meeting:
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.uid == uid))
    if meeting is None or meeting.status not in VISIBLE or meeting.published_at is None:
        abort(404)
    return meeting


@bp.route("/m/<uid>")
@public
def meeting_page(uid: str):
    """The page the poster's QR code points at: the meeting in each of its languages."""
    from ..printing.texts import clock, long_date, meeting_text, text_set

    meeting = published_meeting(uid)
    codes = [c for c in (meeting.target_languages or ["nb"]) if c in languages.LANGUAGES] or ["nb"]
    chosen = request.args.get("lang")
    if chosen not in codes:
        chosen = request.accept_languages.best_match(codes) or codes[0]
    t = text_set(chosen)
    topic, _approved = meeting_text(meeting, chosen, "topic")
    return render_template(
        "public/meeting.html",
        meeting=meeting, lang=languages.get(chosen), codes=codes, t=t, topic=topic,
        date_line=long_date(meeting.local_date, chosen),
        start=clock(meeting.local_start.time(), chosen), end=clock(meeting.local_end.time(), chosen),
        interpreter_names=", ".join(languages.get(c).native_name for c in meeting.interpreter_languages or []
                                    if c in languages.LANGUAGES),
    )
