from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ..auth.access import admin_required
from ..auth.services import members
from ..core.hooks import registry
from ..core.timeutil import WallClockError, local_zone, utcnow
from ..extensions import db
from . import corrections, impact, services
from .forms import (
    AssignForm,
    BudgetForm,
    CancelForm,
    ChecklistTemplateForm,
    CopyForm,
    MeetingForm,
    ProgrammeItemForm,
    SpeakerForm,
    StatusForm,
    TaskForm,
    VenueForm,
)
from .impact_views import already_done as _already_done
from .impact_views import confirmed as _confirmed
from .impact_views import impact_page as _impact_page
from .models import (
    STATUS_TRANSITIONS,
    BudgetCategory,
    ChecklistPhase,
    ChecklistTemplateItem,
    Meeting,
    MeetingStatus,
    MeetingType,
    ProgrammeItem,
    ProgrammeKind,
    Speaker,
    Task,
    Venue,
)

bp = Blueprint("meetings", __name__)


def _get(model, ident):
    obj = db.session.get(model, ident)
    if obj is None:
        abort(404)
    return obj


def _wallclock_message(exc: WallClockError) -> str:
    if exc.kind == "nonexistent":
        return _("%(when)s does not exist in Norway: the clocks jump forward that night. Choose another time.",
                 when=exc.when.strftime("%Y-%m-%d %H:%M"))
    return _("%(when)s occurs twice in Norway: the clocks are turned back that night. Choose another time.",
             when=exc.when.strftime("%Y-%m-%d %H:%M"))


# -- dashboard and lists ------------------------------------------------------------------------

@bp.route("/")
def dashboard():
    upcoming = services.next_meeting()
    return render_template(
        "meetings/dashboard.html",
        next_meeting=upcoming,
        today=utcnow().astimezone(local_zone()).date(),
        open_tasks=services.open_tasks(upcoming) if upcoming else [],
        warnings=services.meeting_warnings(upcoming) if upcoming else [],
        upcoming=[m for m in services.upcoming_meetings(limit=10) if m is not upcoming],
        past=services.past_meetings(limit=10),
        my_tasks=db.session.scalars(
            sa.select(Task).join(Meeting)
            .where(Task.assignee_id == current_user.id, Task.done_at.is_(None), Meeting.ends_at >= utcnow(),
                   Meeting.status != MeetingStatus.cancelled)
            .order_by(Meeting.starts_at, Task.offset_days)
            .options(selectinload(Task.meeting))
        ).all(),
    )


@bp.route("/meetings")
def index():
    from ..core.paging import page_number
    from . import search

    filters = search.MeetingFilter.from_args(request.args)
    venues = db.session.scalars(sa.select(Venue).order_by(Venue.name)).all()
    return render_template("meetings/index.html", upcoming=search.coming(filters),
                           page=search.past(filters, page_number()), filters=filters, years=search.years(),
                           venues=venues, statuses=list(MeetingStatus))


# -- one meeting --------------------------------------------------------------------------------

def _meeting_form(meeting: Meeting | None = None, formdata=None) -> MeetingForm:
    if meeting is not None and formdata is None:
        form = MeetingForm(
            obj=meeting,
            type=meeting.type.value,
            day=meeting.local_date,
            start=meeting.local_start.time(),
            end=meeting.local_end.time(),
            version=meeting.version,
        )
    else:
        form = MeetingForm(formdata=formdata) if formdata is not None else MeetingForm()
    venues = db.session.scalars(sa.select(Venue).order_by(Venue.name)).all()
    form.venue_id.choices = [("", _("– not chosen yet –"))] + [(v.id, v.name) for v in venues]
    return form


