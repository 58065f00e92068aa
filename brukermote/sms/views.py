"""SMS pages: templates, reminders and "send now" per meeting, the inbox, and Twilio's two webhooks."""

from __future__ import annotations

import re
import secrets

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ..auth import capabilities
from ..auth.access import confidential_required, public
from ..core import languages
from ..core.hooks import MeetingPanel, Warning, registry, subscribe
from ..core.timeutil import to_local, utcnow
from ..extensions import csrf, db
from ..meetings.models import Meeting, MeetingStatus
from ..outreach import services as outreach
from . import access, delivery, services, stats, status, texts
from . import inbound as replies
from .backends import setting
from .forms import ReminderForm, SendForm, TemplateForm
from .models import Audience, SendKind, SendStatus, SmsInbound, SmsSend, TemplateKind

bp = Blueprint("sms", __name__)


def setup(app) -> None:
    from ..meetings import services as meeting_services
    from . import tasks  # noqa: F401  (registers the huey tasks with the consumer)

    registry.add_nav(_l("SMS"), "sms.index")
    registry.add_panel(MeetingPanel("sms", "sms/_panel.html", _panel_context, order=45, label=_l("SMS")))
    registry.add_warning_provider(warnings)
    subscribe(meeting_services.time_change_listeners, services.move_reminders)
    subscribe(meeting_services.cancel_listeners, services.stop_for_cancelled)
    subscribe(outreach.erasure_listeners, services.forget_contact)
    subscribe(outreach.access_listeners, access.sms_record)
    from .. import demo as demo_module
    from . import demo

    subscribe(demo_module.extra_loaders, demo.load)
    # Twilio cannot send a CSRF token; these two views accept nothing without a valid Twilio signature.
    csrf.exempt(status_callback)
    csrf.exempt(inbound)


#: What a confirmation page's one-time token looks like (secrets.token_urlsafe(32)).
SEND_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,64}")


def _error_text(code: str) -> str:
    if code.startswith("unknown:"):
        return _("Unknown or invalid placeholder: %(names)s. Use only %(allowed)s, written exactly so "
                 "(no : ! . or [ ] inside the braces).", names=code.split(":", 1)[1],
                 allowed=" ".join("{" + name + "}" for name in texts.PLACEHOLDERS))
    if code.startswith("missing:"):
        return _("The text must contain %(names)s.", names=code.split(":", 1)[1])
    return {
        "broken": _("A brace { or } is not closed."),
        "empty": _("The text is empty."),
        "closed": _("The meeting is cancelled or held; no reminders can be added."),
        "started": _("This reminder is already being sent."),
        "not-cancelled": _("A cancellation notice can only be sent for a cancelled meeting."),
        "cancelled": _("The meeting is cancelled: send a cancellation notice instead."),
        "past": _("That time has already passed, so the reminder would go out at once without showing the "
                  "count and cost. Use “Send now” instead."),
        "duplicate": _("This reminder is already scheduled (same days before, time and recipients)."),
        "unpublished": _("The meeting is not published yet: SMS about it can be sent once it is published."),
    }.get(code, code)


def message_reason(message) -> str:
    """Why a message has its status, for the committee: our own codes in words, else the provider's."""
    code = message.error_code or ""
    known = {
        "started": _("The meeting had started"),
        "meeting-cancelled": _("The meeting was cancelled"),
        "timeout": _("Twilio did not answer in time"),
        "connection": _("Could not reach Twilio"),
        "lookup": _("Twilio did not answer in time"),
        "not-found": _("Not found at Twilio after the last attempt"),
        "internal": _("Unexpected error"),
    }
    if code in known:
        text = known[code]
        if code == "internal" and message.error_message:
            text += f" ({message.error_message})"
        return text
    return code


def format_time(value) -> str:
    return to_local(value).strftime("%H:%M")


def _meeting(meeting_id: int) -> Meeting:
    return db.session.get(Meeting, meeting_id) or abort(404)


# -- meeting page panel and warnings ------------------------------------------------------------

def _panel_context(meeting) -> dict:
    return {"stats": stats.meeting_stats(meeting)}


