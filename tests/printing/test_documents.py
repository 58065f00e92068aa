"""Every document in every language: it opens, has the right size, embeds subset fonts, carries the
marks, and its text holds the weekday and date Babel gives for that language."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from brukermote.printing import services, texts
from brukermote.printing.layout import DOCUMENTS, mark_row_mm
from brukermote.printing.services import PrintRequest
from tests.printing.helpers import (
    ACTOR,
    ALL_LANGUAGES,
    FIXED_DAY,
    expected_date,
    make_contacts,
    normalise,
    printed,
)

pytestmark = pytest.mark.usefixtures("sqlite_only")

SIZES_PT = {"A4": (595.3, 841.9), "A3": (841.9, 1190.6), "C5": (649.1, 459.2), "DL": (623.6, 311.8)}
SINGLE = ["poster", "flyer", "slips", "feedback-form", "tally", "programme", "briefing"]


def _page_size(page):
    box = page.mediabox
    return round(float(box.width), 1), round(float(box.height), 1)


def _fonts(reader: PdfReader) -> dict[str, dict]:
    fonts = {}
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            fonts[str(font.get("/BaseFont"))] = font
    return fonts


def _marks_on_page(page) -> set[str]:
    """The marks a page actually paints: image XObjects its content invokes (each logo once)."""
    import re

    content = page.get_contents().get_data().decode("latin-1")
    used = re.findall(r"/(FormXob\.brkmark(\d+)(?:px\d+)?) Do", content)  # the logo's id, then its size
    xobjects = (page.get("/Resources") or {}).get("/XObject") or {}
    return {f"mark{mark_id}" for name, mark_id in used
            if "/" + name in xobjects and xobjects["/" + name].get_object().get("/Subtype") == "/Image"}


def _assert_pdf(pdf: bytes, document: str, size: str, code: str, pages: int | None = None):
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 1
    if pages is not None:
        assert len(reader.pages) == pages
    expected = SIZES_PT["A4"] if document == "flyer" else SIZES_PT[size]
    if document == "flyer" and size == "A5":
        expected = (expected[1], expected[0])  # two A5 side by side on a landscape A4
    for page in reader.pages:
        assert _page_size(page) == pytest.approx(expected, abs=0.6)
    fonts = _fonts(reader)
    assert fonts, "no fonts"
    for name, font in fonts.items():
        descriptor = font.get("/FontDescriptor") or (font.get("/DescendantFonts") or [{}])[0].get_object().get("/FontDescriptor")
        assert descriptor is not None, f"{name} is not embedded"
        descriptor = descriptor.get_object()
        assert any(k in descriptor for k in ("/FontFile2", "/FontFile3", "/FontFile")), f"{name} is not embedded"
        assert name.lstrip("/")[6:7] == "+", f"{name} is not a subset"
    if mark_row_mm(document, size) is not None:
        from brukermote.printing.marks import ensure_marks

        required = {f"mark{m.id}" for m in ensure_marks() if m.required}
        for page in reader.pages:
            assert required <= _marks_on_page(page), "a page lacks a required mark"
    assert printed(pdf, expected_date(FIXED_DAY, code)), f"{code}: date missing in {document}"


@pytest.mark.parametrize("code", ALL_LANGUAGES)
@pytest.mark.parametrize("document", SINGLE)
def test_every_single_language_document_in_every_language(meeting, document, code):
    spec = DOCUMENTS[document]
    for size in spec.sizes:
        pdf, report = services.render(meeting, PrintRequest(document=document, language=code, size=size))
        assert report.ok, report.errors
        _assert_pdf(pdf, document, size, code)


@pytest.mark.parametrize("document", ["letters", "envelopes", "labels"])
def test_mail_merge_documents_in_every_language(meeting, document):
    contacts = make_contacts(len(ALL_LANGUAGES))
    spec = DOCUMENTS[document]
    for size in spec.sizes:
        pdf, report = services.render(meeting, PrintRequest(document=document, size=size,
                                                            contact_ids=[c.id for c in contacts]), actor=ACTOR)
        assert report.ok, report.errors
        if document == "letters":
            # a letter whose text needs more room than lies above the reply slip continues: the
            # slip gets a page of its own (Urdu's Nastaliq at a readable size does)
            pages = len(PdfReader(io.BytesIO(pdf)).pages)
            assert len(contacts) <= pages < 2 * len(contacts)
        else:
            pages = len(contacts) if document != "labels" else 1
        _assert_pdf(pdf, document, size, "nb", pages=pages)
        if document != "labels":
            for contact in contacts:
                assert printed(pdf, expected_date(FIXED_DAY, contact.language)), contact.language
        for contact in contacts:
            assert printed(pdf, contact.name)


def test_letter_is_in_the_contacts_language_with_norwegian_alongside(meeting):
    [contact] = make_contacts(1, ["ar"])
    pdf, _report = services.render(meeting, PrintRequest(document="letters", contact_ids=[contact.id]), actor=ACTOR)
    for wanted in (expected_date(FIXED_DAY, "ar"), expected_date(FIXED_DAY, "nb"), "Du trenger ikke å komme",
                   "Veitvetveien 1", "0596 Oslo"):
        assert printed(pdf, wanted), wanted


def test_poster_date_is_readable_from_three_metres(meeting):
    """A4 poster: the date line is set at 36 pt or more (about 9 mm capitals), read from the PDF."""
    import pdfplumber

    pdf, _report = services.render(meeting, PrintRequest(document="poster", language="nb", size="A4"))
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = document.pages[0].chars
    date = normalise(texts.long_date(meeting.local_date, "nb"))
    large = normalise("".join(char["text"] for char in chars if char["size"] >= 36))
    everything = normalise("".join(char["text"] for char in chars))
    assert date in everything and date in large, (date, large)


def test_mark_row_fits_the_minimum_sizes_on_every_format(meeting):
    from brukermote.printing import marks
    from brukermote.printing.layout import mark_widths_mm

    for document, spec in DOCUMENTS.items():
        for size in spec.sizes:
            for mark in marks.ensure_marks():
                width = mark_widths_mm(document, size, [mark]).get(mark.key)
                if width is not None:
                    assert width >= mark.min_width_mm, (document, size, mark.key)


@pytest.mark.parametrize("document,size", [("poster", "A4"), ("flyer", "A5")])
def test_poster_and_flyer_qr_opens_the_meeting_page_in_their_language(meeting, sqlite_only, document, size):
    """An Arabic poster opens the Arabic page even on a phone set to Norwegian (read back as a phone would)."""
    import zxingcpp
    from PIL import Image

    from tests.printing.helpers import render_png

    for lang in ("ar", "nb"):
        pdf, report = services.render(meeting, PrintRequest(document=document, language=lang, size=size))
        assert report.ok, report.findings
        codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(render_png(pdf, dpi=150))))
        assert codes and {code.text for code in codes} == {
            f"https://brukermote.bjerke.example/m/{meeting.uid}?lang={lang}"}


def test_feedback_form_qr_opens_the_feedback_page_in_the_forms_language(meeting, sqlite_only):
    """Read the printed QR code back from the rendered page, as a phone would."""
    import zxingcpp
    from PIL import Image

    from tests.printing.helpers import render_png

    for lang in ("so", "ar"):
        pdf, report = services.render(meeting, PrintRequest(document="feedback-form", language=lang))
        assert report.ok
        image = Image.open(io.BytesIO(render_png(pdf, dpi=150)))
        [code] = zxingcpp.read_barcodes(image)
        assert code.text == f"https://brukermote.bjerke.example/m/{meeting.uid}/feedback?lang={lang}"
        assert printed(pdf, texts.text_set(lang)("feedback.qr"))
