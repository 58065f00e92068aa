"""Making printed documents: preflight first, then a final PDF or a draft — never a partial one."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from ..core import languages
from ..core.jobs import create_job, fail_job, finish_job, report_progress
from ..core.models import Organisation
from ..extensions import db
from ..meetings.models import Meeting
from ..outreach.models import ConsentPurpose, Contact
from ..tasks import app_task
from . import documents, marks, preflight
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
    label_layout: str | None = None
    pages: int = 1

    def filename(self, meeting: Meeting) -> str:
        parts = [self.document, str(meeting.local_date), self.language if not DOCUMENTS[self.document].per_contact else ""]
        if self.size:
            parts.append(self.size)
        if self.draft:
            parts.append("UTKAST")
        return "-".join(p for p in parts if p) + ".pdf"


def context(meeting: Meeting, draft: bool) -> PrintContext:
    return PrintContext(meeting=meeting, org=Organisation.current(), marks=marks.ensure_marks(), draft=draft,
                        url=preflight.public_url(meeting))


def select_contacts(contact_ids: list[int] | None) -> list[Contact]:
    """The chosen contacts, or everyone who consented to news by post (in a stable order)."""
    query = sa.select(Contact).order_by(Contact.name, Contact.id)
    if contact_ids:
        rows = list(db.session.scalars(query.where(Contact.id.in_(contact_ids))))
        missing = set(contact_ids) - {c.id for c in rows}
        if missing:
            raise PrintError(_("Unknown contact(s): %(ids)s.", ids=", ".join(str(i) for i in sorted(missing))))
        return rows
    return [c for c in db.session.scalars(query) if c.consents_to(ConsentPurpose.news_post)]


def check(meeting: Meeting, request: PrintRequest, contacts: list[Contact] | None = None) -> preflight.Report:
    spec = DOCUMENTS[request.document]
    if spec.per_contact:
        codes = sorted({c.language if c.language in languages.LANGUAGES else "nb" for c in contacts or []} | {"nb"})
    else:
        codes = [request.language] + (["nb"] if request.with_nb and request.language != "nb" else [])
    return preflight.run(meeting, request.document, codes, request.size)


def validate(request: PrintRequest) -> None:
    if request.document not in DOCUMENTS:
        raise PrintError(_("Unknown document «%(doc)s».", doc=request.document))
    spec = DOCUMENTS[request.document]
    if request.size and request.size not in spec.sizes:
        raise PrintError(_("%(doc)s comes in %(sizes)s, not %(size)s.", doc=spec.title,
                           sizes=", ".join(spec.sizes), size=request.size))
    if request.language not in languages.LANGUAGES:
        raise PrintError(_("Unknown language «%(code)s».", code=request.language))


def render(meeting: Meeting, request: PrintRequest, *, progress=None) -> tuple[bytes, preflight.Report]:
    """Run preflight; make the PDF. A final print that fails preflight raises ``PreflightFailed``."""
    validate(request)
    spec = DOCUMENTS[request.document]
    contacts = select_contacts(request.contact_ids) if spec.per_contact else None
    report = check(meeting, request, contacts)
    if not request.draft and not report.ok:
        raise PreflightFailed(report)
    if meeting.venue is None and spec.needs_venue:
        raise PrintError(_("The meeting has no venue; choose one before printing."))
    ctx = context(meeting, draft=request.draft)
    size = request.size or spec.default_size
    if spec.per_contact:
        if request.document == "letters":
            pdf = documents.letters(ctx, contacts, progress=progress)
        elif request.document == "envelopes":
            pdf = documents.envelopes(ctx, contacts, size=size)
        else:
            layout = LabelLayout.parse(request.label_layout) if request.label_layout else LabelLayout()
            pdf = documents.labels(ctx, contacts, layout=layout)
    elif request.document in ("poster", "flyer"):
        pdf = documents.SINGLE_LANGUAGE[request.document](ctx, request.language, size=size, with_nb=request.with_nb)
    elif request.document == "slips":
        pdf = documents.slips(ctx, request.language, pages=request.pages)
    else:
        pdf = documents.SINGLE_LANGUAGE[request.document](ctx, request.language)
    return pdf, report


def start_background(meeting: Meeting, request: PrintRequest, user=None):
    """Queue a large mail merge; the job page shows progress and offers the PDF when done."""
    validate(request)
    spec = DOCUMENTS[request.document]
    job = create_job(f"print.{request.document}", f"{spec.title}: {meeting.topic or meeting.local_date}",
                     meeting_id=meeting.id, user=user, personal_data=spec.personal_data)
    db.session.commit()
    render_job(job.id, meeting.id, request.__dict__)
    return job


@app_task()
def render_job(job_id: int, meeting_id: int, request_fields: dict) -> None:
    from ..core.jobs import Job

    request = PrintRequest(**request_fields)
    try:
        marks.ensure_marks()
        db.session.commit()  # hold no write lock while progress is written from another connection
        meeting = db.session.get(Meeting, meeting_id)
        pdf, _report = render(meeting, request,
                              progress=lambda done, total: report_progress(job_id, done, total, f"{done} / {total}"))
        job = db.session.get(Job, job_id)
        finish_job(job, pdf, request.filename(meeting), "application/pdf", _("Done."))
    except PrintError as exc:
        fail_job(job_id, str(exc))
    except Exception as exc:  # the job page must say it failed rather than spin forever
        fail_job(job_id, f"{type(exc).__name__}: {exc}")
        raise
