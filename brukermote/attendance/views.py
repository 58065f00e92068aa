from __future__ import annotations

import datetime as dt

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.access import public
from ..core.forms import parse_iso_date
from ..core.hooks import MeetingPanel, PlanningHint, registry, subscribe
from ..extensions import csrf, db, limiter
from ..meetings.models import Meeting
from ..templating import money, month, short_date
from . import charts, exports, reports, services
from .forms import AttendanceForm, FeedbackForm, FollowUpForm, TopicForm
from .models import Feedback, FeedbackChannel, TopicStatus, TopicSuggestion

bp = Blueprint("attendance", __name__)


def setup(app) -> None:
    from .. import demo as demo_module
    from . import demo

    registry.add_nav(_l("Reports"), "attendance.reports_page")
    registry.add_nav(_l("Topics"), "attendance.topics")
    registry.add_panel(MeetingPanel("attendance", "attendance/_panel.html", _panel, order=60, label=_l("Attendance")))
    registry.add_planning_hint(PlanningHint("topics", "attendance/_backlog_hint.html",
                                            lambda: {"rows": services.backlog()[:5]}))
    subscribe(demo_module.extra_loaders, demo.load)
    from ..meetings import services as meeting_services

    subscribe(meeting_services.created_listeners, services.planned_from_topic)


def _meeting(meeting_id: int) -> Meeting:
    return db.session.get(Meeting, meeting_id) or abort(404)


def _panel(meeting) -> dict:
    items = services.meeting_feedback(meeting)
    ratings = [f.rating for f in items if f.rating]
    return {"attendance": services.attendance_for(meeting), "feedback_count": len(items),
            "rating": sum(ratings) / len(ratings) if ratings else None,
            "open_follow_ups": sum(1 for f in items if f.follow_up is None and (f.missing or f.useful))}


# -- attendance -----------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/attendance", methods=["GET", "POST"])
def record(meeting_id: int):
    from ..outreach import funnel

    meeting = _meeting(meeting_id)
    existing = services.attendance_for(meeting)
    form = AttendanceForm(obj=None)
    if request.method == "GET":
        if existing is not None:
            form.adults.data, form.children.data, form.people.data = existing.adults, existing.children, existing.people
            form.walk_ins.data, form.organisers.data, form.speakers.data = (
                existing.walk_ins, existing.organisers, existing.speakers)
            form.interpreted_languages.data = list(existing.interpreted_languages or [])
            form.interpreter_note.data, form.interpreter_note_en.data = (
                existing.interpreter_note, existing.interpreter_note_en)
            form.notes.data = existing.notes
            for entry, staff in zip(form.staff.entries, existing.staff, strict=False):
                entry.form.organisation.data, entry.form.count.data = staff.organisation, staff.count
        else:
            form.interpreted_languages.data = list(meeting.interpreter_languages or [])
            form.staff.entries[0].form.organisation.data = "NAV"
            form.walk_ins.data = funnel.funnel([meeting.id]).walk_ins
    status = 200
    if form.validate_on_submit():
        staff = []
        for entry in form.staff.entries:
            org, count = (entry.form.organisation.data or "").strip(), entry.form.count.data
            if org and count is not None:
                staff.append((org, count))
            elif count is not None and not org:
                entry.form.organisation.errors = [_("Which organisation?")]
        if not any(entry.form.organisation.errors for entry in form.staff.entries):
            try:
                services.record_attendance(meeting, services.AttendanceData(
                    adults=form.adults.data, children=form.children.data, people=form.people.data, staff=staff,
                    organisers=form.organisers.data, speakers=form.speakers.data, walk_ins=form.walk_ins.data,
                    interpreted_languages=form.interpreted_languages.data or [],
                    interpreter_note=form.interpreter_note.data or "",
                    interpreter_note_en=form.interpreter_note_en.data or "", notes=form.notes.data or ""),
                    current_user)
                db.session.commit()
                flash(_("Attendance is saved."), "success")
                return redirect(url_for("meetings.detail", meeting_id=meeting.id))
            except services.AttendanceError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
    if request.method == "POST":
        status = 422
    came = sum(r.adults + r.children for r in funnel.registrations(meeting) if r.came)
    return render_template("attendance/record.html", meeting=meeting, form=form, came=came), status


