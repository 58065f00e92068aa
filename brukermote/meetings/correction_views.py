"""Routes that correct the checklist and the programme: add, edit, delete (with undo). On ``views.bp``."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..auth.services import members
from ..core.undo import flash_undo
from ..extensions import db
from . import corrections
from .forms import TaskEditForm, TaskForm
from .models import ChecklistPhase, ProgrammeItem, ProgrammeKind, Task
from .views import _get, _programme_form, bp


def task_form(task: Task, formdata=None, people=None) -> TaskEditForm:
    """The edit form of one checklist row (its own prefix: many sit on one page)."""
    form = TaskEditForm(formdata=formdata, prefix=f"t{task.id}", obj=task, phase=task.phase.value)
    people = list(people if people is not None else members())
    if task.assignee is not None and task.assignee not in people:
        people.append(task.assignee)  # a member since deactivated stays responsible until someone else is chosen
    form.assignee_id.choices = [("", "—")] + [(u.id, u.name) for u in people]
    return form


def _checklist(meeting_id: int) -> str:
    return url_for("meetings.detail", meeting_id=meeting_id) + "#checklist"


def _task_data(form: TaskForm, assignee_id=None) -> corrections.TaskData:
    return corrections.TaskData(title=form.title.data or "", phase=ChecklistPhase(form.phase.data),
                                offset_days=form.offset_days.data, assignee_id=assignee_id)


@bp.route("/meetings/<int:meeting_id>/tasks", methods=["POST"])
def add_task(meeting_id: int):
    from .models import Meeting

    meeting = _get(Meeting, meeting_id)
    form = TaskForm()
    if form.validate_on_submit():
        try:
            task = corrections.add_task(meeting, _task_data(form))
            db.session.commit()
        except corrections.MeetingError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("The task is added."), "success")
            warning = corrections.due_date_warning(task)
            if warning:
                flash(warning, "warning")
            return redirect(_checklist(meeting.id))
    # Shown again with what was typed and why it was refused (the checklist page is long; this is not).
    return render_template("meetings/task_edit.html", meeting=meeting, task=None, form=form), 422


@bp.route("/tasks/<int:task_id>/edit", methods=["GET", "POST"])
def edit_task(task_id: int):
    task = _get(Task, task_id)
    form = task_form(task, request.form if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                corrections.update_task(task, _task_data(form, form.assignee_id.data))
                db.session.commit()
            except corrections.MeetingError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                flash(_("The task is saved."), "success")
                warning = corrections.due_date_warning(task)
                if warning:
                    flash(warning, "warning")
                return redirect(_checklist(task.meeting_id))
        status = 422
    return render_template("meetings/task_edit.html", meeting=task.meeting, task=task, form=form), status


@bp.route("/tasks/<int:task_id>/delete", methods=["POST"])
def delete_task(task_id: int):
    task = _get(Task, task_id)
    meeting_id, title = task.meeting_id, task.title
    entry = corrections.delete_task(task, current_user)
    db.session.commit()
    flash_undo(_("The task «%(title)s» is deleted.", title=title), entry)
    return redirect(_checklist(meeting_id))


@bp.route("/programme/<int:item_id>/edit", methods=["GET", "POST"])
def edit_programme_item(item_id: int):
    item = _get(ProgrammeItem, item_id)
    form = _programme_form(request.form if request.method == "POST" else None, obj=item, prefix=f"p{item.id}")
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                corrections.update_programme_item(item, corrections.ProgrammeData(
                    kind=ProgrammeKind(form.kind.data), title=form.title.data or "", minutes=form.minutes.data,
                    speaker_id=form.speaker_id.data))
                db.session.commit()
            except corrections.MeetingError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                flash(_("The programme is saved."), "success")
                return redirect(url_for("meetings.programme", meeting_id=item.meeting_id) + f"#item-{item.id}")
        status = 422
    return render_template("meetings/programme_item_edit.html", meeting=item.meeting, item=item, form=form), status


@bp.route("/programme/<int:item_id>/delete", methods=["POST"])
def delete_programme_item(item_id: int):
    item = _get(ProgrammeItem, item_id)
    meeting_id = item.meeting_id
    label = item.title or str(item.kind.title)
    entry = corrections.delete_programme_item(item, current_user)
    db.session.commit()
    flash_undo(_("«%(title)s» is removed from the programme.", title=label), entry)
    return redirect(url_for("meetings.programme", meeting_id=meeting_id))
