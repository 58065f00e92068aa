from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm

from ..auth import capabilities
from ..auth.access import admin_required
from ..core import languages
from ..core.hooks import MeetingPanel, Warning, registry
from ..core.timeutil import utcnow
from ..core.validation import strip_bidi_controls
from ..extensions import db
from ..meetings.models import Meeting
from . import glossary as glossary_service
from . import marks as marks_service
from . import phrase_labels, reviews, services, texts
from .documents import PrintError
from .forms import (
    GlossaryRenderingForm,
    GlossaryTermForm,
    MarkSettingsForm,
    MarkUploadForm,
    MeetingTextForm,
    PhraseReviewForm,
)
from .layout import DOCUMENTS
from .models import BrandMark, GlossaryTerm, MeetingText

bp = Blueprint("printing", __name__)


def _meeting(meeting_id: int) -> Meeting:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _language_or_404(code: str):
    try:
        return languages.get(code)
    except KeyError:
        abort(404)


# -- the print page -----------------------------------------------------------------------------

class ChoiceError(ValueError):
    """A print choice that cannot be understood; the message is for the user."""


def _ids(values, name: str) -> list[int] | None:
    raw = [v.strip() for v in values.getlist(name) if v.strip()]
    if not all(v.isdigit() and len(v) < 12 for v in raw):
        # Never fall back to "everyone": a garbled choice of recipients must print nothing.
        raise ChoiceError(_("The choice of recipients could not be read; choose them again."))
    return [int(v) for v in raw] or None


def _print_request_from(values) -> services.PrintRequest:
    """The choices of the print form (query string or posted form alike)."""
    document = values.get("document", "poster")
    if document not in DOCUMENTS:
        document = "poster"
    spec = DOCUMENTS[document]
    size = values.get("size") if values.get("size") in spec.sizes else spec.default_size
    codes = [c for c in dict.fromkeys(values.getlist("languages")) if c in languages.LANGUAGES] if spec.per_contact else []
    return services.PrintRequest(
        document=document, language=values.get("language", "nb"), size=size,
        with_nb=values.get("with_nb") in ("1", "y", "on"), draft=values.get("draft") == "1",
        label_layout=values.get("label_layout") or None,
        variant="printshop" if spec.print_shop and values.get("variant") == "printshop" else "office",
        sheet="single" if document == "flyer" and values.get("sheet") == "single" else "sheet",
        contact_ids=_ids(values, "contact") if spec.per_contact else None, languages=codes or None,
    )


def _choice_args(req: services.PrintRequest) -> dict:
    """The choices as query arguments of the print page (lists repeat the name)."""
    args = {"document": req.document, "size": req.size, "variant": req.variant, "sheet": req.sheet}
    if DOCUMENTS[req.document].per_contact:
        args.update(languages=req.languages or [], contact=req.contact_ids or [])
    else:
        args.update(language=req.language, with_nb="1" if req.with_nb else "")
    return args


def _recipient_languages(consented) -> list[tuple]:
    """Each language the consented recipients' letters are in: (language, how many, unreviewed letter texts)."""
    counts: dict[str, int] = {}
    for contact in consented:
        code = services.letter_language(contact)
        counts[code] = counts.get(code, 0) + 1
    wanted = DOCUMENTS["letters"].phrase_keys()
    rows = []
    for code in sorted(counts, key=lambda c: (c != "nb", languages.get(c).name_nb)):
        unreviewed = sum(1 for key, p in texts.phrases_for(code).items() if key in wanted and not p.approved)
        rows.append((languages.get(code), counts[code], unreviewed))
    return rows


