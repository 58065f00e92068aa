from __future__ import annotations

import sqlalchemy as sa
from flask import (
    Blueprint,
    abort,
    current_app,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import NotFound

from ..auth.access import public
from ..core import languages
from ..core.cache import revalidated
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
    """``?lang=`` first (the QR code of a poster carries the poster's language, whatever the phone is
    set to), any of the project's languages; then the browser's preference among the meeting's."""
    codes = meeting_languages(meeting)
    chosen = request.values.get("lang")
    if chosen not in codes and chosen not in languages.LANGUAGES:
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
    description, _approved = meeting_text(meeting, chosen, "description")
    description_in_nb = chosen != "nb" and bool(description) and description == meeting_source(meeting, "description")
    return dict(
        description=description, description_lang=languages.get("nb" if description_in_nb else chosen),
        description_in_nb=description_in_nb,
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


def programme(meeting: Meeting, chosen: str) -> list[dict]:
    """The programme as the participant reads it: times and the kind of item in their language; the
    committee's own titles and speakers stay Norwegian (the page says so, and marks them ``lang="nb"``)."""
    from ..meetings.services import programme_clock
    from ..printing.texts import clock, text_set

    t = text_set(chosen)
    rows = []
    for row in programme_clock(meeting):
        detail = " – ".join(part for part in ((row.item.title or "").strip(),
                                              row.item.speaker.name if row.item.speaker else "") if part)
        rows.append(dict(start=clock(row.starts.time(), chosen), end=clock(row.ends.time(), chosen),
                         label=t(f"programme.{row.item.kind.value}"), detail=detail))
    return rows


def _signup_page(meeting: Meeting, chosen: str, data=None, status: int = 200):
    from ..attendance.services import feedback_open
    from .signup import SignupData, signup_open

    return render_template("public/meeting.html", **page_context(meeting, chosen), signup=data or SignupData(),
                           programme=programme(meeting, chosen),
                           signup_open=signup_open(meeting), interpreter_choices=interpreter_choices(meeting),
                           feedback_open=feedback_open(meeting), honeypot=HONEYPOT), status


@bp.route("/m/<uid>")
@public
def meeting_page(uid: str):
    """The page the poster's QR code points at: the meeting in each of its languages, with sign-up."""
    meeting = published_meeting(uid)
    html, status = _signup_page(meeting, choose_language(meeting))
    # The language follows ?lang= or the phone's Accept-Language: a cache must keep one copy per language.
    return revalidated(make_response(html, status), vary="Accept-Language")


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
    saved = save(meeting, data, chosen, consent_text)
    db.session.commit()
    if saved.already:
        return _already_signed_up(meeting, chosen, saved)
    if saved.identified:  # an anonymous head count is never recognised again: no cookie for it
        _remember(saved.registration_id)
    if saved.opt_in_send_id is not None:
        _send_opt_in(saved.opt_in_send_id)
    return redirect(url_for("public.signed_up", uid=uid, lang=chosen,
                            sms="1" if saved.opt_in_send_id is not None else None))


# The sign-up form needs no cookie, so a participant whose browser blocks cookies can still sign up, and
# it is exempt from CSRF: a forged post could only sign someone up, which the person can do anyway.
# Abuse is held off by the honeypot and the rate limit per address instead. After a sign-up with a name
# or number the session remembers the registration's id, only so that this browser may see what it
# asked for when it signs up again (``_already_signed_up``); an anonymous sign-up sets no cookie. A
# forged request's answer goes to the victim's browser, not to the forger.
csrf.exempt(signup)

#: How many of its own registrations a browser session remembers.
REMEMBERED = 20


def _remember(registration_id: int) -> None:
    ids = [i for i in session.get("registrations", []) if isinstance(i, int) and i != registration_id]
    session["registrations"] = (ids + [registration_id])[-REMEMBERED:]


def _send_opt_in(send_id: int) -> None:
    """Hand the committed opt-in SMS to the worker; if the queue is down, the minute's pass sends it."""
    from ..sms.services import enqueue

    try:
        enqueue(send_id)
    except Exception:  # noqa: BLE001 - the sign-up is saved; the periodic pass picks the message up
        current_app.logger.exception("SMS opt-in send %s could not be queued", send_id)


def _office_phone() -> str:
    from ..core.models import Organisation
    from ..core.phone import display_phone

    phone = db.session.scalar(sa.select(Organisation.interpreter_phone).order_by(Organisation.id).limit(1))
    return display_phone(phone) if phone else ""


def _already_signed_up(meeting: Meeting, chosen: str, saved):
    """The same number (or name) for this meeting again: say so, and how to change it. What the earlier
    sign-up asked for is shown only to the browser session that made it: anyone can type a number
    into a public form, so the number proves nothing about who is asking."""
    from ..outreach.models import Registration

    context = page_context(meeting, chosen)
    registration = db.session.get(Registration, saved.registration_id)
    own = registration is not None and registration.id in session.get("registrations", [])
    phone = _office_phone()
    return render_template(
        "public/already.html", **context, registration=registration if own else None, matched=saved.matched,
        change=context["t"]("web.already_change_call", phone=phone) if phone else context["t"]("web.already_change"),
        interpreter=languages.get(registration.interpreter_language)
        if own and registration.interpreter_language in languages.LANGUAGES else None)


@bp.route("/m/<uid>/thanks")
@public
def signed_up(uid: str):
    meeting = published_meeting(uid)
    context = page_context(meeting, choose_language(meeting))
    message = context["t"]("web.thanks")
    if request.args.get("sms") == "1":
        message += " " + context["t"]("web.sms_confirm")
    return render_template("public/message.html", **context, title=context["t"]("web.thanks_title"),
                           message=message)