# -- feedback from paper forms, follow-ups ----------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/feedback", methods=["GET", "POST"])
def feedback(meeting_id: int):
    meeting = _meeting(meeting_id)
    form = FeedbackForm()
    if request.method == "GET":
        form.language.data = request.args.get("language", "nb")
        form.channel.data = request.args.get("channel", FeedbackChannel.paper.value)
    status = 200
    if form.validate_on_submit():
        try:
            services.add_feedback(meeting, services.FeedbackData(
                rating=int(form.rating.data) if form.rating.data else None, useful=form.useful.data or "",
                missing=form.missing.data or "", topic_text=form.topic_text.data or "",
                language=form.language.data, channel=FeedbackChannel(form.channel.data)), current_user)
            db.session.commit()
            flash(_("The feedback is saved. Enter the next form."), "success")
            return redirect(url_for("attendance.feedback", meeting_id=meeting.id, language=form.language.data,
                                    channel=form.channel.data) + "#entry")
        except services.AttendanceError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
    if request.method == "POST":
        status = 422
    return render_template("attendance/feedback.html", meeting=meeting, form=form,
                           items=services.meeting_feedback(meeting), FollowUpForm=FollowUpForm), status


@bp.route("/feedback/<int:feedback_id>/follow-up", methods=["POST"])
def follow_up(feedback_id: int):
    item = db.session.get(Feedback, feedback_id) or abort(404)
    form = FollowUpForm(prefix=f"f{item.id}")
    if form.validate_on_submit():
        try:
            services.set_follow_up(item, form.action.data or "", form.done_on.data, form.done_by.data or "")
            db.session.commit()
            flash(_("The follow-up is saved."), "success")
        except services.AttendanceError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    else:
        flash("; ".join(e for errors in form.errors.values() for e in errors), "error")
    return redirect(url_for("attendance.feedback", meeting_id=item.meeting_id) + f"#feedback-{item.id}")


@bp.route("/meetings/<int:meeting_id>/you-said-we-did", methods=["GET", "POST"])
def report_back(meeting_id: int):
    """What earlier participants asked for and what was done, to tell at this meeting."""
    meeting = _meeting(meeting_id)
    items = services.to_report_back(meeting)
    if request.method == "POST":
        for item in items:
            item.follow_up.reported_at_meeting_id = meeting.id
        db.session.commit()
        flash(_("Marked as told at this meeting."), "success")
        return redirect(url_for("attendance.report_back", meeting_id=meeting.id))
    return render_template("attendance/report_back.html", meeting=meeting, items=items)


# -- topic backlog --------------------------------------------------------------------------------

@bp.route("/topics", methods=["GET", "POST"])
def topics():
    form = TopicForm()
    status = 200
    if form.validate_on_submit():
        services.suggest_topic(form.title.data, extra=1)
        db.session.commit()
        flash(_("The suggestion is counted."), "success")
        return redirect(url_for("attendance.topics"))
    if request.method == "POST":
        status = 422
    show_all = request.args.get("all") == "1"
    return render_template("attendance/topics.html", form=form, rows=services.backlog(include_closed=show_all),
                           show_all=show_all, TopicStatus=TopicStatus), status


@bp.route("/topics/<int:topic_id>/status", methods=["POST"])
def topic_status(topic_id: int):
    topic = db.session.get(TopicSuggestion, topic_id) or abort(404)
    try:
        topic.status = TopicStatus(request.form.get("status", ""))
    except ValueError:
        abort(400)
    db.session.commit()
    return redirect(url_for("attendance.topics"))


@bp.route("/topics/merge", methods=["POST"])
def topic_merge():
    keep = db.session.get(TopicSuggestion, request.form.get("keep", type=int) or 0)
    other = db.session.get(TopicSuggestion, request.form.get("other", type=int) or 0)
    if keep is None or other is None:
        flash(_("Choose two topics to merge."), "error")
        return redirect(url_for("attendance.topics"))
    try:
        services.merge_topics(keep, other)
        db.session.commit()
        flash(_("Merged into «%(title)s».", title=keep.title), "success")
    except services.AttendanceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("attendance.topics"))


@bp.route("/topics/<int:topic_id>/plan")
def topic_plan(topic_id: int):
    """Start planning a meeting from a suggestion: the new-meeting form with the topic filled in."""
    topic = db.session.get(TopicSuggestion, topic_id) or abort(404)
    return redirect(url_for("meetings.create", topic=topic.title, from_topic=topic.id))


