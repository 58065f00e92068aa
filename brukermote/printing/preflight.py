"""Preflight: everything a final print must have, checked before it is printed (and on demand).

Each finding says what is wrong and what to do about it. Errors block a final print; warnings don't.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from babel.dates import get_day_names
from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext

from ..core import languages
from ..core.models import Organisation
from ..core.timeutil import local_zone, utcnow
from ..meetings.models import Meeting, MeetingStatus
from ..templating import short_date
from . import marks as marks_service
from . import texts
from .layout import DOCUMENTS, mark_widths_mm, qr_matrix


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "warning"
    code: str
    message: str
    language: str | None = None


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    def error(self, code, message, language=None):
        self.findings.append(Finding("error", code, message, language))

    def warning(self, code, message, language=None):
        self.findings.append(Finding("warning", code, message, language))

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def public_url(meeting: Meeting) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL']}/m/{meeting.uid}"


def qr_url(meeting: Meeting, spec, language: str) -> str:
    """What a document's QR code opens: the meeting page (posters and flyers) or another public page
    of it (the feedback page), in the language the document is printed in, so that an Arabic poster
    opens the Arabic page on a phone set to Norwegian."""
    return f"{public_url(meeting)}{spec.qr_path}?lang={language}"


def qr_decodes_to(url: str) -> bool | None:
    """Render the QR code as the documents draw it and read it back; None if no reader is installed."""
    try:
        import zxingcpp
    except ImportError:
        return None
    from PIL import Image, ImageDraw

    matrix = qr_matrix(url)
    module, quiet = 8, 4
    size = (len(matrix) + 2 * quiet) * module
    image = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(image)
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                x, y = (col + quiet) * module, (row + quiet) * module
                draw.rectangle([x, y, x + module - 1, y + module - 1], fill=0)
    results = zxingcpp.read_barcodes(image)
    return any(r.text == url for r in results)


def weekday_matches(day: dt.date, language: str) -> bool:
    """The printed date line names the weekday CLDR gives for that date (an independent lookup)."""
    expected = get_day_names("wide", locale=texts.babel_locale(language))[day.weekday()]
    return expected in texts.long_date(day, language)


def run(meeting: Meeting, document: str = "poster", language_codes: list[str] | None = None,
        size: str | None = None) -> Report:
    report = Report()
    org = Organisation.current()
    codes = language_codes or list(meeting.target_languages or ["nb"])
    spec = DOCUMENTS[document]

    if meeting.venue is None and spec.needs_venue:
        report.error("venue", _("The meeting has no venue; choose one before printing."))
    if meeting.status == MeetingStatus.cancelled:
        report.error("cancelled", _("The meeting is cancelled."))
    if meeting.starts_at < utcnow():
        report.error("past", _("The meeting is in the past (%(date)s).", date=short_date(meeting.local_date)))
    if not (org.sender_line or "").strip():
        report.error("sender", _("The sender line is missing: add it under Settings."))
    if not (org.interpreter_phone or "").strip():
        report.error("phone", _("The phone number for ordering interpreters is missing: add it under Settings."))

    # Marks: present, big enough on this document, sharp enough, in their colour.
    page_size = size or spec.default_size
    all_marks = marks_service.ensure_marks()
    widths = mark_widths_mm(document, page_size, all_marks)
    needs_colour = False
    for mark in all_marks:
        if not mark.required:
            continue
        if not mark.raster:
            report.error("mark_missing", _("The mark «%(name)s» is missing: upload it under Printed material.", name=mark.name))
            continue
        if mark.is_placeholder:
            report.warning("mark_placeholder", _("«%(name)s» is the project's placeholder; upload the real mark.", name=mark.name))
        if mark.key not in widths:
            continue  # this document carries no marks (address labels)
        width_mm = widths[mark.key]
        if width_mm < mark.min_width_mm:
            report.error("mark_size", _("«%(name)s» would be printed %(w).0f mm wide on %(size)s; it must be at least %(min).0f mm. Use a larger format.",
                                        name=mark.name, w=width_mm, size=page_size, min=mark.min_width_mm))
        dpi = marks_service.effective_dpi(mark, width_mm)
        if dpi < 150:
            report.error("mark_resolution", _("«%(name)s» is too coarse (%(dpi).0f dpi at print size); upload a larger image.", name=mark.name, dpi=dpi))
        if mark.required_colour:
            needs_colour = True
            share = marks_service.ink_colour_share(mark.raster, mark.required_colour)
            if share < 0.6:
                report.error("mark_colour", _("«%(name)s» must be printed in %(colour)s, but the uploaded file is mostly another colour.",
                                              name=mark.name, colour=mark.required_colour))
    if needs_colour and not org.office_printer_colour:
        report.warning("colour_printer", _("A mark must be printed in colour, and the office printer is black-and-white: "
                                           "send the print-shop PDF to a print shop or a colour printer."))

    # Texts and dates per language.
    local_day = meeting.starts_at.astimezone(local_zone()).date()
    wanted_keys = spec.phrase_keys()
    for code in codes:
        try:
            languages.get(code)
        except KeyError:
            report.error("language", _("Unknown language «%(code)s».", code=code), code)
            continue
        if not weekday_matches(local_day, code):
            report.error("weekday", _("The weekday does not match the date in %(lang)s.", lang=code), code)
        phrases = texts.phrases_for(code)
        unreviewed = [p.key for key, p in phrases.items() if key in wanted_keys and not p.approved]
        if unreviewed:
            report.error("unreviewed", ngettext(
                "%(num)d fixed phrase in %(lang)s is not approved by a fluent reviewer.",
                "%(num)d fixed phrases in %(lang)s are not approved by a fluent reviewer.",
                len(unreviewed), lang=languages.get(code).name_nb), code)
        for field_name in ("topic",) + (("description",) if spec.uses_description else ()):
            _text, approved = texts.meeting_text(meeting, code, field_name)
            if not approved:
                report.error("meeting_text", _("The meeting's %(field)s is not translated to %(lang)s and approved.",
                                               field=_("topic") if field_name == "topic" else _("description"),
                                               lang=languages.get(code).name_nb), code)

    if spec.has_qr and not public_address_reachable():
        report.error("address", _("The QR code and the printed web address would lead to %(url)s, which only this "
                                  "computer can open: set PUBLIC_BASE_URL to the address participants use, or "
                                  "print a draft.", url=current_app.config["PUBLIC_BASE_URL"]))
    if spec.has_qr:
        results = {qr_decodes_to(url) for url in {qr_url(meeting, spec, code) for code in codes}}
        if False in results:
            report.error("qr", _("The QR code could not be read back."))
        elif None in results:
            report.warning("qr", _("No QR reader is installed; the QR code was not checked."))
    return report


#: Where a development server answers: a QR code to one of these leads nowhere on a phone.
_LOOPBACK_HOSTS = {"localhost", "0.0.0.0", "::", "::1", "[::1]"}


def public_address_reachable(url: str | None = None) -> bool:
    """Whether ``PUBLIC_BASE_URL`` is an address a participant's phone can open (not loopback, not
    an unset default)."""
    url = url or current_app.config.get("PUBLIC_BASE_URL") or ""
    host = (urlsplit(url).hostname or "").lower()
    if not host or host in _LOOPBACK_HOSTS or host.endswith(".localhost") or host.endswith(".local"):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True
    return not (address.is_loopback or address.is_unspecified or address.is_link_local)


def add_page_findings(report: Report, document: str, layout_problems, ink_problems) -> None:
    """What the drawn pages showed: blocks that did not fit, ink where none should be, QR codes that
    do not read back. All are errors: the page would print cut, overlapping or useless."""
    title = DOCUMENTS[document].title
    names = {"qr": _("the QR code"), "marks": _("the logos"), "checkbox": _("a tick box"),
             "write line": _("a line to write on"), "frame": _("a frame"), "cut line": _("the cut line"),
             "face": _("a rating face"), "rule": _("a rule")}

    def named(block: str) -> str:
        return names.get(block, block)

    for problem in layout_problems:
        name = languages.get(problem.language).name_nb if problem.language in languages.LANGUAGES else problem.language
        if problem.kind == "split_word":
            message = _("%(doc)s in %(lang)s, page %(page)d: «%(block)s» is too wide: a word, phone number or date "
                        "would be split across lines. Shorten the text or choose a larger size.", doc=title,
                        lang=name, page=problem.page, block=named(problem.block))
        elif problem.kind == "overlap":
            message = _("%(doc)s in %(lang)s, page %(page)d: «%(block)s» runs into «%(other)s». Shorten the text or "
                        "choose a larger size.", doc=title, lang=name, page=problem.page, block=named(problem.block),
                        other=named(problem.other))
        else:
            message = _("%(doc)s in %(lang)s, page %(page)d: «%(block)s» does not fit on the page. Shorten the text "
                        "or choose a larger size.", doc=title, lang=name, page=problem.page, block=named(problem.block))
        report.error("fit", message, problem.language)
    for problem in ink_problems:
        if problem.kind in ("qr_unreadable", "qr_wrong_url"):
            report.error("qr", _("%(doc)s, page %(page)d: the printed QR code does not open the meeting's page "
                                 "(%(detail)s).", doc=title, page=problem.page, detail=problem.detail))
        else:
            report.error("ink", _("%(doc)s, page %(page)d: something is printed outside its place (%(detail)s).",
                                  doc=title, page=problem.page, detail=problem.detail),
                         problem.box.lang if problem.box is not None and problem.box.lang else None)


def as_text(report: Report) -> str:
    lines = [f"{f.level.upper()}: {f.message}" for f in report.findings]
    return "\n".join(lines) or "OK"