@bp.route("/meetings/<int:meeting_id>/print")
def print_page(meeting_id: int):
    meeting = _meeting(meeting_id)
    contacts, consented, report, error = [], [], None, None
    try:
        req = _print_request_from(request.args)
    except ChoiceError as exc:
        args = request.args.copy()
        args.poplist("contact")
        req, error = _print_request_from(args), str(exc)
    if req.language not in languages.LANGUAGES:
        req.language = "nb"
    spec = DOCUMENTS[req.document]
    may_print = not spec.personal_data or capabilities.may_print_personal(current_user)
    try:
        if spec.per_contact:
            consented = services.select_contacts(None)
            contacts = services.select_contacts(req.contact_ids, req.languages)
        if may_print and not error:
            # The preflight lays out sample letters with real names: only for those who may print them.
            report = services.check(meeting, req, contacts)
    except PrintError as exc:
        error = str(exc)
    db.session.commit()  # placeholders may have been seeded
    return render_template(
        "printing/print.html", meeting=meeting, req=req, spec=spec, documents=DOCUMENTS, report=report,
        error=error, contacts_count=len(contacts), threshold=services.BACKGROUND_THRESHOLD, may_print=may_print,
        language_codes=list(dict.fromkeys((meeting.target_languages or []) + ["nb"])),
        recipient_languages=_recipient_languages(consented) if spec.per_contact else [],
        # Names only for members allowed to print them.
        consented=consented if may_print else [],
    )


@bp.route("/meetings/<int:meeting_id>/print", methods=["POST"])
def make_pdf(meeting_id: int):
    meeting = _meeting(meeting_id)
    try:
        req = _print_request_from(request.form)
    except ChoiceError as exc:
        flash(str(exc), "error")
        return redirect(url_for("printing.print_page", meeting_id=meeting.id, document=request.form.get("document")))
    spec = DOCUMENTS[req.document]
    back = url_for("printing.print_page", meeting_id=meeting.id, **_choice_args(req))
    if request.form.get("draft") not in ("0", "1"):
        # "Check" (or a changed document choice): show the preflight for exactly these choices.
        return redirect(back)
    # The services check the capability and write the audit entry (CapabilityError is a 403).
    try:
        recipients = len(services.select_contacts(req.contact_ids, req.languages)) if spec.per_contact else 0
        if spec.per_contact and recipients > services.BACKGROUND_THRESHOLD:
            job = services.start_background(meeting, req, user=current_user)
            return redirect(url_for("core.job_status", token=job.token))
        pdf, _report = services.render(meeting, req, actor=current_user)
        db.session.commit()  # the audit entry of a mail merge, the record of a final poster or flyer
    except services.PreflightFailed:
        flash(_("Preflight failed, so no final PDF was made. Fix the errors below or print a draft."), "error")
        return redirect(back)
    except PrintError as exc:
        flash(str(exc), "error")
        return redirect(back)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{req.filename(meeting)}"'})


# -- brand profile: marks --------------------------------------------------------------------------

@bp.route("/printing/marks", methods=["GET"])
@admin_required
def marks():
    rows = marks_service.ensure_marks()
    db.session.commit()
    return render_template("printing/marks.html", marks=rows, upload_form=MarkUploadForm(),
                           forms={m.id: MarkSettingsForm(obj=m, prefix=f"m{m.id}") for m in rows})


@bp.route("/printing/marks/<int:mark_id>/upload", methods=["POST"])
@admin_required
def upload_mark(mark_id: int):
    mark = db.session.get(BrandMark, mark_id) or abort(404)
    form = MarkUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            marks_service.replace_mark(mark, upload.read(), upload.filename, current_user)
            db.session.commit()
            flash(_("«%(name)s» is replaced.", name=mark.name), "success")
        except marks_service.MarkError as exc:
            db.session.rollback()
            flash(_("«%(name)s» was not changed: %(reason)s", name=mark.name, reason=str(exc)), "error")
    else:
        flash(_("Choose a file."), "error")
    return redirect(url_for("printing.marks"))


