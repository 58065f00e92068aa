"""Making printed documents: preflight first, then a final PDF or a draft — never a partial one."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections import OrderedDict
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.orm import selectinload

from ..auth.capabilities import CapabilityError, require_personal_printer
from ..core import languages
from ..core.jobs import Job, create_job, fail_job, finish_job, report_progress, run_isolated
from ..core.models import Organisation
from ..extensions import db
from ..meetings.models import Meeting
from ..outreach.models import ConsentPurpose, Contact
from ..tasks import app_task
from . import doc_letters, documents, inkcheck, marks, preflight
from .documents import LabelLayout, PrintContext, PrintError
from .layout import DOCUMENTS

#: Mail merges larger than this run in the background with a progress page.
BACKGROUND_THRESHOLD = 25


class PreflightFailed(PrintError):
    def __init__(self, report: preflight.Report):
        self.report = report
        super().__init__(preflight.as_text(report))


@dataclass
class PrintRequest:
    document: str
    language: str = "nb"
    size: str | None = None
    with_nb: bool = False
    draft: bool = False
    contact_ids: list[int] | None = None
    #: letters, envelopes, labels: only recipients who read these languages (None = every language).
    #: Lets the committee print the Norwegian letters while other languages are still in review.
    languages: list[str] | None = None
    label_layout: str | None = None
    pages: int = 1
    #: posters and flyers: "office" (any printer, white margins) or "printshop" (bleed, crop marks, K)
    variant: str = "office"
    #: flyers on the office printer: "sheet" (2 or 4 to an A4 sheet) or "single" (one per A5/A6 page)
    sheet: str = "sheet"

    def filename(self, meeting: Meeting) -> str:
        parts = [self.document, str(meeting.local_date), self.language if not DOCUMENTS[self.document].per_contact else ""]
        if self.size:
            parts.append(self.size)
        if self.variant == "printshop" and DOCUMENTS[self.document].print_shop:
            parts.append("trykkeri")
        elif self.sheet == "single" and self.document == "flyer":
            parts.append("enkeltark")
        if self.draft:
            parts.append("UTKAST")
        return "-".join(p for p in parts if p) + ".pdf"


def context(meeting: Meeting, draft: bool) -> PrintContext:
    return PrintContext(meeting=meeting, org=Organisation.current(), marks=marks.ensure_marks(), draft=draft,
                        url=preflight.public_url(meeting))


def letter_language(contact: Contact) -> str:
    """The language a contact's letter is printed in (an unknown code prints in Norwegian)."""
    return contact.language if contact.language in languages.LANGUAGES else "nb"


def select_contacts(contact_ids: list[int] | None, language_codes: list[str] | None = None) -> list[Contact]:
    """The chosen contacts, or everyone who consented to news by post (in a stable order); with
    ``language_codes``, only those whose letter is in one of these languages."""
    query = sa.select(Contact).order_by(Contact.name, Contact.id)
    if contact_ids:
        rows = list(db.session.scalars(query.where(Contact.id.in_(contact_ids))))
        missing = set(contact_ids) - {c.id for c in rows}
        if missing:
            raise PrintError(ngettext("Unknown contact: %(ids)s.", "Unknown contacts: %(ids)s.", len(missing),
                                      ids=", ".join(str(i) for i in sorted(missing))))
    else:
        # Chosen in SQL (one query, whatever the register's size; the consents come along for whoever reads them).
        from ..outreach.models import Consent
        from ..outreach.services import _consent_in_force

        consented = sa.select(Consent.id).where(Consent.contact_id == Contact.id,
                                                Consent.purpose == ConsentPurpose.news_post, _consent_in_force()).exists()
        rows = list(db.session.scalars(query.where(consented).options(selectinload(Contact.consents))))
    if language_codes:
        rows = [c for c in rows if letter_language(c) in language_codes]
    return rows


def _contacts_for(request: PrintRequest) -> list[Contact]:
    contacts = select_contacts(request.contact_ids, request.languages)
    if not contacts:
        raise PrintError(_("No recipients match the choice: choose other languages or recipients."))
    return contacts


def check(meeting: Meeting, request: PrintRequest, contacts: list[Contact] | None = None,
          pages: bool = True) -> preflight.Report:
    """Preflight: the meeting's data, and (``pages``) the pages as they would print."""
    spec = DOCUMENTS[request.document]
    if spec.per_contact:
        # Only the languages of the letters being printed: the Norwegian letters print finally while
        # the other languages are still in review. The return slip and envelopes are Norwegian too.
        codes = sorted({letter_language(c) for c in contacts or []} | {"nb"})
    else:
        codes = [request.language] + (["nb"] if request.with_nb and request.language != "nb" else [])
    report = preflight.run(meeting, request.document, codes, request.size)
    if pages and request.language in languages.LANGUAGES:
        check_pages(meeting, request, contacts, report)
    return report