def warnings(meeting) -> list[Warning]:
    if meeting.status == MeetingStatus.held:
        return []
    found = []
    url = url_for("sms.meeting_sms", meeting_id=meeting.id)
    sends = services.sends_for(meeting)
    if meeting.status == MeetingStatus.cancelled:
        reminded = any(s.kind in (SendKind.reminder, SendKind.manual) and s.status in (SendStatus.sending, SendStatus.done)
                       for s in sends)
        notified = any(s.kind == SendKind.cancellation for s in sends)
        if reminded and not notified:
            found.append(Warning("warning", _("People got an SMS about this meeting: send them a cancellation notice."),
                                 url))
        return found
    problem = delivery.configuration_problem(meeting)
    if problem is not None:
        found.append(Warning("error", _configuration_text(problem), url))
    outdated = services.outdated_recipients(meeting)
    if outdated:
        found.append(Warning("warning", _outdated_text(outdated), _notice_url(meeting)))
    if meeting.status in services.UNPUBLISHED and any(s.status == SendStatus.scheduled for s in sends):
        found.append(Warning("info", _("SMS reminders go out only once the meeting is published."), url))
    if any(s.kind == SendKind.reminder and s.status == SendStatus.scheduled for s in sends):
        fallback = stats.fallback_languages(meeting)
        if fallback:
            from flask_babel import get_locale

            english = str(get_locale()) == "en"
            names = ", ".join(languages.get(code).name_en if english else languages.get(code).name_nb
                              for code in fallback)
            found.append(Warning("info", _("The SMS text is not approved in %(languages)s: those readers get it in "
                                           "Norwegian.", languages=names), url_for("sms.index")))
    return found


def _configuration_text(problem) -> str:
    return _("Twilio refused our account settings (error %(code)s: %(message)s). Nothing more is sent and "
             "nothing is marked failed until TWILIO_ACCOUNT_SID, the auth token or API key, and "
             "TWILIO_API_BASE_URL are fixed.", code=problem.error_code, message=problem.error_message)


def _outdated_text(count: int) -> str:
    return _("%(count)d people got an SMS with the meeting's old date or time. Send them a notice with the "
             "new time.", count=count)


def _notice_url(meeting) -> str:
    """The "send now" form preselected with the "new time" notice for those who got an SMS about the meeting."""
    return url_for("sms.meeting_sms", meeting_id=meeting.id, kind=SendKind.moved.value,
                   audience=Audience.reminded.value) + "#now-h"


# -- overview and template editor ---------------------------------------------------------------

@bp.route("/sms")
def index():
    services.ensure_templates()
    db.session.commit()
    rows = []
    for lang in languages.all_languages():
        cells = []
        for kind in TemplateKind:
            template = services.get_template(kind, lang.code)
            cells.append((kind, template))
        rows.append((lang, cells))
    upcoming = list(db.session.scalars(
        db.select(SmsSend).where(SmsSend.status == SendStatus.scheduled).order_by(SmsSend.send_at).limit(20)))
    open_replies = len(replies.inbox()) if current_user.is_confidential else None
    problem = delivery.configuration_problem()
    return render_template("sms/index.html", rows=rows, kinds=list(TemplateKind), upcoming=upcoming,
                           open_replies=open_replies, backend=get_backend_name(),
                           configuration_error=_configuration_text(problem) if problem else "",
                           price=services.price_per_segment())


def get_backend_name() -> str:
    return (setting("SMS_BACKEND", "console") or "console").lower()


def _sample_meeting() -> Meeting | None:
    return db.session.scalar(db.select(Meeting).where(Meeting.starts_at > utcnow(),
                                                      Meeting.status != MeetingStatus.cancelled)
                             .order_by(Meeting.starts_at).limit(1))


@bp.route("/sms/templates/<kind>/<language>", methods=["GET", "POST"])
def edit_template(kind: str, language: str):
    try:
        kind_ = TemplateKind(kind)
    except ValueError:
        abort(404)
    if language not in languages.LANGUAGES:
        abort(404)
    services.ensure_templates()
    db.session.commit()
    template = services.get_template(kind_, language)
    form = TemplateForm(obj=template) if request.method == "GET" else TemplateForm()
    if request.method == "GET" and template is None:
        form.body.data = texts.DEFAULTS.get(kind, {}).get("en", "")
    body = form.body.data or ""
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("action") == "save":
            try:
                # Checked and audited by the service: approving needs a reviewer of the language.
                services.save_template(kind_, language, body, form.approve.data, current_user)
                db.session.commit()
            except services.SmsError as exc:
                db.session.rollback()
                form.form_errors.append(_error_text(str(exc)))
                template = services.get_template(kind_, language)
            else:
                flash(_("The text is saved."), "success")
                return redirect(url_for("sms.edit_template", kind=kind, language=language))
    problems = [_error_text(p) for p in texts.problems(kind, body)] if body else []
    meeting = _sample_meeting()
    preview = ""
    if not problems and body:
        preview = texts.fill(body, services.values_for(meeting, language))
    analysis = texts.analyse(preview or body)
    return render_template("sms/template.html", form=form, template=template, kind=kind_, language=languages.get(language),
                           analysis=analysis, preview=preview, problems=problems, meeting=meeting,
                           cost=analysis.cost(services.price_per_segment()),
                           placeholders=texts.PLACEHOLDERS,
                           may_save=services.may_edit_template(current_user, language),
                           may_approve=capabilities.may_review(current_user, language))