@bp.route("/printing/marks/<int:mark_id>/settings", methods=["POST"])
@admin_required
def mark_settings(mark_id: int):
    mark = db.session.get(BrandMark, mark_id) or abort(404)
    form = MarkSettingsForm(prefix=f"m{mark.id}")
    if form.validate_on_submit():
        mark.name = form.name.data
        mark.required = form.required.data
        mark.min_width_mm = float(form.min_width_mm.data)
        mark.required_colour = (form.required_colour.data or "").upper()
        db.session.commit()
        flash(_("«%(name)s» is saved.", name=mark.name), "success")
    else:
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "error")
    return redirect(url_for("printing.marks"))


@bp.route("/printing/marks/<int:mark_id>.png")
def mark_image(mark_id: int):
    mark = db.session.get(BrandMark, mark_id)
    if mark is None or not mark.raster:
        abort(404)
    return Response(mark.raster, mimetype="image/png", headers={"Cache-Control": "private, max-age=60"})


# -- translation review ----------------------------------------------------------------------------

@bp.route("/printing/texts")
def texts_overview():
    rows = []
    for lang in languages.all_languages():
        phrases = texts.phrases_for(lang.code)
        approved = sum(1 for p in phrases.values() if p.approved)
        rows.append((lang, approved, len(phrases)))
    return render_template("printing/texts_overview.html", rows=rows)


def _review_document(value: str | None) -> str | None:
    return value if value in DOCUMENTS else None


@bp.route("/printing/texts/<code>", methods=["GET", "POST"])
def review_texts(code: str):
    """The fixed phrases of one language — with ``?document=``, only those that document prints —
    each with a human label and its Norwegian and English source; a reviewer approves several at once."""
    lang = _language_or_404(code)
    document = _review_document(request.values.get("document"))
    entered: dict[str, str] = {}
    if request.method == "POST":
        capabilities.require_reviewer(current_user, code)  # a refusal is a 403, whatever was posted
        form = FlaskForm()  # the CSRF check; the texts are checked by reviews.approve_phrases
        known = texts.phrase_keys()
        ticked = [key for key in dict.fromkeys(request.form.getlist("approve")) if key in known]
        posted = {key: request.form[f"text-{key}"] for key in known if f"text-{key}" in request.form}
        entered = {key: strip_bidi_controls(text) for key, text in posted.items()}  # shown back without them
        if not form.validate_on_submit():
            flash(_("The form has expired; approve again."), "error")
        elif not ticked:
            flash(_("Tick the texts you approve."), "error")
        else:
            try:
                reviews.approve_phrases(code, posted, ticked, current_user)
            except reviews.ReviewError as exc:
                db.session.rollback()
                flash(_("Nothing was approved: %(errors)s", errors=str(exc)), "error")
            else:
                db.session.commit()
                flash(ngettext("%(num)d text approved.", "%(num)d texts approved.", len(ticked)), "success")
                return redirect(url_for("printing.review_texts", code=code, document=document))
    phrases = texts.phrases_for(code)
    if document:
        wanted = DOCUMENTS[document].phrase_keys()
        phrases = {key: p for key, p in phrases.items() if key in wanted}
    norwegian = texts.phrases_for("nb")
    all_terms = glossary_service.terms()
    flags = {key: glossary_service.flag_terms(p.source + " " + norwegian[key].text, all_terms) for key, p in phrases.items()}
    db.session.commit()
    return render_template("printing/review.html", lang=lang, phrases=phrases, norwegian=norwegian, flags=flags,
                           form=PhraseReviewForm(), document=document, documents=DOCUMENTS, entered=entered,
                           label=phrase_labels.label, unreviewed=sum(1 for p in phrases.values() if not p.approved),
                           ticked=set(request.form.getlist("approve")) if request.method == "POST" else set())


