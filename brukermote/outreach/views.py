from __future__ import annotations

import datetime as dt
import json

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..auth.access import confidential_required
from ..core import languages
from ..core.hooks import registry, subscribe
from ..core.timeutil import local_zone, to_utc, utcnow
from ..extensions import db
from . import services
from .forms import ConsentForm, ContactForm, ImportMappingForm, ImportUploadForm
from .models import Consent, ConsentMethod, ConsentPurpose, Contact

bp = Blueprint("outreach", __name__)


def setup(app) -> None:
    registry.add_nav(_l("Contacts"), "outreach.contacts")
    registry.add_nav(_l("Poster places"), "outreach.poster_locations")
    _setup_outreach_panel()


def _contact(contact_id: int) -> Contact:
    contact = db.session.get(Contact, contact_id)
    if contact is None:
        abort(404)
    return contact


def _language_name(code: str) -> str:
    lang = languages.LANGUAGES.get(code)
    return f"{lang.name_nb} – {lang.native_name}" if lang else code


# -- overview: counts for everyone, names only for confidential members --------------------------

@bp.route("/contacts")
def contacts():
    from ..core.paging import page_number
    from .models import REGISTRATION_CHANNELS
    from .search import ContactFilter, search

    page, filters = None, ContactFilter.from_args(request.args)
    if current_user.is_confidential:
        page = search(filters, page_number())
    html = render_template("outreach/contacts.html", overview=services.overview(), page=page, filters=filters,
                           channels=REGISTRATION_CHANNELS, language_name=_language_name,
                           ConsentPurpose=ConsentPurpose)
    if page is not None:
        # Audited after rendering: committing first would expire every contact on the page and make
        # the template load each one (and its consents) again, one query per row.
        services.audit("contact.list", None, current_user,
                       detail=f"{len(page.rows)} of {page.total} contacts" + (" (search)" if filters.active else ""))
        db.session.commit()
    return html


def _data(form: ContactForm) -> services.ContactData:
    return services.ContactData(name=form.name.data or "", street=form.street.data or "",
                                postcode=form.postcode.data or "", city=form.city.data or "",
                                phone=form.phone_e164, language=form.language.data)


@bp.route("/contacts/new", methods=["GET", "POST"])
@confidential_required
def create():
    form = ContactForm()
    if request.method == "GET":
        form.language.data = "nb"
    if form.validate_on_submit():
        try:
            contact = services.create_contact(_data(form))
            services.audit("contact.create", contact.id, current_user)
            db.session.commit()
        except services.ContactError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("The contact is saved. Record the consent they gave."), "success")
            return redirect(url_for("outreach.detail", contact_id=contact.id))
    return render_template("outreach/edit.html", form=form, contact=None)


@bp.route("/contacts/<int:contact_id>")
@confidential_required
def detail(contact_id: int):
    contact = _contact(contact_id)
    services.audit("contact.view", contact.id, current_user)
    db.session.commit()
    return render_template("outreach/detail.html", contact=contact, consent_form=ConsentForm(),
                           language_name=_language_name, same_person=services.possibly_same_person(contact))


@bp.route("/contacts/<int:contact_id>/edit", methods=["GET", "POST"])
@confidential_required
def edit(contact_id: int):
    contact = _contact(contact_id)
    if request.method == "GET":
        from ..core.phone import display_phone

        form = ContactForm(obj=contact)
        form.phone.data = display_phone(contact.phone)
        services.audit("contact.view", contact.id, current_user)
        db.session.commit()
    else:
        form = ContactForm()
    if form.validate_on_submit():
        try:
            services.update_contact(contact, _data(form))
            services.audit("contact.edit", contact.id, current_user)
            db.session.commit()
        except services.ContactError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            flash(_("The contact is saved."), "success")
            return redirect(url_for("outreach.detail", contact_id=contact.id))
    return render_template("outreach/edit.html", form=form, contact=contact)