# -- per meeting ----------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/sms")
def meeting_sms(meeting_id: int):
    meeting = _meeting(meeting_id)
    preselected = {}
    if request.args.get("kind") in {k.value for k in SendKind if k not in (SendKind.reminder, SendKind.opt_in)}:
        preselected["kind"] = request.args["kind"]
    if request.args.get("audience") in {a.value for a in Audience}:
        preselected["audience"] = request.args["audience"]
    problem = delivery.configuration_problem(meeting)
    outdated = services.outdated_recipients(meeting)
    held_back = meeting.status in services.UNPUBLISHED and any(
        s.status == SendStatus.scheduled for s in services.sends_for(meeting))
    may_send = capabilities.may_send_sms(current_user)
    # Those who may not send still see how many would get it (a count, no numbers).
    consented = None if may_send else len(services.recipients(meeting, Audience.consented))
    return render_template("sms/meeting.html", meeting=meeting, stats=stats.meeting_stats(meeting),
                           reminder_form=ReminderForm(), send_form=SendForm(data=preselected or None),
                           fallbacks=stats.fallback_languages(meeting), SendStatus=SendStatus,
                           SendKind=SendKind,
                           configuration_error=_configuration_text(problem) if problem else "",
                           outdated_text=_outdated_text(outdated) if outdated else "",
                           notice_url=_notice_url(meeting), held_back=held_back, may_send=may_send,
                           consented=consented)


@bp.route("/meetings/<int:meeting_id>/sms/reminders", methods=["POST"])
def add_reminder(meeting_id: int):
    meeting = _meeting(meeting_id)
    capabilities.require_sms_sender(current_user)
    form = ReminderForm()
    if form.validate_on_submit():
        try:
            services.add_reminder(meeting, form.days_before.data, form.local_time.data, Audience(form.audience.data),
                                  actor=current_user)
            db.session.commit()
            flash(_("The reminder is scheduled. It moves if the meeting moves."), "success")
        except services.SmsError as exc:
            db.session.rollback()
            flash(_error_text(str(exc)), "error")
        except IntegrityError:  # the reminder key: a simultaneous identical request committed first
            db.session.rollback()
            flash(_error_text("duplicate"), "error")
        except ValueError as exc:  # a wall-clock time that does not exist (DST)
            db.session.rollback()
            flash(str(exc), "error")
    else:
        for f in form:
            for error in f.errors:
                flash(f"{f.label.text}: {error}", "error")
    return redirect(url_for("sms.meeting_sms", meeting_id=meeting.id))


@bp.route("/sms/sends/<int:send_id>/delete", methods=["POST"])
def remove_reminder(send_id: int):
    send = db.session.get(SmsSend, send_id) or abort(404)
    meeting_id = send.meeting_id
    try:
        services.remove_reminder(send)
        db.session.commit()
        flash(_("The reminder is removed."), "success")
    except services.SmsError as exc:
        db.session.rollback()
        flash(_error_text(str(exc)), "error")
    return redirect(url_for("sms.meeting_sms", meeting_id=meeting_id))


