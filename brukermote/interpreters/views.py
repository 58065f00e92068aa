from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..core import languages
from ..core.hooks import MeetingPanel, registry, subscribe
from ..core.timeutil import WallClockError, local_zone, to_local, utcnow
from ..extensions import db
from ..meetings.models import Meeting
from . import services
from .forms import (
    BookingForm,
    CostFilterForm,
    ProviderForm,
    StatusForm,
    interpreter_form_class,
    language_field_name,
)
from .models import (
    BookingMode,
    BookingStatus,
    Interpreter,
    InterpreterBooking,
    InterpreterProvider,
    ProviderKind,
    RequestSource,
)

bp = Blueprint("interpreters", __name__)


def setup(app) -> None:
    registry.add_nav(_l("Interpreters"), "interpreters.index")
    registry.add_panel(MeetingPanel("interpreters", "interpreters/_panel.html", _panel, order=42, label=_l("Interpreters")))
    registry.add_warning_provider(services.warnings)
    from ..meetings import services as meeting_services

    subscribe(meeting_services.time_change_listeners, services.follow_meeting_time)
    subscribe(meeting_services.cancel_listeners, services.on_meeting_cancelled)
    from ..calendar import services as calendar_services

    subscribe(calendar_services.private_event_providers, services.calendar_events)
    from .. import demo as demo_module
    from . import demo

    subscribe(demo_module.extra_loaders, demo.load)
    from ..attendance import reports

    subscribe(reports.interpreter_cost_sources, services.cost_by_meeting_and_language)
    from ..printing import documents

    subscribe(documents.briefing_arrival_sources, services.earliest_arrival)
    subscribe(documents.briefing_language_sources, services.booked_languages)


def _panel(meeting) -> dict:
    return {"bookings": services.bookings(meeting), "cost": services.meeting_cost(meeting)}


def _get(model, ident):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def _language_choice(code: str) -> tuple[str, str]:
    lang = languages.get(code)
    return code, f"{lang.name_nb} – {lang.native_name}"


# -- providers and interpreters -------------------------------------------------------------------

@bp.route("/interpreters")
def index():
    from ..core import languages
    from ..core.paging import page_number
    from .search import InterpreterFilter, search

    filters = InterpreterFilter.from_args(request.args)
    providers = services.providers()
    return render_template("interpreters/index.html", providers=providers, usage=services.provider_usage(),
                           page=search(filters, page_number()), filters=filters,
                           languages=[lang for lang in languages.all_languages() if lang.code != "nb"])


@bp.route("/interpreters/providers/new", methods=["GET", "POST"])
@bp.route("/interpreters/providers/<int:provider_id>", methods=["GET", "POST"])
def edit_provider(provider_id: int | None = None):
    provider = _get(InterpreterProvider, provider_id) if provider_id else None
    if request.method == "GET" and provider is not None:
        form = ProviderForm(obj=provider, kind=provider.kind.value)
    else:
        form = ProviderForm()
    if form.validate_on_submit():
        if provider is None:
            provider = InterpreterProvider()
            db.session.add(provider)
        provider.name = form.name.data.strip()
        provider.kind = ProviderKind(form.kind.data)
        for name in ("contact_person", "phone", "email", "order_address", "notes"):
            setattr(provider, name, (getattr(form, name).data or "").strip())
        provider.lead_time_days = form.lead_time_days.data
        provider.hourly_rate = form.hourly_rate.data
        provider.minimum_hours = form.minimum_hours.data
        provider.travel_cost = form.travel_cost.data
        db.session.commit()
        flash(_("The provider is saved."), "success")
        return redirect(url_for("interpreters.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("interpreters/provider_edit.html", form=form, provider=provider,
                           used=services.provider_usage().get(provider.id, 0) if provider else 0), status


@bp.route("/interpreters/providers/<int:provider_id>/delete", methods=["POST"])
def delete_provider(provider_id: int):
    provider = _get(InterpreterProvider, provider_id)
    try:
        services.delete_provider(provider)
        db.session.commit()
        flash(_("The provider was deleted."), "success")
    except services.InterpreterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("interpreters.edit_provider", provider_id=provider_id))
    return redirect(url_for("interpreters.index"))


def _interpreter_form(interpreter: Interpreter | None):
    form_class = interpreter_form_class()
    if request.method == "GET" and interpreter is not None:
        form = form_class(obj=interpreter)
        for entry in interpreter.languages:
            field = getattr(form, language_field_name(entry.language), None)
            if field is not None:
                field.data = str(entry.register_category or 0)
    else:
        form = form_class()
    form.provider_id.choices = [("", _("– none –"))] + [(p.id, p.name) for p in services.providers()]
    return form