@bp.route("/printing/texts/<code>/<key>", methods=["POST"])
def approve_text(code: str, key: str):
    _language_or_404(code)
    phrases = texts.phrases_for(code)
    if key not in phrases:
        abort(404)
    capabilities.require_reviewer(current_user, code)  # before the form: a refusal is a 403 either way
    form = PhraseReviewForm()
    if form.validate_on_submit():
        try:
            reviews.approve_phrase(code, key, form.text.data, current_user)
        except reviews.ReviewError as exc:
            flash(_("The text must keep the placeholders %(p)s exactly.", p=str(exc)), "error")
            return redirect(url_for("printing.review_texts", code=code,
                                    document=_review_document(request.form.get("document"))) + f"#{key}")
        db.session.commit()
        flash(_("Approved."), "success")
    else:
        flash(" ".join([_("Write the approved text.")] + [e for es in form.errors.values() for e in es]),
              "error")
    return redirect(url_for("printing.review_texts", code=code,
                            document=_review_document(request.form.get("document"))) + f"#{key}")


@bp.route("/printing/texts/<code>/<key>/revoke", methods=["POST"])
def revoke_text(code: str, key: str):
    _language_or_404(code)
    if reviews.revoke_phrase(code, key, current_user):
        db.session.commit()
        flash(_("The approval is withdrawn."), "success")
    return redirect(url_for("printing.review_texts", code=code,
                            document=_review_document(request.form.get("document"))) + f"#{key}")


# -- per-meeting translations ----------------------------------------------------------------------

@bp.route("/meetings/<int:meeting_id>/texts", methods=["GET", "POST"])
def meeting_texts(meeting_id: int):
    meeting = _meeting(meeting_id)
    codes = [c for c in meeting.target_languages or [] if c != "nb" and c in languages.LANGUAGES]
    rows = {(t.language, t.field): t for t in db.session.scalars(sa.select(MeetingText).where(MeetingText.meeting_id == meeting.id))}
    forms = {}
    for code in codes:
        topic, description = rows.get((code, "topic")), rows.get((code, "description"))
        form = MeetingTextForm(prefix=code, formdata=request.form if request.form.get("language") == code else None)
        if request.method == "GET" or request.form.get("language") != code:
            form.topic.data = topic.text if topic else ""
            form.description.data = description.text if description else ""
            form.translator.data = (topic or description).translator if (topic or description) else ""
        forms[code] = form
    if request.method == "POST":
        code = request.form.get("language")
        form = forms.get(code) or abort(400)
        if form.validate():
            reviews.save_meeting_texts(meeting, code, {"topic": form.topic.data, "description": form.description.data},
                                       form.translator.data, form.approve.data, current_user)
            db.session.commit()
            flash(_("The %(lang)s text is saved.", lang=languages.get(code).name_nb), "success")
            return redirect(url_for("printing.meeting_texts", meeting_id=meeting.id) + f"#lang-{code}")
    status = {code: {f: texts.meeting_text(meeting, code, f)[1] for f in ("topic", "description")} for code in codes}
    # Who approved what and when, beside each language.
    approvals = {code: [rows[(code, f)] for f in ("topic", "description")
                        if (code, f) in rows and rows[(code, f)].reviewed_at and status[code][f]] for code in codes}
    all_terms = glossary_service.terms()
    flags = glossary_service.flag_terms(f"{meeting.topic} {meeting.description}", all_terms)
    db.session.commit()
    return render_template("printing/meeting_texts.html", meeting=meeting, codes=codes, forms=forms, status=status,
                           flags=flags, approvals=approvals)


# -- glossary -----------------------------------------------------------------------------------

@bp.route("/printing/glossary", methods=["GET", "POST"])
def glossary():
    form = GlossaryTermForm()
    if form.validate_on_submit():
        db.session.add(GlossaryTerm(term=form.term.data, source_terms=form.source_terms.data or "", note=form.note.data or ""))
        db.session.commit()
        flash(_("The term is added."), "success")
        return redirect(url_for("printing.glossary"))
    rendering_form = GlossaryRenderingForm()
    rendering_form.language.choices = [(lang.code, f"{lang.name_nb} – {lang.native_name}") for lang in languages.all_languages()]
    rows = glossary_service.terms()
    db.session.commit()
    return render_template("printing/glossary.html", terms=rows, form=form, rendering_form=rendering_form)