@bp.route("/meetings/<int:meeting_id>/sms/send", methods=["POST"])
def send_now(meeting_id: int):
    """Two steps: the first POST shows count and cost; only the confirmed POST queues the send."""
    meeting = _meeting(meeting_id)
    capabilities.require_sms_sender(current_user)  # the service checks again; this spares the count page
    form = SendForm()
    if not form.validate_on_submit():
        abort(400)
    kind, audience = SendKind(form.kind.data), Audience(form.audience.data)
    estimate = services.estimate(meeting, kind, audience)
    token = request.form.get("send_token", "")
    if request.form.get("confirm") != "yes" or not SEND_TOKEN.fullmatch(token):
        # The confirmation page carries a fresh one-time token; only a POST with it queues the send.
        return render_template("sms/confirm.html", meeting=meeting, form=form, estimate=estimate, kind=kind,
                               audience=audience, send_token=secrets.token_urlsafe(32))
    try:
        send = services.send_now(meeting, kind, audience, actor=current_user, request_token=token)  # audits
        db.session.commit()
    except services.AlreadyQueued as exc:  # a double click or a resubmitted page: the first send is the one
        db.session.rollback()
        return _already_queued(meeting, exc.send)
    except IntegrityError:  # the unique token: the other confirmation committed between our check and ours
        db.session.rollback()
        return _already_queued(meeting, services.send_with_token(token))
    except services.SmsError as exc:
        db.session.rollback()
        flash(_error_text(str(exc)), "error")
        return redirect(url_for("sms.meeting_sms", meeting_id=meeting.id))
    services.enqueue(send.id)
    flash(_("%(count)d SMS are queued and will be sent in the background.", count=estimate.count), "success")
    return redirect(url_for("sms.meeting_sms", meeting_id=meeting.id))


def _already_queued(meeting, earlier):
    flash(_("This SMS was already queued at %(time)s and is not sent again.",
            time=format_time(earlier.created_at)), "warning")
    return redirect(url_for("sms.meeting_sms", meeting_id=meeting.id) + f"#send-{earlier.id}")


@bp.route("/meetings/<int:meeting_id>/sms/messages")
@confidential_required
def meeting_messages(meeting_id: int):
    meeting = _meeting(meeting_id)
    rows = stats.messages_for(meeting)
    # Rendered before the audit entry is committed: the commit expires every loaded message, and the
    # template would then load each one again (606 queries for a meeting with 600 SMS).
    html = render_template("sms/messages.html", meeting=meeting, rows=rows, reason=message_reason)
    outreach.audit("sms.list_numbers", None, current_user, detail=f"meeting:{meeting.id}: {len(rows)}")
    db.session.commit()
    return html


@bp.route("/sms/inbox")
@confidential_required
def inbox_view():
    rows = replies.inbox(only_open=request.args.get("all") != "1")
    html = render_template("sms/inbox.html", rows=rows)  # before the commit, which would expire the rows
    outreach.audit("sms.inbox", None, current_user, detail=f"{len(rows)} replies")
    db.session.commit()
    return html


@bp.route("/sms/inbox/<int:inbound_id>/handled", methods=["POST"])
@confidential_required
def mark_handled(inbound_id: int):
    row = db.session.get(SmsInbound, inbound_id) or abort(404)
    row.handled_at = utcnow()
    db.session.commit()
    return redirect(url_for("sms.inbox_view"))


# -- Twilio webhooks ------------------------------------------------------------------------------

def _signed_by_twilio() -> bool:
    """X-Twilio-Signature over the public URL Twilio called and the POSTed parameters."""
    from twilio.request_validator import RequestValidator

    token = setting("TWILIO_AUTH_TOKEN")
    signature = request.headers.get("X-Twilio-Signature", "")
    if not token or not signature:
        return False
    url = str(setting("PUBLIC_BASE_URL", "")).rstrip("/") + request.path
    if request.query_string:
        url += "?" + request.query_string.decode("latin-1")
    return RequestValidator(token).validate(url, request.form, signature)


def _twiml(text: str | None) -> Response:
    from twilio.twiml.messaging_response import MessagingResponse

    response = MessagingResponse()
    if text:
        response.message(text)
    return Response(str(response), mimetype="application/xml")


@bp.route(delivery.STATUS_PATH, methods=["POST"])
@public
def status_callback():
    if not _signed_by_twilio():
        abort(403)
    sid = request.form.get("MessageSid", "")
    applied = status.record_status(sid, request.form.get("MessageStatus", ""), request.form.get("ErrorCode", ""))
    db.session.commit()
    if not applied:
        # Kept for later; if the SID was stored meanwhile, the sender may have looked before this
        # report was committed: apply it now (see status.apply_early_reports).
        status.apply_early_reports(sid)
        db.session.commit()
    return Response("", status=204)


@bp.route(replies.INBOUND_PATH, methods=["POST"])
@public
def inbound():
    if not _signed_by_twilio():
        abort(403)
    result = replies.receive(request.form.get("From", ""), request.form.get("Body", ""),
                              request.form.get("MessageSid") or None)
    db.session.commit()
    return _twiml(result.reply)