# -- reports --------------------------------------------------------------------------------------

def _period():
    raw_from, raw_to = request.args.get("from"), request.args.get("to")
    start, end = parse_iso_date(raw_from), parse_iso_date(raw_to)
    bad = [v for v in (raw_from, raw_to) if v and parse_iso_date(v) is None]
    return start, end, bad


def _reversed(start: dt.date | None, end: dt.date | None) -> bool:
    """A period that ends before it begins holds nothing: say so rather than show an empty report
    (or hand over an empty file) that looks like "no meetings"."""
    return start is not None and end is not None and start > end


@bp.route("/reports")
def reports_page():
    from ..core import languages
    from ..outreach import funnel as funnel_service

    start, end, bad = _period()
    backwards = _reversed(start, end)
    facts = [] if backwards else reports.meeting_facts(reports.reported_meetings(start, end))
    # Labels in the committee's time: a meeting late on the last evening of a month is that month's.
    series = [charts.Bar(month(f.meeting.local_start.date()),
                         f.participants.low if f.participants else None, f.participants.high if f.participants else None,
                         bool(f.participants and f.participants.approximate)) for f in facts]

    def bars(groups):
        return [charts.Bar(g.label, g.low, g.high) for g in groups]

    groupings = {
        "topic": reports.group_by(facts, reports.topic_label),
        "time": reports.group_by(facts, reports.time_of_day_label),
        "venue": reports.group_by(facts, reports.venue_label),
        "type": reports.group_by(facts, reports.type_label),
    }
    years, used_languages = reports.interpreter_use(facts)
    funnel = funnel_service.funnel([f.meeting.id for f in facts])
    funnel_bars = [charts.Bar(str(row.channel.title), row.came, row.registered,
                              value_text=f"{row.came} / {row.registered}") for row in funnel.rows if row.registered]
    language_bars = [charts.Bar(languages.get(code).name_nb if code in languages.LANGUAGES else code,
                                sum(y.languages.get(code, (0, 0))[0] for y in years),
                                sum(y.languages.get(code, (0, 0))[0] for y in years)) for code in used_languages]
    costed = [f for f in facts if f.cost_per_participant is not None]
    return render_template(
        "attendance/reports.html", start=start, end=end, bad_dates=bad, reversed_period=backwards, facts=facts,
        totals=reports.totals(facts),
        attendance_chart=charts.columns(series, "chart-attendance-title"),
        group_charts={key: charts.horizontal(bars(groups), f"chart-{key}-title") for key, groups in groupings.items()},
        groupings=groupings, years=years, used_languages=used_languages, funnel=funnel,
        funnel_chart=charts.horizontal(funnel_bars, "chart-funnel-title"),
        language_chart=charts.horizontal(language_bars, "chart-languages-title"),
        cost_chart=charts.horizontal([charts.Bar(short_date(f.meeting.local_start.date()),
                                                 float(f.cost_per_participant), float(f.cost_per_participant),
                                                 value_text=money(f.cost_per_participant))
                                      for f in costed[-24:]], "chart-cost-title"),
        costed=costed,
    ), 400 if backwards else 200


@bp.route("/reports/overview")
def overview():
    start, end, bad = _period()
    ui = request.args.get("lang") or str(get_locale() or "nb")
    if ui not in current_app.config["UI_LOCALES"]:
        ui = "nb"
    fmt = request.args.get("format", "")
    if _reversed(start, end):
        # No download: an empty file would read as "no meetings in this period".
        with force_locale(ui):
            headers = reports.overview_headers()
        return render_template("attendance/overview.html", headers=headers, rows=[], start=start, end=end,
                               bad_dates=bad, reversed_period=True, ui=ui), 400
    if fmt in exports.FORMATS:
        headers, rows = reports.overview_export(start, end, ui)
        with force_locale(ui):
            title = _("User meetings: overview")
            subtitle = _period_text(start, end)
        if fmt == "csv":
            body = exports.to_csv(headers, rows, ui)
        elif fmt == "xlsx":
            body = exports.to_xlsx(headers, rows, title, ui)
        else:
            table1 = reports.TABLE1_COLUMNS
            body = exports.to_pdf(headers[:table1], [row[:table1] for row in rows], title, subtitle, ui)
        return Response(body, mimetype=exports.FORMATS[fmt], headers={
            "Content-Disposition": f'attachment; filename="{exports.filename(start, end, fmt)}"'})
    headers, rows = reports.overview(start, end, ui)
    return render_template("attendance/overview.html", headers=headers, rows=rows, start=start, end=end,
                           bad_dates=bad, ui=ui)