@bp.route("/printing/glossary/<int:term_id>/renderings", methods=["POST"])
def add_rendering(term_id: int):
    term = db.session.get(GlossaryTerm, term_id) or abort(404)
    form = GlossaryRenderingForm()
    form.language.choices = [(lang.code, lang.code) for lang in languages.all_languages()]
    if form.validate_on_submit():
        # A suggestion from someone who does not review the language is kept, unapproved.
        approved = form.approved.data and capabilities.may_review(current_user, form.language.data)
        glossary_service.save_rendering(term, form.language.data, form.rendering.data, form.note.data or "",
                                        approved, current_user)
        db.session.commit()
        if form.approved.data and not approved:
            flash(_("The rendering is saved as a suggestion: only a reviewer of the language may approve it."),
                  "warning")
        else:
            flash(_("The rendering is saved."), "success")
    else:
        flash(" ".join([_("Write the approved rendering.")] + [e for es in form.errors.values() for e in es]), "error")
    return redirect(url_for("printing.glossary") + f"#term-{term.id}")


# -- the meeting page's panel and warnings -----------------------------------------------------------

def _panel_context(meeting: Meeting) -> dict:
    codes = list(dict.fromkeys((meeting.target_languages or []) + ["nb"]))
    readiness = []
    for code in codes:
        phrases = texts.phrases_for(code)
        unreviewed = sum(1 for key, p in phrases.items() if key.startswith("doc.") and not p.approved)
        topic_ok = texts.meeting_text(meeting, code, "topic")[1]
        readiness.append((languages.get(code), unreviewed, topic_ok))
    return {"print_readiness": readiness, "print_documents": DOCUMENTS}


def _warnings(meeting: Meeting) -> list[Warning]:
    if meeting.ends_at < utcnow():
        return []
    found = _outdated_warnings(meeting)
    if meeting.is_cancelled:
        return found
    missing = [languages.get(c).name_nb for c in meeting.target_languages or []
               if c in languages.LANGUAGES and not texts.meeting_text(meeting, c, "topic")[1]]
    if missing:
        found.append(Warning("warning", _("The topic is not translated and approved in: %(langs)s.",
                                          langs=", ".join(missing)),
                             url_for("printing.meeting_texts", meeting_id=meeting.id)))
    return found


def _outdated_warnings(meeting: Meeting) -> list[Warning]:
    """Posters and flyers printed before the meeting moved or was cancelled (``meetings.impact``):
    reprint and re-hang them, or take them down; until a newer final print of each exists."""
    from ..meetings.impact import outdated

    stale = outdated(meeting)
    if stale is None:
        return []
    names = {"poster": _("poster"), "flyer": _("flyer")}
    prints = ", ".join(f"{names.get(doc, doc)} ({languages.get(code).name_nb if code in languages.LANGUAGES else code})"
                       for doc, code in stale.prints)
    places = ", ".join(stale.places)
    if meeting.is_cancelled:
        if not places:
            return []
        return [Warning("warning", _("The meeting is cancelled but its posters still hang at: %(places)s. Take them "
                                     "down or mark them as cancelled.", places=places),
                        url_for("outreach.meeting_outreach", meeting_id=meeting.id))]
    message = _("Printed before the meeting moved, so they show the old time: %(prints)s. Print them again.",
                prints=prints)
    if places:
        message += " " + _("Replace the posters at: %(places)s.", places=places)
    return [Warning("warning", message, url_for("printing.print_page", meeting_id=meeting.id))]


def setup(app) -> None:
    registry.add_panel(MeetingPanel("printing", "printing/_panel.html", _panel_context, order=50, label=_l("Print")))
    registry.add_warning_provider(_warnings)
    registry.add_nav(_l("Printed material"), "printing.texts_overview")