def _meeting_data(form: MeetingForm) -> services.MeetingData:
    return services.MeetingData(
        type=MeetingType(form.type.data),
        topic=form.topic.data or "",
        day=form.day.data,
        start=form.start.data,
        end=form.end.data,
        venue_id=form.venue_id.data,
        description=form.description.data or "",
        catering=form.catering.data or "",
        catering_halal=form.catering_halal.data,
        catering_vegetarian=form.catering_vegetarian.data,
        childcare=form.childcare.data,
        target_languages=form.target_languages.data,
        interpreter_languages=form.interpreter_languages.data,
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
def create():
    form = _meeting_form(formdata=request.form if request.method == "POST" else None)
    if request.method == "GET":
        from ..core.models import Organisation

        org = Organisation.current()
        form.target_languages.data = list(org.default_target_languages)
        form.interpreter_languages.data = list(org.default_interpreter_languages)
        form.topic.data = request.args.get("topic", "")
        form.type.data = services.usual_meeting_type().value
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(_meeting_data(form), created_by=current_user)
            for listener in services.created_listeners:
                listener(meeting, request.args)
            db.session.commit()
        except WallClockError as exc:
            db.session.rollback()
            form.start.errors.append(_wallclock_message(exc))
        except services.MeetingError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("The meeting is created with the committee's checklist."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/edit.html", form=form, meeting=None)


@bp.route("/meetings/<int:meeting_id>")
def detail(meeting_id: int):
    from .correction_views import task_form

    meeting = _get(Meeting, meeting_id)
    panels = [(panel, panel.context(meeting)) for panel in registry.panels]
    people = members()
    return render_template(
        "meetings/detail.html",
        meeting=meeting,
        warnings=services.meeting_warnings(meeting),
        clock=services.programme_clock(meeting),
        fit=corrections.programme_fit(meeting),
        phases=list(ChecklistPhase),
        members=people,
        task_edit_form=lambda task: task_form(task, people=people),
        due_note=corrections.due_date_note,
        panels=panels,
        cancel_form=CancelForm(),
        status_form=StatusForm(),
        task_form=TaskForm(),
        copy_form=CopyForm(),
        today=utcnow().astimezone(meeting.local_start.tzinfo).date(),
        MeetingStatus=MeetingStatus,
        transitions=STATUS_TRANSITIONS,
    )


@bp.route("/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
def edit(meeting_id: int):
    meeting = _get(Meeting, meeting_id)
    form = _meeting_form(meeting, formdata=request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        try:
            expected = int(form.version.data or 0)
            data = _meeting_data(form)
            if impact.needs_confirmation(meeting):
                starts, ends = services.planned_times(data)
                if impact.is_move(meeting, starts, ends, data.venue_id):
                    if request.form.get("confirm") != "yes":
                        # Show who and what the move touches first; nothing is saved yet.
                        return _impact_page(meeting, "moved", new_start=starts, new_venue_id=data.venue_id,
                                            action=url_for("meetings.edit", meeting_id=meeting.id))
                    return _confirmed(meeting, "moved", lambda: services.update_meeting(meeting, data, expected))
                if request.form.get("confirm") == "yes" and expected != meeting.version:
                    return _already_done(meeting)  # a resubmitted confirmation: the meeting has these times
            services.update_meeting(meeting, data, expected)
            db.session.commit()
        except services.ConflictError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            # Keep what this user typed, show what the other saved, and let them decide:
            # saving again (now against the current version) is a deliberate overwrite.
            current = _get(Meeting, meeting_id)
            form.version.data = current.version
            return render_template("meetings/edit.html", form=form, meeting=current, conflict=current), 409
        except WallClockError as exc:
            db.session.rollback()
            form.start.errors.append(_wallclock_message(exc))
        except services.MeetingError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("The meeting is saved."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    return render_template("meetings/edit.html", form=form, meeting=meeting)


@bp.route("/meetings/<int:meeting_id>/status", methods=["POST"])
def set_status(meeting_id: int):
    meeting = _get(Meeting, meeting_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            services.change_status(meeting, MeetingStatus(form.status.data))
            db.session.commit()
            flash(_("The meeting is now %(status)s.", status=str(meeting.status.title).lower()), "success")
        except (services.MeetingError, ValueError) as exc:
            db.session.rollback()
            flash(str(exc), "error")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/cancel", methods=["POST"])
def cancel(meeting_id: int):
    meeting = _get(Meeting, meeting_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(" ".join([_("Give a reason for cancelling; it is shown to participants.")]
                       + [e for es in form.errors.values() for e in es]), "error")
        return redirect(url_for("meetings.detail", meeting_id=meeting.id))
    if request.form.get("confirm") == "yes" and meeting.status == MeetingStatus.cancelled:
        return _already_done(meeting)  # a resubmitted confirmation
    change = lambda: services.change_status(meeting, MeetingStatus.cancelled, form.reason.data)  # noqa: E731
    if impact.needs_confirmation(meeting):
        if request.form.get("confirm") != "yes":
            # Show who and what the cancellation touches first; nothing is saved yet.
            return _impact_page(meeting, "cancelled", action=url_for("meetings.cancel", meeting_id=meeting.id))
        return _confirmed(meeting, "cancelled", change)
    try:
        change()
        db.session.commit()
        flash(_("The meeting is cancelled."), "success")
    except services.MeetingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("meetings.detail", meeting_id=meeting.id))


@bp.route("/meetings/<int:meeting_id>/copy", methods=["POST"])
def copy(meeting_id: int):
    source = _get(Meeting, meeting_id)
    form = CopyForm()
    if form.validate_on_submit():
        try:
            meeting = services.copy_meeting(source, form.day.data, created_by=current_user)
            db.session.commit()
        except WallClockError as exc:
            db.session.rollback()
            flash(_wallclock_message(exc), "error")
        except services.MeetingError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            flash(_("A copy was made. Check the topic and the details."), "success")
            return redirect(url_for("meetings.edit", meeting_id=meeting.id))
    else:
        for error in form.day.errors:
            flash(error, "error")
    return redirect(url_for("meetings.detail", meeting_id=source.id))


@bp.route("/meetings/<int:meeting_id>/delete", methods=["POST"])
def delete(meeting_id: int):
    meeting = _get(Meeting, meeting_id)
    try:
        services.delete_meeting(meeting)
        db.session.commit()
    except services.MeetingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("meetings.detail", meeting_id=meeting_id))
    flash(_("The meeting was deleted."), "success")
    return redirect(url_for("meetings.index"))


# -- programme ----------------------------------------------------------------------------------

def _programme_form(formdata=None, obj=None, prefix="") -> ProgrammeItemForm:
    if obj is not None:
        form = ProgrammeItemForm(formdata=formdata, obj=obj, kind=obj.kind.value, prefix=prefix)
    else:
        form = ProgrammeItemForm(formdata=formdata, prefix=prefix) if formdata is not None else ProgrammeItemForm()
    speakers = db.session.scalars(sa.select(Speaker).order_by(Speaker.name)).all()
    form.speaker_id.choices = [("", _("– none –"))] + [(s.id, f"{s.name} ({s.organisation})" if s.organisation else s.name) for s in speakers]
    return form


@bp.route("/meetings/<int:meeting_id>/programme", methods=["GET", "POST"])
def programme(meeting_id: int):
    meeting = _get(Meeting, meeting_id)
    form = _programme_form(request.form if request.method == "POST" else None)
    if form.validate_on_submit():
        services.add_programme_item(
            meeting, ProgrammeKind(form.kind.data), form.title.data or "", form.minutes.data, form.speaker_id.data
        )
        db.session.commit()
        flash(_("Added to the programme."), "success")
        return redirect(url_for("meetings.programme", meeting_id=meeting.id))
    return render_template(
        "meetings/programme.html", meeting=meeting, form=form, clock=services.programme_clock(meeting),
        fit=corrections.programme_fit(meeting), item_form=lambda item: _programme_form(obj=item, prefix=f"p{item.id}"),
    )


@bp.route("/programme/<int:item_id>/move", methods=["POST"])
def move_programme_item(item_id: int):
    item = _get(ProgrammeItem, item_id)
    step = -1 if request.form.get("direction") == "up" else 1
    services.move_programme_item(item, step)
    db.session.commit()
    return redirect(url_for("meetings.programme", meeting_id=item.meeting_id))


# -- budget -------------------------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/budget", methods=["GET", "POST"])
def budget(meeting_id: int):
    meeting = _get(Meeting, meeting_id)
    if request.method == "GET":
        form = BudgetForm()
        for line in meeting.budget_lines:
            getattr(form, f"{line.category.value}_estimated").data = line.estimated
            getattr(form, f"{line.category.value}_actual").data = line.actual
    else:
        form = BudgetForm()
    if form.validate_on_submit():
        values = {
            c: (getattr(form, f"{c.value}_estimated").data, getattr(form, f"{c.value}_actual").data)
            for c in BudgetCategory
        }
        try:
            services.set_budget(meeting, values)
            db.session.commit()
        except services.MeetingError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("The budget is saved."), "success")
            return redirect(url_for("meetings.detail", meeting_id=meeting.id) + "#budget")
    return render_template("meetings/budget.html", meeting=meeting, form=form, categories=list(BudgetCategory))


# -- tasks --------------------------------------------------------------------------------------

@bp.route("/tasks/<int:task_id>/tick", methods=["POST"])
def tick_task(task_id: int):
    task = _get(Task, task_id)
    services.tick_task(task, current_user, done=request.form.get("done") == "1")
    db.session.commit()
    return redirect(url_for("meetings.detail", meeting_id=task.meeting_id) + "#checklist")


@bp.route("/tasks/<int:task_id>/assign", methods=["POST"])
def assign_task(task_id: int):
    task = _get(Task, task_id)
    form = AssignForm()
    form.assignee_id.choices = [("", "")] + [(u.id, u.name) for u in members()]
    if form.validate_on_submit():
        task.assignee_id = form.assignee_id.data
        db.session.commit()
        flash(_("The task is assigned."), "success")
    return redirect(url_for("meetings.detail", meeting_id=task.meeting_id) + "#checklist")


# -- checklist template (admins) ----------------------------------------------------------------

@bp.route("/checklist-template", methods=["GET", "POST"])
@admin_required
def checklist_template():
    form = ChecklistTemplateForm()
    if form.validate_on_submit():
        services.ensure_checklist_template()
        db.session.add(
            ChecklistTemplateItem(
                title=form.title.data, phase=ChecklistPhase(form.phase.data), offset_days=form.offset_days.data,
                active=form.active.data, position=1000,
            )
        )
        db.session.commit()
        flash(_("The task is added to the template. New meetings will get it."), "success")
        return redirect(url_for("meetings.checklist_template"))
    items = services.checklist_template()
    db.session.commit()
    return render_template("meetings/checklist_template.html", items=items, form=form)


@bp.route("/checklist-template/<int:item_id>", methods=["GET", "POST"])
@admin_required
def edit_checklist_item(item_id: int):
    item = _get(ChecklistTemplateItem, item_id)
    form = ChecklistTemplateForm(obj=item, phase=item.phase.value)
    if form.validate_on_submit():
        item.title = form.title.data
        item.phase = ChecklistPhase(form.phase.data)
        item.offset_days = form.offset_days.data
        item.active = form.active.data
        db.session.commit()
        flash(_("The template is saved."), "success")
        return redirect(url_for("meetings.checklist_template"))
    return render_template("meetings/checklist_item_edit.html", item=item, form=form)


@bp.route("/checklist-template/<int:item_id>/delete", methods=["POST"])
@admin_required
def delete_checklist_item(item_id: int):
    db.session.delete(_get(ChecklistTemplateItem, item_id))
    db.session.commit()
    flash(_("The task is removed from the template."), "success")
    return redirect(url_for("meetings.checklist_template"))


# -- venues -------------------------------------------------------------------------------------

@bp.route("/venues")
def venues():
    rows = db.session.execute(
        sa.select(Venue, sa.func.count(Meeting.id)).outerjoin(Meeting).group_by(Venue.id).order_by(Venue.name)
    ).all()
    return render_template("meetings/venues.html", rows=rows)


@bp.route("/venues/new", methods=["GET", "POST"])
@bp.route("/venues/<int:venue_id>", methods=["GET", "POST"])
def edit_venue(venue_id: int | None = None):
    venue = _get(Venue, venue_id) if venue_id else None
    form = VenueForm(obj=venue)
    if form.validate_on_submit():
        if venue is None:
            venue = Venue()
            db.session.add(venue)
        form.populate_obj(venue)
        db.session.commit()
        flash(_("The venue is saved."), "success")
        return redirect(url_for("meetings.venues"))
    return render_template("meetings/venue_edit.html", form=form, venue=venue)


@bp.route("/venues/<int:venue_id>/delete", methods=["POST"])
def delete_venue(venue_id: int):
    venue = _get(Venue, venue_id)
    try:
        services.delete_venue(venue)
        db.session.commit()
        flash(_("The venue was deleted."), "success")
    except services.MeetingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("meetings.venues"))


# -- speakers -----------------------------------------------------------------------------------

@bp.route("/speakers")
def speakers():
    rows = db.session.scalars(sa.select(Speaker).order_by(Speaker.name)).all()
    return render_template("meetings/speakers.html", speakers=rows)


@bp.route("/speakers/new", methods=["GET", "POST"])
@bp.route("/speakers/<int:speaker_id>", methods=["GET", "POST"])
def edit_speaker(speaker_id: int | None = None):
    speaker = _get(Speaker, speaker_id) if speaker_id else None
    form = SpeakerForm(obj=speaker)
    if form.validate_on_submit():
        if speaker is None:
            speaker = Speaker()
            db.session.add(speaker)
        form.populate_obj(speaker)
        db.session.commit()
        flash(_("The speaker is saved."), "success")
        return redirect(url_for("meetings.speakers"))
    return render_template("meetings/speaker_edit.html", form=form, speaker=speaker)


@bp.route("/speakers/<int:speaker_id>/delete", methods=["POST"])
def delete_speaker(speaker_id: int):
    db.session.delete(_get(Speaker, speaker_id))
    db.session.commit()
    flash(_("The speaker was deleted."), "success")
    return redirect(url_for("meetings.speakers"))


# The checklist's and the programme's corrections (edit, delete, undo) register on this blueprint.
from . import correction_views  # noqa: E402,F401