def _period_text(start: dt.date | None, end: dt.date | None) -> str:
    if start and end:
        return _("%(start)s – %(end)s", start=short_date(start), end=short_date(end))
    if start:
        return _("From %(start)s", start=short_date(start))
    if end:
        return _("Until %(end)s", end=short_date(end))
    return _("All meetings")


# -- the public feedback page -------------------------------------------------------------------

def _public_limit() -> str:
    return current_app.config["PUBLIC_FORM_RATE_LIMIT"]


#: The free-text answers on the public feedback page: field -> (longest text, several lines). The answers
#: are Text columns; 2000 characters is a page of comments, and the form's maxlength says the same.
PUBLIC_FEEDBACK_TEXTS = {"useful": (2000, True), "missing": (2000, True), "next_topic": (300, False)}


def _public_feedback_page(meeting, chosen, values=None, error=None, status=200, problems=None):
    from ..public.views import HONEYPOT, page_context

    return render_template("attendance/public_feedback.html", **page_context(meeting, chosen),
                           open=services.feedback_open(meeting), values=values or {}, error=error,
                           problems=problems or {}, limits=PUBLIC_FEEDBACK_TEXTS, honeypot=HONEYPOT), status


@bp.route("/m/<uid>/feedback", methods=["GET", "POST"])
@public
@limiter.limit(_public_limit, methods=["POST"])
def public_feedback(uid: str):
    """Anonymous feedback in the meeting's languages, from the QR code on the feedback form."""
    from ..core.validation import clean_text
    from ..public.signup import text_error
    from ..public.views import HONEYPOT, choose_language, published_meeting

    meeting = published_meeting(uid)
    chosen = choose_language(meeting)
    if request.method == "GET":
        return _public_feedback_page(meeting, chosen)
    if not services.feedback_open(meeting):
        return _public_feedback_page(meeting, chosen, status=409)
    if request.form.get(HONEYPOT):
        return redirect(url_for("attendance.public_feedback_thanks", uid=uid, lang=chosen))
    values = {key: (request.form.get(key) or "").strip() for key in ("rating", *PUBLIC_FEEDBACK_TEXTS)}
    # Refused with a message naming the answer (``public.signup.text_error``); nothing is saved.
    problems = {}
    for key, (longest, multiline) in PUBLIC_FEEDBACK_TEXTS.items():
        problem = text_error(values[key], longest, multiline)
        if problem:
            problems[key] = problem
            if problem[0] == "web.error_invisible":  # shown again without it: sending again is enough
                values[key] = clean_text(values[key], multiline).strip()
    if problems:
        return _public_feedback_page(meeting, chosen, values, status=422, problems=problems)
    rating = int(values["rating"]) if values["rating"] in {"1", "2", "3", "4", "5"} else None
    try:
        services.add_feedback(meeting, services.FeedbackData(
            rating=rating, useful=values["useful"], missing=values["missing"], topic_text=values["next_topic"],
            language=chosen, channel=FeedbackChannel.web))
    except services.AttendanceError:
        db.session.rollback()
        return _public_feedback_page(meeting, chosen, values, "web.feedback_empty", status=422)
    db.session.commit()
    return redirect(url_for("attendance.public_feedback_thanks", uid=uid, lang=chosen))


# Anonymous and cookie-free like the sign-up form (see public.views): no session for a forged request to
# ride on; the rate limit per address holds off abuse.
csrf.exempt(public_feedback)


@bp.route("/m/<uid>/feedback/thanks")
@public
def public_feedback_thanks(uid: str):
    from ..public.views import choose_language, page_context, published_meeting

    meeting = published_meeting(uid)
    context = page_context(meeting, choose_language(meeting))
    return render_template("public/message.html", **context, title=context["t"]("web.feedback_thanks"),
                           message=context["t"]("web.feedback_intro"))


@bp.errorhandler(429)
def _too_many(error):
    from ..public.views import too_many

    return too_many(error)


# Corrections of feedback and head counts (edit, delete, undo) register on this blueprint.
from . import correction_views  # noqa: E402,F401
