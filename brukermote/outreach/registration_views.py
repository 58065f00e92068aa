"""Routes that correct a registration (edit, delete with undo). On ``views.bp``.

Who may see what follows the outreach page: only members bound by secrecy see or change the person a
registration is linked to (and its food need, free text that can identify someone); everyone else
corrects the counts and leaves the link as it is."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..core.undo import flash_undo
from ..extensions import db
from . import corrections, services
from .funnel import AlreadyRegistered, OutreachError
from .models import Channel, Contact, Registration
from .search import find_one
from .views import _already_registered_text, _outreach_forms, bp


def _registration(registration_id: int) -> Registration:
    return db.session.get(Registration, registration_id) or abort(404)


def _back(registration: Registration) -> str:
    return url_for("outreach.meeting_outreach", meeting_id=registration.meeting_id) + "#registrations"


@bp.route("/registrations/<int:registration_id>/edit", methods=["GET", "POST"])
def registration_edit(registration_id: int):
    registration = _registration(registration_id)
    confidential = bool(getattr(current_user, "is_confidential", False))
    _mailing, form = _outreach_forms(request.form if request.method == "POST" else None)
    hide_dietary = bool(registration.contact_id) and not confidential
    if hide_dietary:
        del form.dietary
    if request.method == "GET":
        form.channel.data, form.adults.data, form.children.data = (
            registration.channel.value, registration.adults, registration.children)
        form.interpreter_language.data = registration.interpreter_language
        form.childcare_needed.data, form.came.data = registration.childcare_needed, bool(registration.came)
        if not hide_dietary:
            form.dietary.data = registration.dietary
        if "contact" in form:  # the search field names the linked person by number ("#25")
            form.contact.data = f"#{registration.contact_id}" if registration.contact_id else ""
    status = 200
    if request.method == "POST":
        if form.validate():
            try:
                contact_id = corrections.UNCHANGED
                if "contact" in form:
                    text = (form.contact.data or "").strip()
                    contact_id = find_one(text) if text else None
                corrections.update_registration(registration, corrections.RegistrationData(
                    channel=Channel(form.channel.data), adults=form.adults.data, children=form.children.data,
                    interpreter_language=form.interpreter_language.data or "",
                    childcare_needed=form.childcare_needed.data,
                    dietary=None if hide_dietary else (form.dietary.data or ""),
                    # Unticking "came" means not checked (None), as when the registration was entered.
                    came=True if form.came.data else (False if registration.came is False else None),
                    contact_id=contact_id), current_user)
                db.session.commit()
            except AlreadyRegistered as exc:
                db.session.rollback()
                form.form_errors.append(_already_registered_text(exc.registration_id))
            except OutreachError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                flash(_("The registration is corrected."), "success")
                return redirect(_back(registration))
        status = 422
    # Written after any rollback above, so that a refused correction does not discard them.
    if registration.contact_id and confidential:  # who it is is shown (the picker, the food need)
        services.audit("registration.view", registration.contact_id, current_user, f"meeting {registration.meeting_id}")
    db.session.commit()  # only the audit entries (this one, and the names in the contact picker)
    linked = db.session.get(Contact, registration.contact_id) if registration.contact_id and "contact" in form else None
    return render_template("outreach/registration_edit.html", meeting=_meeting_of(registration),
                           registration=registration, form=form, hide_dietary=hide_dietary, linked=linked), status


def _meeting_of(registration: Registration):
    from ..meetings.models import Meeting

    return db.session.get(Meeting, registration.meeting_id)


@bp.route("/registrations/<int:registration_id>/delete", methods=["POST"])
def registration_delete(registration_id: int):
    """Entered by mistake (a slip typed twice): the registration goes, and the funnel with it; undoable."""
    registration = _registration(registration_id)
    back = _back(registration)
    entry = corrections.delete_registration(registration, current_user)
    db.session.commit()
    flash_undo(_("The registration is deleted."), entry)
    return redirect(back)