@bp.route("/interpreters/people/new", methods=["GET", "POST"])
@bp.route("/interpreters/people/<int:interpreter_id>", methods=["GET", "POST"])
def edit_interpreter(interpreter_id: int | None = None):
    interpreter = _get(Interpreter, interpreter_id) if interpreter_id else None
    form = _interpreter_form(interpreter)
    if form.validate_on_submit():
        categories = form.categories()
        if not categories:
            form.form_errors.append(_("Choose at least one language the interpreter works in."))
        else:
            try:
                if interpreter is None:
                    interpreter = Interpreter(name="")
                    db.session.add(interpreter)
                interpreter.name = form.name.data.strip()
                interpreter.phone = (form.phone.data or "").strip()
                interpreter.email = (form.email.data or "").strip()
                interpreter.provider_id = form.provider_id.data
                interpreter.notes = (form.notes.data or "").strip()
                services.set_languages(interpreter, categories)
                _check_bookings_keep_languages(interpreter)
                db.session.commit()
            except services.InterpreterError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                flash(_("The interpreter is saved."), "success")
                return redirect(url_for("interpreters.index"))
    status = 422 if request.method == "POST" else 200
    return render_template("interpreters/interpreter_edit.html", form=form, interpreter=interpreter), status


def _check_bookings_keep_languages(interpreter: Interpreter) -> None:
    """Removing a language the interpreter is booked for (standing bookings) is refused."""
    import sqlalchemy as sa

    from .models import STANDING

    if interpreter.id is None:
        return
    codes = {entry.language for entry in interpreter.languages}
    booked = db.session.scalars(sa.select(InterpreterBooking.language).where(
        InterpreterBooking.interpreter_id == interpreter.id, InterpreterBooking.status.in_(STANDING))).all()
    missing = sorted(set(booked) - codes)
    if missing:
        raise services.InterpreterError(_(
            "The interpreter is booked for %(languages)s; keep the language or change those bookings first.",
            languages=", ".join(services.language_label(c) for c in missing)))


@bp.route("/interpreters/people/<int:interpreter_id>/delete", methods=["POST"])
def delete_interpreter(interpreter_id: int):
    interpreter = _get(Interpreter, interpreter_id)
    db.session.delete(interpreter)
    db.session.commit()
    flash(_("The interpreter was deleted; their bookings keep the language and provider."), "success")
    return redirect(url_for("interpreters.index"))


# -- a meeting's interpreters ------------------------------------------------------------------------

def _booking_form(meeting: Meeting, booking: InterpreterBooking | None = None, formdata=None) -> BookingForm:
    if booking is not None and formdata is None:
        form = BookingForm(formdata=None, obj=booking, language=booking.language, mode=booking.mode.value,
                           requested_by=booking.requested_by.value,
                           arrival=to_local(booking.arrives_at).time())
    else:
        form = BookingForm(formdata=formdata)
    codes = [lang.code for lang in languages.all_languages() if lang.code != "nb"]
    form.language.choices = [("", _("– choose –"))] + [_language_choice(c) for c in codes]
    form.provider_id.choices = [("", _("– not chosen yet –"))] + [
        (p.id, f"{p.name} ({p.kind.title})") for p in services.providers()]
    interpreters = services.interpreters()
    form.interpreter_id.choices = [("", _("– not known yet –"))] + [
        (i.id, f"{i.name} ({', '.join(services.language_label(e.language) for e in i.languages)})")
        for i in interpreters]
    return form


def _data(form: BookingForm) -> services.BookingData:
    return services.BookingData(
        language=form.language.data, provider_id=form.provider_id.data, interpreter_id=form.interpreter_id.data,
        mode=BookingMode(form.mode.data), arrival=form.arrival.data, minutes=form.minutes.data,
        requested_by=RequestSource(form.requested_by.data), estimated_cost=form.estimated_cost.data,
        actual_cost=form.actual_cost.data, reference=form.reference.data or "",
        day_contact=form.day_contact.data or "", notes=form.notes.data or "")


def _save(form: BookingForm, action) -> bool:
    """Run ``action`` (which uses the form's data); put a refusal on the right field. True if saved."""
    if not form.validate_on_submit():
        return False
    try:
        action()
        db.session.commit()
        return True
    except services.InterpreterError as exc:
        db.session.rollback()
        target = getattr(form, exc.field, None) if exc.field else None
        (target.errors if target is not None else form.form_errors).append(str(exc))
    except WallClockError:
        db.session.rollback()
        form.arrival.errors.append(_("That time does not exist or occurs twice in Norway that night. Choose another time."))
    return False


@bp.route("/meetings/<int:meeting_id>/interpreters", methods=["GET", "POST"])
def meeting(meeting_id: int):
    meeting = _get(Meeting, meeting_id)
    form = _booking_form(meeting, formdata=request.form if request.method == "POST" else None)
    if request.method == "GET" and request.args.get("language"):
        form.language.data = request.args["language"]
    if request.method == "POST":
        if _save(form, lambda: services.create_booking(meeting, _data(form))):
            flash(_("The booking is saved. Order it from the provider and mark it as ordered."), "success")
            return redirect(url_for("interpreters.meeting", meeting_id=meeting.id) + "#bookings")
    return _render_meeting(meeting, form, 422 if request.method == "POST" else 200)


