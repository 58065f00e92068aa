"""Printed files as real text, read by programs we did not write: poppler, pypdf, pdfminer, Ghostscript.

Each line is compared with what the reader would read: left-to-right lines exactly; right-to-left
lines in reading order (poppler and pypdf apply the bidi algorithm; pdfminer does not, so its line is
the drawing order, which read from the right is the logical text). Only the embedding marks poppler
itself wraps right-to-left lines in (U+202A–U+202E) are removed; spaces and ZWNJ are kept.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess

import pypdf
import pytest
import sqlalchemy as sa
from babel.dates import format_date
from pdfminer.high_level import extract_text as pdfminer_text
from reportlab.pdfgen import canvas

from brukermote.core import languages
from brukermote.extensions import db
from brukermote.printing import fonts, inkcheck, pdftext, services, text
from brukermote.printing.models import MeetingText
from brukermote.printing.services import PreflightFailed, PrintRequest
from tests.printing.helpers import ACTOR, ALL_LANGUAGES, make_contacts

HEADLINES = {
    "nb": "Brukermøte på biblioteket", "en": "User meeting", "so": "Kulan isticmaalayaasha",
    "ar": "اجتماع المستخدمين", "ta": "பயனர் கூட்டம் கொண்டு", "ti": "ኣኼባ ተጠቀምቲ", "fa": "نشست کاربران",
    "ur": "صارفین کا اجلاس", "ckb": "کۆبوونەوەی بەکارهێنەران", "kmr": "Civîna bikarhêneran",
    "zh-Hans": "图书馆用户见面会", "es": "Reunión de usuarios", "pl": "Spotkanie użytkowników",
}
PERSIAN_ZWNJ = "می\u200cخواهم بیایم"
POPPLER_MARKS = re.compile("[\u202a-\u202e]")
needs_tools = pytest.mark.skipif(not (shutil.which("pdftotext") and shutil.which("gs")),
                                 reason="poppler-utils and ghostscript are installed by make test")


def _pdf(lines: list[str], lang: str) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, initialFontName=fonts.initial_font_name())
    y = 800.0
    for line in lines:
        y -= pdftext.draw(c, text.layout(line, lang, 14, 420.0), 50, y) + 10
    c.save()
    return buf.getvalue()


def _lines(extracted: str) -> list[str]:
    return [line.strip() for line in POPPLER_MARKS.sub("", extracted).splitlines() if line.strip()]


def _poppler(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True).stdout.decode()


def _pypdf(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _tokens(line: str) -> str:
    """The letters and digits in reading order (for right-to-left lines with embedded numbers, where
    poppler and pypdf each place the neutral comma and the spaces around a number their own way)."""
    return "".join(re.findall(r"[^\W_]+", line))


@needs_tools
@pytest.mark.parametrize("lang", ALL_LANGUAGES)
def test_every_extractor_reads_the_logical_text(lang, tmp_path):
    date = format_date(dt.date(2031, 3, 12), "full", locale=languages.get(lang).babel_locale)
    pure = [HEADLINES[lang]] + ([PERSIAN_ZWNJ] if lang == "fa" else [])
    lines = pure + [date, "23 00 00 00"]
    pdf = _pdf(lines, lang)
    readers = {"poppler": _lines(_poppler(pdf, tmp_path)), "pypdf": _lines(_pypdf(pdf)),
               "pdfminer": _lines(pdfminer_text(io.BytesIO(pdf)))}
    rtl = languages.get(lang).rtl
    for reader, got in readers.items():
        assert "23 00 00 00" in got, (reader, got)  # the phone number whole, in order, with its spaces
        if not rtl:
            for line in lines:
                assert line in got, (reader, line, got)
            continue
        for line in pure:
            # pdfminer does no bidi: its line is the drawing order, i.e. the reading order from the right
            wanted = line[::-1] if reader == "pdfminer" else line
            assert wanted in got, (reader, line, got)
        if reader != "pdfminer":
            assert _tokens(date) in [_tokens(g) for g in got], (reader, date, got)


@needs_tools
def test_persian_zero_width_non_joiner_survives_extraction(tmp_path):
    pdf = _pdf([PERSIAN_ZWNJ], "fa")
    for extracted in (_poppler(pdf, tmp_path), _pypdf(pdf), pdfminer_text(io.BytesIO(pdf))):
        assert "\u200c" in extracted


def test_phone_numbers_times_and_dates_are_never_broken():
    # a width that would break each group if its spaces were breakable
    for phrase, group in (("Ring 23 00 00 00 for å bestille tolk", "23 00 00 00"),
                          ("Møtet varer 13:30 – 15:30 i dag", "13:30 – 15:30"),
                          ("Ring +47 912 34 567", "+47 912 34 567")):
        for width in range(60, 260, 7):
            block = text.layout(phrase, "nb", 12, float(width))
            lines = [line.text.replace("\u00a0", " ") for line in block.lines]
            assert any(group in line for line in lines) or block.forced_breaks, (width, lines)
    ta = text.layout("தொலைபேசி 23 00 00 00", "ta", 30, 200.0)
    assert any("23\u00a000\u00a000\u00a000" in line.text for line in ta.lines)


# -- documents ----------------------------------------------------------------------------------

def _reader(pdf: bytes) -> pypdf.PdfReader:
    return pypdf.PdfReader(io.BytesIO(pdf))


def _elements(node, out=None):
    out = [] if out is None else out
    node = node.get_object()
    if isinstance(node, pypdf.generic.DictionaryObject) and node.get("/Type") == "/StructElem":
        out.append(node)
    kids = node.get("/K") if isinstance(node, pypdf.generic.DictionaryObject) else None
    if isinstance(kids, pypdf.generic.ArrayObject):
        for kid in kids:
            if isinstance(kid, pypdf.generic.IndirectObject):
                _elements(kid, out)
    elif isinstance(kids, pypdf.generic.IndirectObject):
        _elements(kids, out)
    return out


def test_poster_is_tagged_with_languages_figures_and_title(meeting):
    pdf, _report = services.render(meeting, PrintRequest(document="poster", language="ar", size="A4"))
    reader = _reader(pdf)
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "ar"
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"]) is True
    title = reader.metadata.title
    assert title.startswith("Plakat") and meeting.topic in title
    assert title in root["/Metadata"].get_object().get_data().decode()
    elements = _elements(root["/StructTreeRoot"])
    roles = [e["/S"] for e in elements]
    assert roles[0] == "/Document" and "/H1" in roles and "/P" in roles
    alts = [e.get("/Alt") for e in elements if e["/S"] == "/Figure"]
    assert {"Kommunevåpen", "NAV-logo", "Bydelens logo", "Prosjektets logo"} <= set(alts)
    assert any(alt and alt.startswith("QR: https://brukermote.bjerke.example/m/") for alt in alts)
    # the Norwegian venue address on the Arabic poster is marked as Norwegian for the screen reader
    assert any(e.get("/Lang") == "nb" for e in elements)
    # right-to-left lines carry their logical text: the Arabic topic, as the reviewer approved it
    actual = [e.get("/ActualText") for e in elements if e.get("/ActualText")]
    assert "العمل والنشاط" in actual
    # every page's marked content is reachable from the parent tree
    assert reader.pages[0]["/StructParents"] == 0


def test_letter_is_bilingual_in_its_tags(meeting):
    [contact] = make_contacts(1, ["ar"])
    pdf, _report = services.render(meeting, PrintRequest(document="letters", contact_ids=[contact.id]), actor=ACTOR)
    elements = _elements(_reader(pdf).trailer["/Root"]["/StructTreeRoot"])
    langs = {e.get("/Lang") for e in elements}
    assert "ar" in langs  # the letter is Norwegian with the Arabic column and slip lines marked


def test_real_text_without_forms_and_with_unique_subset_tags(meeting):
    contacts = make_contacts(len(ALL_LANGUAGES))
    pdf, _report = services.render(meeting, PrintRequest(document="letters", contact_ids=[c.id for c in contacts]), actor=ACTOR)
    reader = _reader(pdf)
    tags = []
    for page in reader.pages:
        resources = page["/Resources"]
        for xobject in (resources.get("/XObject") or {}).values():
            assert xobject.get_object()["/Subtype"] == "/Image"  # logos only: no glyph or line forms
        content = page.get_contents().get_data()
        assert b" 3 Tr" not in content  # no invisible duplicate text layer
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        font = font.get_object()
        # simple TrueType subsets, which Ghostscript's ps2write keeps as fonts (tests/printing/test_simple_fonts.py)
        assert font["/Subtype"] == "/TrueType" and "/FontFile2" in font["/FontDescriptor"]
        tags.append(font["/BaseFont"][1:7])
    assert len(tags) >= 5 and len(set(tags)) == len(tags), tags
    assert all(re.fullmatch("[A-Z]{6}", tag) for tag in tags)


@needs_tools
def test_office_variant_prints_black_as_one_ink(meeting):
    pdf, _report = services.render(meeting, PrintRequest(document="poster", language="nb", size="A4"))
    content = _reader(pdf).pages[0].get_contents().get_data()
    assert b"0 g" in content and b"0 0 0 rg" not in content


@needs_tools
@pytest.mark.parametrize("document,size", [("poster", "A4"), ("poster", "A3"), ("flyer", "A5"), ("flyer", "A6")])
def test_print_shop_variant_has_bleed_crop_marks_k_text_and_an_output_intent(meeting, document, size, tmp_path):
    pdf, report = services.render(meeting, PrintRequest(document=document, language="ar", size=size,
                                                        variant="printshop"))
    assert report.ok, report.errors
    reader = _reader(pdf)
    page = reader.pages[0]
    mm = 72 / 25.4
    trim = {"A4": (210, 297), "A3": (297, 420), "A5": (148, 210), "A6": (105, 148)}[size]
    x0, y0, x1, y1 = (float(v) for v in page["/TrimBox"])
    assert (x1 - x0) / mm == pytest.approx(trim[0], abs=0.5) and (y1 - y0) / mm == pytest.approx(trim[1], abs=0.5)
    bx0, by0, bx1, by1 = (float(v) for v in page["/BleedBox"])
    assert (x0 - bx0) / mm == pytest.approx(3, abs=0.05) and (bx1 - x1) / mm == pytest.approx(3, abs=0.05)
    mx0, my0, mx1, my1 = (float(v) for v in page.mediabox)
    assert mx0 < bx0 and mx1 > bx1  # room for the crop marks outside the bleed
    content = page.get_contents().get_data()
    assert b"0 0 0 1 k" in content and b" rg" not in content  # text and rules in K only
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFX"
    images = [x.get_object() for x in page["/Resources"]["/XObject"].values()]
    assert images and all(img["/ColorSpace"][0] == "/ICCBased" for img in images)
    path = tmp_path / "shop.pdf"
    path.write_bytes(pdf)
    gs = subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=nullpage", str(path)], capture_output=True,
                        text=True, timeout=120)
    assert gs.returncode == 0 and "rror" not in gs.stdout + gs.stderr


@pytest.mark.parametrize("size,points", [("A5", (419.5, 595.3)), ("A6", (297.6, 419.5))])
def test_flyers_come_one_to_a_page(meeting, size, points):
    pdf, report = services.render(meeting, PrintRequest(document="flyer", language="ti", size=size, sheet="single"))
    assert report.ok, report.errors
    box = _reader(pdf).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(points, abs=0.6)


def test_loopback_address_blocks_a_final_print_but_not_a_draft(app, meeting):
    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    with pytest.raises(PreflightFailed) as failed:
        services.render(meeting, PrintRequest(document="poster", language="nb"))
    assert "address" in {f.code for f in failed.value.report.errors}
    with pytest.raises(PreflightFailed):
        services.render(meeting, PrintRequest(document="feedback-form", language="so"))
    pdf, _report = services.render(meeting, PrintRequest(document="poster", language="nb", draft=True))
    assert pdf.startswith(b"%PDF")
    pdf, report = services.render(meeting, PrintRequest(document="slips", language="nb"))  # no QR code
    assert report.ok
    app.config["PUBLIC_BASE_URL"] = "http://localhost:8000"
    assert "address" in {f.code for f in services.check(meeting, PrintRequest(document="flyer")).errors}


def test_overlong_text_is_a_preflight_error_naming_document_language_and_block(meeting):
    translation = db.session.scalar(sa.select(MeetingText).filter_by(meeting_id=meeting.id, language="so",
                                                                      field="topic"))
    long_topic = " ".join(["Guryaha, shaqada, hawlaha iyo la xiriirka NAV ee degmada"] * 60)
    # The longest Somali topic the database holds (300 characters) still fits the form, shrunk ...
    translation.text = long_topic[:300].strip()
    db.session.commit()
    assert services.render(meeting, PrintRequest(document="feedback-form", language="so"))
    # ... and one ten times as long (the schema refuses it, so it stays unsaved) is an error, not a cut text.
    translation.text = long_topic
    with db.session.no_autoflush, pytest.raises(PreflightFailed) as failed:
        services.render(meeting, PrintRequest(document="feedback-form", language="so"))
    db.session.rollback()
    fits = [f for f in failed.value.report.errors if f.code == "fit"]
    assert fits and all("Tilbakemeldingsskjema" in f.message for f in fits)
    # what falls off the page is named, in its language: the closing thanks below the long topic
    assert any("på somali" in f.message and "«Mahadsanid!»" in f.message for f in fits), [f.message for f in fits]


def test_unbreakable_text_wider_than_its_box_is_an_error(meeting):
    meeting.topic = "Brukermedvirkningsprosjektsamarbeidskonferanseforberedelsesmøte" * 3
    with pytest.raises(PreflightFailed) as failed:
        services.render(meeting, PrintRequest(document="tally", language="nb"))
    assert "fit" in {f.code for f in failed.value.report.errors}


@needs_tools
def test_ink_check_sees_a_block_drawn_outside_its_box(meeting):
    """The rendered-page check looks at the page: on a real poster, take away the box the layout
    declared for the topic and the topic's ink is reported as outside every block."""
    ctx = services.context(meeting, draft=False)
    pdf = services.documents.poster(ctx, "nb", size="A4")
    layouts = ctx.page_layouts
    assert inkcheck.check_rendered(pdf, layouts) == []
    topic = next(b for b in layouts[0].blocks if b.name.startswith(meeting.topic[:20]))
    broken = inkcheck.PageLayout(layouts[0].width, layouts[0].height, layouts[0].safe,
                                 [b for b in layouts[0].blocks if b is not topic], layouts[0].qr, layouts[0].ignore)
    problems = inkcheck.check_rendered(pdf, [broken])
    assert any(p.kind == "outside_block" and topic.y0 - 2 <= float(re.findall(r"y=([\d.]+)", p.detail)[0]) <= topic.y1
               for p in problems), problems