@bp.route("/contacts/<int:contact_id>/consents", methods=["POST"])
@confidential_required
def add_consent(contact_id: int):
    contact = _contact(contact_id)
    form = ConsentForm()
    if form.validate_on_submit():
        given_at = None
        if form.given_on.data and form.given_on.data != utcnow().astimezone(local_zone()).date():
            given_at = to_utc(form.given_on.data, dt.time(12, 0))
        try:
            services.give_consent(contact, ConsentPurpose(form.purpose.data), ConsentMethod(form.method.data),
                                  form.wording_version.data, given_at)
            services.audit("contact.consent", contact.id, current_user, detail=form.purpose.data)
            db.session.commit()
            flash(_("The consent is recorded."), "success")
        except services.ContactError as exc:
            db.session.rollback()
            flash(str(exc), "error")
    else:
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
    return redirect(url_for("outreach.detail", contact_id=contact.id))


@bp.route("/consents/<int:consent_id>/withdraw", methods=["POST"])
@confidential_required
def withdraw_consent(consent_id: int):
    consent = db.session.get(Consent, consent_id)
    if consent is None:
        abort(404)
    services.withdraw_consent(consent)
    services.audit("contact.withdraw", consent.contact_id, current_user, detail=consent.purpose.value)
    db.session.commit()
    flash(_("The consent is withdrawn. The record of it is kept."), "success")
    return redirect(url_for("outreach.detail", contact_id=consent.contact_id))


@bp.route("/contacts/<int:contact_id>/opt-out", methods=["POST"])
@confidential_required
def opt_out(contact_id: int):
    contact = _contact(contact_id)
    if not contact.phone:
        flash(_("This contact has no phone number."), "error")
    else:
        services.opt_out_phone(contact.phone)
        services.audit("contact.opt_out", contact.id, current_user)
        db.session.commit()
        flash(_("No SMS will be sent to this number."), "success")
    return redirect(url_for("outreach.detail", contact_id=contact.id))


@bp.route("/contacts/<int:contact_id>/export")
@confidential_required
def export(contact_id: int):
    contact = _contact(contact_id)
    payload = services.export_contact(contact)
    services.audit("contact.export", contact.id, current_user)
    db.session.commit()
    return Response(
        json.dumps(payload, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="contact-{contact.id}.json"',
                 "Cache-Control": "no-store"},
    )


@bp.route("/contacts/<int:contact_id>/erase", methods=["POST"])
@confidential_required
def erase(contact_id: int):
    contact = _contact(contact_id)
    candidates = {c.id: c for c in services.possibly_same_person(contact)}
    also = [candidates[int(i)] for i in request.form.getlist("also") if i.isdigit() and int(i) in candidates]
    for person in [contact, *also]:
        services.erase_contact(person, current_user)
    db.session.commit()
    if also:
        flash(_("%(count)s records of the person and everything recorded about them are erased.", count=1 + len(also)),
              "success")
    else:
        flash(_("The contact and everything recorded about them is erased."), "success")
    return redirect(url_for("outreach.contacts"))


@bp.route("/contacts/audit")
@confidential_required
def audit_log():
    """Who looked at, exported, printed or erased personal data, newest first."""
    from ..core.models import AuditEntry

    entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                 .limit(AUDIT_PAGE_SIZE)).all()
    return render_template("outreach/audit.html", entries=entries, limit=AUDIT_PAGE_SIZE)


AUDIT_PAGE_SIZE = 500


# -- import -------------------------------------------------------------------------------------

@bp.route("/contacts/import", methods=["GET", "POST"])
@confidential_required
def import_upload():
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            headers, rows = services.read_table(upload.read(), upload.filename or "")
        except services.ImportFileError as exc:
            form.file.errors.append(str(exc))
        else:
            pending = services.save_pending(headers, rows, upload.filename or "", current_user)
            db.session.commit()
            return redirect(url_for("outreach.import_preview", token=pending.token))
    return render_template("outreach/import_upload.html", form=form)