def _render_meeting(meeting: Meeting, form: BookingForm, status: int = 200):
    rows = services.bookings(meeting)
    return render_template(
        "interpreters/meeting.html", meeting=meeting, form=form, bookings=rows,
        warnings=services.warnings(meeting), demand=services.demand(meeting), cost=services.meeting_cost(meeting),
        status_form=StatusForm(), BookingStatus=BookingStatus, history_size=services.HISTORY_MEETINGS,
        lead_deadline=services.lead_deadline, now=utcnow(),
    ), status


@bp.route("/meetings/<int:meeting_id>/interpreters/book", methods=["POST"])
def book(meeting_id: int):
    meeting = _get(Meeting, meeting_id)
    code = request.form.get("language", "")
    if code not in languages.LANGUAGES or code == "nb":
        abort(400)
    source = RequestSource.registration if services.registration_needs(meeting).get(code) else RequestSource.committee
    try:
        booking = services.book_language(meeting, code, source)
        db.session.commit()
        flash(_("%(language)s is booked as needed. Order it and mark it as ordered.",
                language=services.language_label(booking.language)), "success")
    except services.InterpreterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("interpreters.meeting", meeting_id=meeting.id) + "#bookings")


@bp.route("/interpreters/bookings/<int:booking_id>", methods=["GET", "POST"])
def edit_booking(booking_id: int):
    booking = _get(InterpreterBooking, booking_id)
    meeting = booking.meeting
    form = _booking_form(meeting, booking, formdata=request.form if request.method == "POST" else None)
    if request.method == "POST":
        if _save(form, lambda: services.update_booking(booking, _data(form))):
            flash(_("The booking is saved."), "success")
            return redirect(url_for("interpreters.meeting", meeting_id=meeting.id) + "#bookings")
    status = 422 if request.method == "POST" else 200
    return render_template("interpreters/booking_edit.html", form=form, booking=booking, meeting=meeting), status


@bp.route("/interpreters/bookings/<int:booking_id>/status", methods=["POST"])
def set_status(booking_id: int):
    booking = _get(InterpreterBooking, booking_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            new = BookingStatus(form.status.data)
        except ValueError:
            # Only a hand-made request gets here; Python's own message would be English and technical.
            flash(_("That is not a status a booking can have."), "error")
            return redirect(url_for("interpreters.meeting", meeting_id=booking.meeting_id) + "#bookings")
        try:
            services.change_booking_status(booking, new)
            db.session.commit()
            flash(_("The %(language)s booking is now %(status)s.", language=services.language_label(booking.language),
                    status=str(booking.status.title).lower()), "success")
        except services.InterpreterError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for("interpreters.meeting", meeting_id=booking.meeting_id) + "#bookings")


@bp.route("/interpreters/bookings/<int:booking_id>/told", methods=["POST"])
def provider_told(booking_id: int):
    booking = _get(InterpreterBooking, booking_id)
    services.mark_provider_told(booking)
    db.session.commit()
    flash(_("Noted: the provider knows of the changes."), "success")
    return redirect(url_for("interpreters.meeting", meeting_id=booking.meeting_id) + "#bookings")


@bp.route("/interpreters/bookings/<int:booking_id>/delete", methods=["POST"])
def delete_booking(booking_id: int):
    booking = _get(InterpreterBooking, booking_id)
    meeting_id = booking.meeting_id
    try:
        services.delete_booking(booking)
        db.session.commit()
        flash(_("The booking was deleted."), "success")
    except services.InterpreterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("interpreters.meeting", meeting_id=meeting_id) + "#bookings")


@bp.route("/interpreters/bookings/<int:booking_id>/order.pdf")
def order_pdf(booking_id: int):
    from ..printing import services as printing_services
    from . import order_sheet

    booking = _get(InterpreterBooking, booking_id)
    ctx = printing_services.context(booking.meeting, draft=False)
    pdf = order_sheet.order_sheet(booking, ctx)
    db.session.commit()  # the marks may have been seeded
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{order_sheet.filename(booking)}"'})


# -- costs -------------------------------------------------------------------------------------------

@bp.route("/interpreters/costs")
def costs():
    form = CostFilterForm(request.args)
    today = utcnow().astimezone(local_zone()).date()
    if not request.args:
        form.start.data = dt.date(today.year, 1, 1)
        form.end.data = dt.date(today.year, 12, 31)
    valid = form.validate() if request.args else True
    start, end = (form.start.data, form.end.data) if valid else (None, None)
    if valid and start and end and end < start:
        form.end.errors.append(_("The end of the period comes before its start."))
        valid = False
    for field in (form.start, form.end):
        if valid and field.data is not None and not dt.date(1900, 1, 1) <= field.data <= dt.date(2999, 12, 31):
            field.errors.append(_("Choose a date between 1900 and 2999."))
            valid = False
    per_meeting = services.meeting_costs(start, end) if valid else []
    per_language = services.language_costs(start, end) if valid else []
    total = sum((row.cost for row in per_meeting), Decimal("0"))
    return render_template("interpreters/costs.html", form=form, per_meeting=per_meeting, per_language=per_language,
                           total=total), 200 if valid else 422