def validate(request: PrintRequest) -> None:
    if request.document not in DOCUMENTS:
        raise PrintError(_("Unknown document «%(doc)s».", doc=request.document))
    spec = DOCUMENTS[request.document]
    if request.size and request.size not in spec.sizes:
        raise PrintError(_("%(doc)s comes in %(sizes)s, not %(size)s.", doc=spec.title,
                           sizes=", ".join(spec.sizes), size=request.size))
    if request.language not in languages.LANGUAGES:
        raise PrintError(_("Unknown language «%(code)s».", code=request.language))
    if request.variant not in ("office", "printshop") or (request.variant == "printshop" and not spec.print_shop):
        raise PrintError(_("%(doc)s has no print-shop variant.", doc=spec.title))
    if request.sheet not in ("sheet", "single"):
        raise PrintError(_("Unknown sheet layout «%(sheet)s».", sheet=request.sheet))
    unknown = [code for code in request.languages or [] if code not in languages.LANGUAGES]
    if unknown:
        raise PrintError(_("Unknown language «%(code)s».", code=", ".join(unknown)))


def render(meeting: Meeting, request: PrintRequest, *, actor=None, progress=None) -> tuple[bytes, preflight.Report]:
    """Run preflight; make the PDF; for a final print, check the drawn pages too (what fits, where
    the ink is, whether the QR code reads back). A final print that fails raises ``PreflightFailed``.

    Letters, envelopes and labels carry names and addresses: ``actor`` (the signed-in user, the job's
    user, or ``capabilities.cli_actor()``) must be allowed to print them (``CapabilityError``), and
    the audit log gets an entry for every mail merge made, draft or final, whoever asked."""
    validate(request)
    spec = DOCUMENTS[request.document]
    if spec.personal_data:
        require_personal_printer(actor)
    contacts = _contacts_for(request) if spec.per_contact else None
    report = check(meeting, request, contacts, pages=False)
    if not request.draft and not report.ok:
        raise PreflightFailed(report)
    if meeting.venue is None and spec.needs_venue:
        raise PrintError(_("The meeting has no venue; choose one before printing."))
    ctx = context(meeting, draft=request.draft)
    with (quiet_collector() if spec.per_contact else contextlib.nullcontext()):
        pdf = _make(ctx, request, contacts, progress)
        if not request.draft:
            if spec.per_contact:
                check_pages(meeting, request, contacts, report, made=ctx)
            else:
                _page_findings(report, request.document, ctx, pdf)
    if not request.draft and not report.ok:
        raise PreflightFailed(report)
    if spec.personal_data:
        audit_print(meeting, request, actor, len(contacts or []))
    if not request.draft and request.document in RECORDED:
        record_print(meeting, request, actor)
    return pdf, report


#: Documents that go up on walls or out by hand and show the meeting's time: a move makes them outdated.
RECORDED = ("poster", "flyer")


#: Allocations between young-generation collections while a mail merge runs (Python's default: 700).
MERGE_GC_THRESHOLD = 50_000
_collector_lock = threading.Lock()
_collector_users = 0
_collector_saved: tuple[int, int, int] | None = None


@contextlib.contextmanager
def quiet_collector():
    """A mail merge builds hundreds of thousands of small objects that all live until the file is
    written; with Python's default thresholds the cyclic collector walks them (and the app's fonts,
    phrases and caches) again and again, about a tenth of the merge's time. Meanwhile the objects
    that existed before are frozen (left out of collections) and young collections come less often;
    the settings come back when the last merge running in this process ends."""
    global _collector_users, _collector_saved
    with _collector_lock:
        if _collector_users == 0:
            _collector_saved = gc.get_threshold()
            gc.freeze()
            gc.set_threshold(MERGE_GC_THRESHOLD, *_collector_saved[1:])
        _collector_users += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_users -= 1
            if _collector_users == 0:
                gc.set_threshold(*_collector_saved)
                gc.unfreeze()


def record_print(meeting: Meeting, request: PrintRequest, actor) -> None:
    """Remember a final poster or flyer (the caller commits), so that moving or cancelling the meeting
    can say what must be reprinted and re-hung."""
    from ..auth.capabilities import actor_label
    from .models import PrintRecord

    db.session.add(PrintRecord(meeting_id=meeting.id, document=request.document, language=request.language,
                               size=request.size or DOCUMENTS[request.document].default_size,
                               variant=request.variant, printed_by=actor_label(actor) if actor else ""))
    db.session.flush()


def audit_print(meeting: Meeting, request: PrintRequest, actor, count: int) -> None:
    """Names and addresses left the system on paper: who, which document, for whom (ids only)."""
    from ..outreach.services import audit

    who = "chosen" if request.contact_ids else "consented"
    if request.languages:
        who += " in " + ",".join(sorted(request.languages))
    audit(f"print.{request.document}", None, actor,
          detail=f"meeting:{meeting.id}: {count} contacts ({who}){' draft' if request.draft else ''}")