@bp.route("/contacts/import/<token>", methods=["GET", "POST"])
@confidential_required
def import_preview(token: str):
    pending = services.load_pending(token, current_user)
    if pending is None:
        flash(_("This upload has expired. Upload the file again."), "error")
        return redirect(url_for("outreach.import_upload"))
    headers = pending.payload["headers"]
    rows = pending.payload["rows"]
    form = ImportMappingForm() if request.method == "POST" else ImportMappingForm(formdata=None)
    form.set_headers(headers)
    if request.method == "GET":
        for key, index in services.guess_mapping(headers).items():
            getattr(form, key).data = index
        form.default_language.data = "nb"
    valid = form.validate() if request.method == "POST" else True
    preview = services.preview_import(rows, form.mapping(), form.default_language.data or "nb")
    if request.method == "POST" and request.form.get("action") == "commit":
        if not valid:
            pass
        elif not preview.ok:
            form.form_errors.append(_("Nothing was imported: %(n)d rows have errors. Correct the file and upload it again.",
                                      n=preview.error_count) if preview.error_count else preview.mapping_errors[0])
        else:
            try:
                created = services.commit_import(preview, [ConsentPurpose(p) for p in form.purposes.data],
                                                 form.wording_version.data, current_user)
                services.discard_pending(pending)
                db.session.commit()
            except services.ContactError as exc:
                db.session.rollback()
                form.form_errors.append(str(exc))
            else:
                flash(_("%(n)d contacts imported; %(skipped)d already known were skipped.",
                        n=len(created), skipped=len(preview.skipped_rows)), "success")
                return redirect(url_for("outreach.contacts"))
    status = 422 if request.method == "POST" and form.form_errors else 200
    return render_template("outreach/import_preview.html", form=form, preview=preview, pending=pending,
                           headers=headers, language_name=_language_name), status


@bp.route("/contacts/import/<token>/cancel", methods=["POST"])
@confidential_required
def import_cancel(token: str):
    pending = services.load_pending(token, current_user)
    if pending is not None:
        services.discard_pending(pending)
        db.session.commit()
    flash(_("The upload is discarded."), "success")
    return redirect(url_for("outreach.contacts"))


# -- a meeting's outreach: mailings, registrations, the funnel ----------------------------------

def _meeting(meeting_id: int):
    from ..meetings.models import Meeting

    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _outreach_forms(formdata=None):
    from .forms import MailingForm, RegistrationForm
    from .models import MAILING_CHANNELS, REGISTRATION_CHANNELS

    mailing = MailingForm(formdata=formdata, prefix="m")
    mailing.channel.choices = [(c.value, c.title) for c in MAILING_CHANNELS]
    registration = RegistrationForm(formdata=formdata, prefix="r")
    registration.channel.choices = [(c.value, c.title) for c in REGISTRATION_CHANNELS]
    registration.interpreter_language.choices = [("", _("– none –"))] + [
        (lang.code, f"{lang.name_nb} – {lang.native_name}") for lang in languages.all_languages() if lang.code != "nb"]
    if not getattr(current_user, "is_confidential", False):
        del registration.contact
    return mailing, registration


def _poster_form(meeting, formdata=None):
    from . import posters
    from .forms import PosterHangingForm

    form = PosterHangingForm(formdata=formdata, prefix="p")
    form.location.choices = [(loc.id, f"{loc.priority}. {loc.name}") for loc in posters.locations(active_only=True)]
    if formdata is None:
        form.languages.data = list(meeting.target_languages or [])
    return form


