from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, make_response, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound

from ..auth.access import public
from ..core import languages
from ..extensions import csrf, db, limiter
from ..meetings.models import Meeting, MeetingStatus

bp = Blueprint("public", __name__)

HONEYPOT = "website"  # the field a person never sees; bots fill every field

#: Only these are ever shown to the public, and only if the meeting was published at some point.
VISIBLE = (MeetingStatus.published, MeetingStatus.held, MeetingStatus.cancelled)


def published_meeting(uid: str) -> Meeting:
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.uid == uid))
    if meeting is None or meeting.status not in VISIBLE or meeting.published_at is None:
        abort(404)
    return meeting


def choose_language(meeting: Meeting) -> str:
    codes = meeting_languages(meeting)
    chosen = request.values.get("lang")
    if chosen not in codes:
        chosen = request.accept_languages.best_match(codes) or codes[0]
    return chosen


def meeting_languages(meeting: Meeting) -> list[str]:
    return [c for c in (meeting.target_languages or ["nb"]) if c in languages.LANGUAGES] or ["nb"]


def page_context(meeting: Meeting, chosen: str) -> dict:
    """What every public page of a meeting shows, in the participant's language."""
    from babel.lists import format_list

    from ..printing.texts import babel_locale, clock, long_date, meeting_source, meeting_text, text_set

    topic, _approved = meeting_text(meeting, chosen, "topic")
    # An untranslated topic is the committee's Norwegian: mark it so screen readers and the
    # bidi algorithm treat it as Norwegian inside an Arabic or Persian page.
    topic_lang = "nb" if chosen != "nb" and topic and topic == meeting_source(meeting, "topic") else chosen
    return dict(
        meeting=meeting, lang=languages.get(chosen), codes=meeting_languages(meeting), t=text_set(chosen), topic=topic,
        topic_lang=languages.get(topic_lang),
        date_line=long_date(meeting.local_date, chosen),
        start=clock(meeting.local_start.time(), chosen), end=clock(meeting.local_end.time(), chosen),
        interpreter_names=format_list([languages.get(c).native_name for c in meeting.interpreter_languages or []
                                       if c in languages.LANGUAGES], locale=babel_locale(chosen)),
    )


def interpreter_choices(meeting: Meeting) -> list:
    """The meeting's own languages first (their interpreters are booked), then every other one."""
    own = [c for c in meeting_languages(meeting) if c != "nb"]
    rest = [lang.code for lang in languages.all_languages() if lang.code not in own and lang.code != "nb"]
    return [languages.get(c) for c in own + rest]


def _signup_page(meeting: Meeting, chosen: str, data=None, status: int = 200):
    from ..attendance.services import feedback_open
    from .signup import SignupData, signup_open

    return render_template("public/meeting.html", **page_context(meeting, chosen), signup=data or SignupData(),
                           signup_open=signup_open(meeting), interpreter_choices=interpreter_choices(meeting),
                           feedback_open=feedback_open(meeting), honeypot=HONEYPOT), status


@bp.route("/m/<uid>")
@public
def meeting_page(uid: str):
    """The page the poster's QR code points at: the meeting in each of its languages, with sign-up."""
    meeting = published_meeting(uid)
    return _signup_page(meeting, choose_language(meeting))


@bp.errorhandler(429)
def too_many(_error):
    """Refused by the rate limit: say so in the participant's language, not the committee's."""
    try:
        meeting = published_meeting(request.view_args["uid"])
    except NotFound as not_found:
        return not_found  # no such meeting: nothing to say in its languages
    context = page_context(meeting, choose_language(meeting))
    return make_response(render_template("public/message.html", **context, message=context["t"]("web.too_many"),
                                         alert=True), 429)


def _public_form_limit() -> str:
    return current_app.config["PUBLIC_FORM_RATE_LIMIT"]


@bp.route("/m/<uid>/signup", methods=["POST"])
@public
@limiter.limit(_public_form_limit, methods=["POST"])
def signup(uid: str):
    from .signup import parse, save, signup_open

    meeting = published_meeting(uid)
    chosen = choose_language(meeting)
    if not signup_open(meeting):
        return _signup_page(meeting, chosen, status=409)
    if request.form.get(HONEYPOT):
        # A bot filled the field no person sees: answer as if all went well, keep nothing.
        return redirect(url_for("public.signed_up", uid=uid, lang=chosen))
    data = parse(request.form)
    if data.errors:
        return _signup_page(meeting, chosen, data, status=422)
    consent_text = page_context(meeting, chosen)["t"]("web.sms_consent")
    save(meeting, data, chosen, consent_text)
    db.session.commit()
    return redirect(url_for("public.signed_up", uid=uid, lang=chosen))


# The sign-up form is anonymous and sets no cookie, so there is no session for a forged request to ride
# on, and a participant whose browser blocks cookies can still sign up. Abuse is held off by the
# honeypot and the rate limit per address instead.
csrf.exempt(signup)


@bp.route("/m/<uid>/thanks")
@public
def signed_up(uid: str):
    meeting = published_meeting(uid)
    context = page_context(meeting, choose_language(meeting))
    return render_template("public/message.html", **context, title=context["t"]("web.thanks_title"),
                           message=context["t"]("web.thanks"))
