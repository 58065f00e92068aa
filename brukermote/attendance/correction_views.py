"""Routes that correct feedback entries and the head count (edit, delete with undo). On ``views.bp``."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.undo import flash_undo
from ..extensions import db
from . import corrections, services
from .forms import FeedbackForm
from .models import Feedback, FeedbackChannel
from .views import _meeting, bp


def _feedback(feedback_id: int) -> Feedback:
    return db.session.get(Feedback, feedback_id) or abort(404)


@bp.route("/feedback/<int:feedback_id>/edit", methods=["GET", "POST"])
def edit_feedback(feedback_id: int):
    item = _feedback(feedback_id)
    if not corrections.editable(item):
        flash(_("Feedback from the feedback page is the participant's own words: it cannot be changed, only "
                "deleted."), "error")
        return redirect(url_for("attendance.feedback", meeting_id=item.meeting_id) + f"#feedback-{item.id}")
    if request.method == "POST":
        form = FeedbackForm()
    else:
        form = FeedbackForm(obj=item, rating=str(item.rating or ""), channel=item.channel.value)
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                corrections.update_feedback(item, services.FeedbackData(
                    rating=int(form.rating.data) if form.rating.data else None, useful=form.useful.data or "",
                    missing=form.missing.data or "", topic_text=form.topic_text.data or "",
                    language=form.language.data, channel=FeedbackChannel(form.channel.data)))
                db.session.commit()
            except services.AttendanceError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                flash(_("The feedback is corrected."), "success")
                return redirect(url_for("attendance.feedback", meeting_id=item.meeting_id) + f"#feedback-{item.id}")
        status = 422
    return render_template("attendance/feedback_edit.html", meeting=item.meeting, item=item, form=form), status


@bp.route("/feedback/<int:feedback_id>/delete", methods=["POST"])
def delete_feedback(feedback_id: int):
    item = _feedback(feedback_id)
    meeting_id = item.meeting_id
    entry = corrections.delete_feedback(item, current_user)
    db.session.commit()
    flash_undo(_("The feedback entry is deleted."), entry)
    return redirect(url_for("attendance.feedback", meeting_id=meeting_id) + "#items")


@bp.route("/meetings/<int:meeting_id>/attendance/delete", methods=["POST"])
def delete_attendance(meeting_id: int):
    meeting = _meeting(meeting_id)
    try:
        entry = corrections.delete_attendance(meeting, current_user)
        db.session.commit()
    except services.AttendanceError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        flash_undo(_("The attendance count is deleted."), entry)
    return redirect(url_for("meetings.detail", meeting_id=meeting.id) + "#attendance")