@bp.route("/meetings/<int:meeting_id>/outreach", methods=["GET", "POST"])
def meeting_outreach(meeting_id: int):
    from . import funnel as funnel_service
    from . import posters
    from .models import Channel, Mailing, PosterLocation, Registration

    meeting = _meeting(meeting_id)
    which = request.form.get("form")
    mailing_form, registration_form = _outreach_forms(request.form if request.method == "POST" else None)
    poster_form = _poster_form(meeting, request.form if request.method == "POST" else None)
    if request.method == "GET":
        mailing_form.languages.data = list(meeting.target_languages or [])
    status = 200
    if which == "mailing" and mailing_form.validate_on_submit():
        try:
            funnel_service.add_mailing(
                meeting, channel=Channel(mailing_form.channel.data), count=mailing_form.count.data,
                sent_on=mailing_form.sent_on.data, stop_on=mailing_form.stop_on.data, cost=mailing_form.cost.data,
                done_by=mailing_form.done_by.data or "", languages=mailing_form.languages.data or [])
            db.session.commit()
            flash(_("The mailing is recorded."), "success")
            return redirect(url_for("outreach.meeting_outreach", meeting_id=meeting.id) + "#mailings")
        except funnel_service.OutreachError as exc:
            db.session.rollback()
            mailing_form.form_errors.append(str(exc))
    elif which == "registration" and registration_form.validate_on_submit():
        from .search import find_one

        contact_id = None
        try:
            if "contact" in registration_form and (registration_form.contact.data or "").strip():
                contact_id = find_one(registration_form.contact.data)
            funnel_service.add_registration(
                meeting, channel=Channel(registration_form.channel.data), adults=registration_form.adults.data,
                children=registration_form.children.data,
                interpreter_language=registration_form.interpreter_language.data or "",
                childcare_needed=registration_form.childcare_needed.data, dietary=registration_form.dietary.data or "",
                came=True if registration_form.came.data else None,
                contact_id=contact_id)
            if contact_id:
                services.audit("registration.link", contact_id, current_user,
                               f"meeting {meeting.id}")
            db.session.commit()
            flash(_("The registration is recorded. Enter the next one."), "success")
            return redirect(url_for("outreach.meeting_outreach", meeting_id=meeting.id, channel=registration_form.channel.data)
                            + "#registration-form")
        except funnel_service.AlreadyRegistered as exc:
            db.session.rollback()
            registration_form.form_errors.append(_already_registered_text(exc.registration_id))
        except funnel_service.OutreachError as exc:
            db.session.rollback()
            registration_form.form_errors.append(str(exc))
    elif which == "poster" and poster_form.validate_on_submit():
        try:
            posters.hang(meeting, db.session.get(PosterLocation, poster_form.location.data), count=poster_form.count.data,
                         languages=poster_form.languages.data or [], hung_on=poster_form.hung_on.data,
                         hung_by=poster_form.hung_by.data or "")
            db.session.commit()
            flash(_("The posters are recorded."), "success")
            return redirect(url_for("outreach.meeting_outreach", meeting_id=meeting.id) + "#posters")
        except posters.PosterError as exc:
            db.session.rollback()
            poster_form.form_errors.append(str(exc))
    if request.method == "POST":
        status = 422
    if request.method == "GET" and request.args.get("channel"):
        registration_form.channel.data = request.args["channel"]
    registrations = funnel_service.registrations(meeting)
    names = {}
    if getattr(current_user, "is_confidential", False):
        # The registered people's names, for those allowed to see them, in one query.
        ids = {r.contact_id for r in registrations if r.contact_id}
        if ids:
            names = dict(db.session.execute(sa.select(Contact.id, Contact.name).where(Contact.id.in_(ids))).all())
    html = render_template(
        "outreach/meeting.html", meeting=meeting, mailing_form=mailing_form, registration_form=registration_form,
        poster_form=poster_form, hangings=posters.hangings(meeting), today=utcnow().astimezone(local_zone()).date(),
        mailings=funnel_service.mailings(meeting), registrations=registrations, names=names,
        funnel=funnel_service.funnel([meeting.id]), Registration=Registration, Mailing=Mailing,
        warnings=funnel_service.warnings(meeting),
    )
    if names and request.method == "GET":
        # Rendered first: the commit would otherwise expire what the template is about to show.
        services.audit("contact.list", None, current_user,
                       detail=f"{len(names)} names (registrations for meeting {meeting.id})")
        db.session.commit()
    return html, status


def _already_registered_text(registration_id: int) -> str:
    """A slip typed in twice: say which registration it is, so the committee corrects that one."""
    from .models import Registration

    earlier = db.session.get(Registration, registration_id)
    return _("Not saved: this person is already registered for this meeting (%(channel)s, %(adults)d adults, "
             "%(children)d children, entered %(date)s). If that one is wrong, delete it in the list and enter this one again.",
             channel=earlier.channel.title, adults=earlier.adults, children=earlier.children,
             date=earlier.created_at.astimezone(local_zone()).strftime("%d.%m.%Y %H:%M"))


@bp.route("/registrations/<int:registration_id>/came", methods=["POST"])
def registration_came(registration_id: int):
    from .models import Registration

    registration = db.session.get(Registration, registration_id) or abort(404)
    registration.came = request.form.get("came") == "1"
    db.session.commit()
    return redirect(url_for("outreach.meeting_outreach", meeting_id=registration.meeting_id) + "#registrations")


def _delete_from_meeting(row, message: str, anchor: str):
    """Delete a row entered by mistake and go back to where it was listed on the meeting's outreach page."""
    meeting_id = row.meeting_id
    db.session.delete(row)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("outreach.meeting_outreach", meeting_id=meeting_id) + anchor)