@needs_tools
def test_qr_code_that_reads_wrong_blocks_the_print(meeting):
    ctx = services.context(meeting, draft=False)
    pdf = services.documents.poster(ctx, "nb", size="A4")
    page = ctx.page_layouts[0]
    wrong = [inkcheck.QRExpectation(q.box, q.url + "x") for q in page.qr]
    assert wrong
    problems = inkcheck.check_rendered(pdf, [inkcheck.PageLayout(page.width, page.height, page.safe, page.blocks,
                                                                 wrong, page.ignore)])
    assert [p.kind for p in problems] == ["qr_wrong_url"]


@needs_tools
@pytest.mark.parametrize("code", ALL_LANGUAGES)
def test_print_shop_and_single_flyers_pass_the_page_checks_in_every_language(meeting, code, sqlite_only):
    for request in (PrintRequest(document="poster", language=code, size="A3", variant="printshop"),
                    PrintRequest(document="flyer", language=code, size="A6", variant="printshop"),
                    PrintRequest(document="flyer", language=code, size="A5", sheet="single")):
        pdf, report = services.render(meeting, request)  # a final print: rendered and checked
        assert report.ok, (request, report.errors)


@needs_tools
def test_norwegian_lines_of_right_to_left_documents_keep_their_punctuation(meeting, tmp_path):
    [contact] = make_contacts(1, ["ar"])
    letter, _report = services.render(meeting, PrintRequest(document="letters", contact_ids=[contact.id]), actor=ACTOR)
    # pdfminer gives a left-to-right line in drawing order, left to right as printed (poppler turns
    # every line of a mostly right-to-left page around, so it cannot tell)
    lines = _lines(pdfminer_text(io.BytesIO(letter)))
    assert "Telefon:" in lines and "Navn:" in lines, lines
    assert not any(":Telefon" in line for line in lines)
    form, _report = services.render(meeting, PrintRequest(document="feedback-form", language="ur"))
    lines = _lines(pdfminer_text(io.BytesIO(form)))
    assert "Hva var nyttig?" in lines and "Du trenger ikke å skrive navnet ditt." in lines, lines