def _make(ctx: PrintContext, request: PrintRequest, contacts, progress=None) -> bytes:
    size = request.size or DOCUMENTS[request.document].default_size
    if request.document == "letters":
        return documents.letters(ctx, contacts, progress=progress)
    if request.document == "envelopes":
        return documents.envelopes(ctx, contacts, size=size)
    if request.document == "labels":
        layout = LabelLayout.parse(request.label_layout) if request.label_layout else LabelLayout()
        return documents.labels(ctx, contacts, layout=layout)
    if request.document == "poster":
        return documents.poster(ctx, request.language, size=size, with_nb=request.with_nb, variant=request.variant)
    if request.document == "flyer":
        return documents.flyer(ctx, request.language, size=size, with_nb=request.with_nb, variant=request.variant,
                               sheet=request.sheet)
    if request.document == "slips":
        return documents.slips(ctx, request.language, pages=request.pages)
    return documents.SINGLE_LANGUAGE[request.document](ctx, request.language)


#: Findings of the check of drawn pages, by (content digest, page layouts): the print page checks a
#: poster and the final print that follows makes the same file again; rendering and reading it
#: twice (about 90 ms) was most of a final poster's time. Bounded: a few posters' findings.
_INK_CACHE: OrderedDict[tuple[str, int], list] = OrderedDict()
_INK_CACHE_SIZE = 32
_ink_lock = threading.Lock()


def _page_findings(report: preflight.Report, document: str, ctx: PrintContext, pdf: bytes) -> None:
    key = (ctx.content_digest, hash(repr(ctx.page_layouts))) if ctx.content_digest else None
    with _ink_lock:
        ink = _INK_CACHE.get(key) if key else None
    if ink is None:
        try:
            ink = inkcheck.check_rendered(pdf, ctx.page_layouts)
        except inkcheck.InkCheckError as exc:  # no renderer: say so rather than pass silently
            report.warning("ink", _("The printed pages could not be checked: %(reason)s", reason=str(exc)))
            ink = []
        else:
            if key:
                with _ink_lock:
                    _INK_CACHE[key] = ink
                    while len(_INK_CACHE) > _INK_CACHE_SIZE:
                        _INK_CACHE.popitem(last=False)
    preflight.add_page_findings(report, document, ctx.layout_problems, list(ink))


def check_pages(meeting: Meeting, request: PrintRequest, contacts, report: preflight.Report,
                made: PrintContext | None = None) -> None:
    """Make the document as it would print and look at its pages. A mail merge is checked on a
    sample: for each language, the contact whose name and address take the most room."""
    if meeting.venue is None and DOCUMENTS[request.document].needs_venue:
        return
    ctx = context(meeting, draft=False)
    if made is not None:  # the letters were sized on these same samples: no need to measure again
        ctx.letter_sizes = dict(made.letter_sizes)
    sample = contacts
    if DOCUMENTS[request.document].per_contact:
        if not contacts:
            return
        sample = list(doc_letters.longest_per_language(contacts).values())
    try:
        pdf = _make(ctx, request, sample)
    except PrintError:
        return  # the data checks say why
    _page_findings(report, request.document, ctx, pdf)


def start_background(meeting: Meeting, request: PrintRequest, user=None):
    """Queue a large mail merge; the job page shows progress and offers the PDF when done. The job
    renders as ``user`` (checked again, and audited, when it runs)."""
    validate(request)
    spec = DOCUMENTS[request.document]
    if spec.personal_data:
        require_personal_printer(user)
    job = create_job(f"print.{request.document}", f"{spec.title}: {meeting.topic or meeting.local_date}",
                     meeting_id=meeting.id, user=user, personal_data=spec.personal_data)
    db.session.commit()
    render_job(job.id, meeting.id, request.__dict__)
    return job


@app_task()
def render_job(job_id: int, meeting_id: int, request_fields: dict) -> None:
    """The background mail merge, in a child process of its own (see ``core.jobs.run_isolated``)."""
    run_isolated(job_id, _render_job, job_id, meeting_id, request_fields)


def _render_job(job_id: int, meeting_id: int, request_fields: dict) -> None:
    request = PrintRequest(**request_fields)
    try:
        marks.ensure_marks()
        db.session.commit()  # hold no write lock while progress is written from another connection
        meeting = db.session.get(Meeting, meeting_id)
        job = db.session.get(Job, job_id)
        # The job acts for the member who started it, as they are now: one whose capability was
        # withdrawn in the meantime gets no letters.
        from ..auth.models import User

        actor = db.session.get(User, job.created_by_id) if job.created_by_id else None
        pdf, _report = render(meeting, request, actor=actor,
                              progress=lambda done, total: report_progress(job_id, done, total, f"{done} / {total}"))
        finish_job(job, pdf, request.filename(meeting), "application/pdf", _("Done."))  # commits the audit entry
    except PrintError as exc:
        fail_job(job_id, str(exc))
    except CapabilityError:
        fail_job(job_id, _("You may no longer print names and addresses."))
    except Exception as exc:  # the job page must say it failed rather than spin forever
        fail_job(job_id, f"{type(exc).__name__}: {exc}")
        raise