@bp.route("/mailings/<int:mailing_id>/delete", methods=["POST"])
def mailing_delete(mailing_id: int):
    """A mailing recorded wrongly (3130 letters for 313) is deleted and entered again."""
    from .models import Mailing

    mailing = db.session.get(Mailing, mailing_id) or abort(404)
    return _delete_from_meeting(mailing, _("The mailing is deleted. Record it again with the right figures."),
                                "#mailings")


@bp.route("/poster-hangings/<int:hanging_id>/delete", methods=["POST"])
def poster_hanging_delete(hanging_id: int):
    from .models import PosterHanging

    hanging = db.session.get(PosterHanging, hanging_id) or abort(404)
    return _delete_from_meeting(hanging, _("The poster entry is deleted."), "#posters")


@bp.route("/poster-hangings/<int:hanging_id>/down", methods=["POST"])
def poster_taken_down(hanging_id: int):
    from . import posters
    from .models import PosterHanging

    hanging = db.session.get(PosterHanging, hanging_id) or abort(404)
    try:
        posters.take_down(hanging)
        db.session.commit()
        flash(_("Marked as taken down at %(place)s.", place=hanging.location.name), "success")
    except posters.PosterError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    return redirect(url_for("outreach.meeting_outreach", meeting_id=hanging.meeting_id) + "#posters")


@bp.route("/outreach/funnel")
def funnel_overview():
    """The funnel across meetings in a period: totals by channel and each meeting's line beside it."""
    from ..core.forms import parse_iso_date
    from . import funnel as funnel_service

    start, end = parse_iso_date(request.args.get("from")), parse_iso_date(request.args.get("to"))
    meetings = funnel_service.meetings_between(start, end)
    return render_template(
        "outreach/funnel_overview.html", start=start, end=end, per_meeting=funnel_service.funnel_by_meeting(meetings),
        funnel=funnel_service.funnel([m.id for m in meetings]),
        bad_dates=[v for v in (request.args.get("from"), request.args.get("to")) if v and parse_iso_date(v) is None],
    )


# -- poster locations: a reusable list with priority ---------------------------------------------

def _save_location_form(form, location, done_message: str) -> bool:
    """Save a valid poster-place form (new when ``location`` is None); errors go on the form."""
    from . import posters

    if not form.validate_on_submit():
        return False
    try:
        posters.save_location(location, name=form.name.data, address=form.address.data or "",
                              contact=form.contact.data or "", priority=form.priority.data,
                              active=form.active.data, notes=form.notes.data or "")
    except posters.PosterError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return False
    db.session.commit()
    flash(done_message, "success")
    return True


@bp.route("/poster-locations", methods=["GET", "POST"])
def poster_locations():
    from . import posters
    from .forms import PosterLocationForm

    form = PosterLocationForm()
    if _save_location_form(form, None, _("The place is added.")):
        return redirect(url_for("outreach.poster_locations"))
    return render_template("outreach/poster_locations.html", form=form, locations=posters.locations(),
                           usage=posters.usage()), 422 if request.method == "POST" else 200


@bp.route("/poster-locations/<int:location_id>/edit", methods=["GET", "POST"])
def poster_location_edit(location_id: int):
    from .forms import PosterLocationForm
    from .models import PosterLocation

    location = db.session.get(PosterLocation, location_id) or abort(404)
    form = PosterLocationForm(obj=location)
    if _save_location_form(form, location, _("The place is saved.")):
        return redirect(url_for("outreach.poster_locations"))
    return render_template("outreach/poster_location_edit.html", form=form, location=location), \
        422 if request.method == "POST" else 200


def _funnel_panel(meeting) -> dict:
    from . import funnel as funnel_service

    return {"funnel": funnel_service.funnel([meeting.id])}


def _setup_outreach_panel() -> None:
    from ..core.hooks import MeetingPanel
    from . import funnel as funnel_service

    registry.add_panel(MeetingPanel("outreach", "outreach/_panel.html", _funnel_panel, order=40, label=_l("Outreach")))
    registry.add_warning_provider(funnel_service.warnings)
    from . import posters

    registry.add_warning_provider(posters.warnings)
    subscribe(services.erasure_listeners, funnel_service.forget_contact)
    from . import corrections

    subscribe(services.erasure_listeners, corrections.forget_contact)


# Corrections of registrations (edit, delete, undo) register on this blueprint.
from . import registration_views  # noqa: E402,F401
