from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import Length, Optional, ValidationError

from ..auth.access import admin_required, public
from ..extensions import db
from .forms import LanguagesField
from .jobs import Job, JobState, expire_personal_results, jobs_dir
from .models import Organisation
from .phone import PhoneError, normalise_phone
from .validation import InputLimits

bp = Blueprint("core", __name__)


class OrganisationForm(InputLimits, FlaskForm):
    name = StringField(_l("Name of the organisation"), validators=[Length(max=200)])
    sender_line = StringField(_l("Sender line (printed as «who sends this»)"), validators=[Optional(), Length(max=300)])
    interpreter_phone = StringField(_l("Phone for ordering an interpreter"), validators=[Optional(), Length(max=32)])
    return_address = TextAreaField(_l("Return address"), validators=[Optional(), Length(max=500)])
    office_printer_colour = BooleanField(_l("The office printer prints in colour"))
    default_interpreter_languages = LanguagesField(_l("Interpreters booked for every meeting"))
    default_target_languages = LanguagesField(_l("Languages of printed material for every meeting"))

    def validate_interpreter_phone(self, field):
        if field.data:
            try:
                field.data = normalise_phone(field.data)
            except PhoneError as exc:
                raise ValidationError(str(exc)) from None


@bp.route("/settings", methods=["GET", "POST"])
@admin_required
def settings():
    org = Organisation.current()
    form = OrganisationForm(obj=org)
    if form.validate_on_submit():
        form.populate_obj(org)
        db.session.commit()
        flash(_("The settings are saved."), "success")
        return redirect(url_for("core.settings"))
    db.session.commit()
    return render_template("core/settings.html", form=form)


@bp.route("/language/<code>", methods=["POST"])
@public
def set_language(code: str):
    if code in ("nb", "en"):
        session["ui_locale"] = code
        if current_user.is_authenticated:
            current_user.locale = code
            db.session.commit()
    target = request.form.get("next") or request.referrer or url_for("meetings.dashboard")
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("meetings.dashboard")
    return redirect(target)


@bp.route("/healthz")
@public
def healthz():
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico on every site by themselves. Without an answer the request
    became a 404 page, which set a session cookie on the otherwise cookie-free public pages."""
    from flask import current_app, send_from_directory

    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 24 * 3600)


# -- background jobs ----------------------------------------------------------------------------


def _job(token: str) -> Job:
    if expire_personal_results():
        db.session.commit()
    job = db.session.scalar(db.select(Job).where(Job.token == token))
    if job is None:
        abort(404)
    if job.personal_data and not current_user.is_confidential:
        abort(403)
    return job


@bp.route("/jobs/<token>")
def job_status(token: str):
    job = _job(token)
    if request.accept_mimetypes.best == "application/json" or request.args.get("format") == "json":
        return jsonify(job.as_dict())
    return render_template("core/job.html", job=job, JobState=JobState)


@bp.route("/jobs/<token>/download")
def job_download(token: str):
    job = _job(token)
    if job.state in (JobState.queued, JobState.running):
        # Not ready yet (a link followed too early, or from history): back to the progress page.
        flash(_("The file is not ready yet."), "info")
        return redirect(url_for("core.job_status", token=job.token))
    if job.state != JobState.finished or not job.result_file:
        abort(404)
    return send_file(jobs_dir() / job.result_file, mimetype=job.result_mimetype,
                     download_name=job.result_name, as_attachment=True)


# -- undo a delete --------------------------------------------------------------------------------


@bp.route("/undo/<int:entry_id>", methods=["POST"])
def undo(entry_id: int):
    from . import undo as undo_service

    try:
        target = undo_service.restore(entry_id, current_user)
        db.session.commit()
    except undo_service.UndoError as exc:
        db.session.rollback()
        undo_service.purge_expired()
        db.session.commit()
        flash(str(exc), "error")
        back = request.referrer or ""
        return redirect(back if back.startswith(request.host_url) else url_for("meetings.dashboard"))
    flash(_("Undone: it is back."), "success")
    return redirect(target)
