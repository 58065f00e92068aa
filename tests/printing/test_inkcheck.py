"""The ink check reads what poppler renders, so these tests draw small PDFs with ReportLab directly
(no Flask app, no document code) and state the boxes independently of the checker."""

import io
from functools import cache
from pathlib import Path

import pytest
import qrcode
from fontTools.ttLib import TTFont as FontFile
from reportlab.lib.pagesizes import A4, A5
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from brukermote.printing.inkcheck import (
    MAX_BLOCK_PROBLEMS_PER_PAGE,
    Box,
    InkCheckError,
    PageLayout,
    QRExpectation,
    check_rendered,
)

W, H = A4
SAFE = Box(28, 28, W - 28, H - 28, name="safe")
URL_A = "https://brukermote.example/m/abc123"
URL_B = "https://brukermote.example/m/zzz999"
# An embedded font, so poppler draws exactly these glyphs (the PDF base fonts are substituted by
# whatever the machine has, with other glyph shapes).
FONT_FILE = Path(__file__).resolve().parents[2] / "printables" / "fonts" / "NotoSans-Regular.ttf"
FONT = "InkcheckNotoSans"
pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE)))


@cache
def _glyphs():
    font = FontFile(str(FONT_FILE))
    return font["head"].unitsPerEm, font.getBestCmap(), font["hmtx"], font["glyf"]


def ink_box(string, x, y, size, name="", lang=""):
    """Where the glyphs of ``string`` put ink, from the font's own outlines (not from the checker)."""
    upem, cmap, hmtx, glyf = _glyphs()
    scale = size / upem
    pen, xs, ys = x, [], []
    for ch in string:
        glyph_name = cmap[ord(ch)]
        glyph = glyf[glyph_name]
        if getattr(glyph, "numberOfContours", 0):  # spaces have no outline
            xs += [pen + glyph.xMin * scale, pen + glyph.xMax * scale]
            ys += [y + glyph.yMin * scale, y + glyph.yMax * scale]
        pen += hmtx[glyph_name][0] * scale
    return Box(min(xs), min(ys), max(xs), max(ys), name, lang)


def new_pdf(size=A4):
    buffer = io.BytesIO()
    return buffer, canvas.Canvas(buffer, pagesize=size)


def text(c, string, x, y, size=12, name="", lang=""):
    """Draw a string and return the box its ink fills."""
    c.setFont(FONT, size)
    c.drawString(x, y, string)
    return ink_box(string, x, y, size, name, lang)


def draw_qr(c, url, x, y, size):
    """QR code as filled modules with its 4-module quiet zone inside ``size`` (x, y = lower left)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    matrix = code.get_matrix()
    module = size / (len(matrix) + 8)
    for row, line in enumerate(matrix):
        for col, dark in enumerate(line):
            if dark:
                c.rect(x + (col + 4) * module, y + size - (row + 5) * module, module, module, stroke=0, fill=1)
    return Box(x, y, x + size, y + size, name="qr")


def finish(buffer, c):
    c.showPage()
    c.save()
    return buffer.getvalue()


def kinds(problems):
    return [p.kind for p in problems]


# --- (a) ink inside its boxes ------------------------------------------------------------------

def test_text_inside_its_boxes_gives_no_problems():
    buffer, c = new_pdf()
    blocks = [
        text(c, "Brukermøte om helsetjenester", 60, 760, 24, name="topic"),
        text(c, "Tirsdag 14. oktober kl. 18.00", 60, 720, 16, name="date"),
        text(c, "ÅÆØ gjpqy | Tell us [what] you think", 60, 680, 11, name="body"),
        text(c, "Velkommen!", 300, 60, 36, name="closing", lang="nb"),
    ]
    c.setLineWidth(1)
    c.line(60, 700, 400, 700)  # a rule, declared with the width of its stroke
    blocks.append(Box(60, 699.5, 400, 700.5, name="rule"))
    pdf = finish(buffer, c)

    layout = PageLayout(W, H, SAFE, blocks)
    assert check_rendered(pdf, [layout]) == []
    # Not vacuous: without the blocks, all of that ink is reported.
    found = check_rendered(pdf, [PageLayout(W, H, SAFE, [])])
    assert found and set(kinds(found)) == {"outside_block"}


@pytest.mark.parametrize("dpi", [50, 72, 150])
def test_boxes_that_fit_exactly_do_not_trip_on_anti_aliasing(dpi):
    buffer, c = new_pdf()
    blocks = []
    # Fractional positions put glyph edges part-way into pixels, where anti-aliasing greys them.
    for i in range(24):
        x, y = 40 + (i % 3) * 170 + i * 0.37, 60 + i * 30.13
        blocks.append(text(c, "Hjjlf ÅØ gypq WM", x, y, 8 + (i % 5) * 2, name=f"b{i}"))
    pdf = finish(buffer, c)
    assert check_rendered(pdf, [PageLayout(W, H, SAFE, blocks)], dpi=dpi) == []


def test_pale_tints_are_paper_but_mid_grey_is_ink():
    buffer, c = new_pdf()
    c.setFillGray(0.95)
    c.rect(0, 0, W, H, stroke=0, fill=1)  # a 5 % background over the whole page, margins included
    c.setFillGray(0.6)
    c.rect(300, 300, 20, 20, stroke=0, fill=1)  # a mid-grey mark in no block
    pdf = finish(buffer, c)
    [problem] = check_rendered(pdf, [PageLayout(W, H, SAFE, [])])
    assert problem.kind == "outside_block"
    assert _x_range(problem.detail) == pytest.approx((300, 320), abs=2)


# --- (b) text past its box ---------------------------------------------------------------------

def test_text_past_the_right_edge_of_its_box_names_that_box():
    buffer, c = new_pdf()
    topic = text(c, "Brukermøte", 60, 760, 24, name="topic")
    size, x, y = 14, 60, 400
    full = "Takk for at du kom, vi ses neste gang"
    drawn = text(c, full, x, y, size)
    # The box was measured for a shorter string than the one that got drawn.
    closing = ink_box("Takk for at du kom,", x, y, size, name="closing", lang="ur")
    pdf = finish(buffer, c)

    problems = check_rendered(pdf, [PageLayout(W, H, SAFE, [topic, closing])])
    assert kinds(problems) == ["outside_block"]
    [problem] = problems
    assert problem.page == 1
    assert problem.box == closing
    assert "'closing' (ur)" in problem.detail
    assert "right edge" in problem.detail
    # The overflow starts at the box's right edge and ends where the string ends.
    low, high = _x_range(problem.detail)
    assert closing.x1 <= low < closing.x1 + 8
    assert high == pytest.approx(drawn.x1, abs=2)


def test_a_line_below_its_box_is_reported_as_running_below():
    buffer, c = new_pdf()
    body = text(c, "Første linje av teksten", 60, 500, 12, name="body", lang="nb")
    c.drawString(60, 486, "andre linje som ikke fikk plass")
    pdf = finish(buffer, c)
    [problem] = check_rendered(pdf, [PageLayout(W, H, SAFE, [body])])
    assert problem.kind == "outside_block" and problem.box == body
    assert "below" in problem.detail and "right edge" in problem.detail


def test_stray_ink_is_attributed_to_the_nearest_block():
    buffer, c = new_pdf()
    left = text(c, "Venstre", 60, 400, 12, name="left")
    right = text(c, "Høyre", 400, 400, 12, name="right")
    c.rect(440, 370, 20, 10, stroke=0, fill=1)  # just below "Høyre", far from "Venstre"
    pdf = finish(buffer, c)
    [problem] = check_rendered(pdf, [PageLayout(W, H, SAFE, [left, right])])
    assert problem.box == right


def test_many_stray_marks_are_merged_into_a_few_problems():
    buffer, c = new_pdf()
    blocks = []
    for i in range(12):
        # Twelve blocks, each with a mark well away from it: twelve separate regions.
        bx, by = 60 + (i % 3) * 170, 100 + (i // 3) * 170
        blocks.append(text(c, "Tekst", bx, by, 12, name=f"b{i}"))
        c.rect(bx, by + 40, 6, 6, stroke=0, fill=1)
    pdf = finish(buffer, c)
    problems = check_rendered(pdf, [PageLayout(W, H, SAFE, blocks)])
    assert set(kinds(problems)) == {"outside_block"}
    assert 1 < len(problems) <= MAX_BLOCK_PROBLEMS_PER_PAGE
    assert "more places" in problems[-1].detail


# --- (c) ink outside the safe area -------------------------------------------------------------

def test_a_rectangle_at_the_page_edge_is_outside_the_safe_area():
    buffer, c = new_pdf()
    topic = text(c, "Brukermøte", 60, 760, 24, name="topic")
    c.rect(0, 300, 12, 100, stroke=0, fill=1)  # a bleed bar in the unprintable margin
    pdf = finish(buffer, c)

    problems = check_rendered(pdf, [PageLayout(W, H, SAFE, [topic])])
    assert kinds(problems) == ["outside_safe"]
    [problem] = problems
    x0, x1 = _x_range(problem.detail)
    y0, y1 = _y_range(problem.detail)
    # Coordinates are PDF points from the bottom left: the bar is at x 0–12, y 300–400.
    assert x0 == pytest.approx(0, abs=2) and x1 == pytest.approx(12, abs=2)
    assert y0 == pytest.approx(300, abs=2) and y1 == pytest.approx(400, abs=2)
    assert "left edge" in problem.detail


def test_ink_outside_the_safe_area_is_one_problem_per_page():
    buffer, c = new_pdf()
    c.rect(0, 0, 10, 10, stroke=0, fill=1)
    c.rect(W - 10, H - 10, 10, 10, stroke=0, fill=1)
    c.rect(200, H - 5, 50, 5, stroke=0, fill=1)
    pdf = finish(buffer, c)
    problems = check_rendered(pdf, [PageLayout(W, H, SAFE, [])])
    assert kinds(problems) == ["outside_safe"]
    assert "3 places" in problems[0].detail


def test_text_crossing_the_safe_edge_is_reported_once_and_not_also_as_outside_block():
    buffer, c = new_pdf()
    drawn = text(c, "Overflowing", W - 80, 500, 20)
    assert drawn.x1 > W - 28 + 10
    # The box itself ends at the safe edge; the text runs on past it.
    box = Box(drawn.x0, drawn.y0, W - 28, drawn.y1, name="heading")
    pdf = finish(buffer, c)
    problems = check_rendered(pdf, [PageLayout(W, H, SAFE, [box])])
    assert kinds(problems) == ["outside_safe"]
    assert problems[0].box == box  # the ink next to it comes from this block
    assert "right edge" in problems[0].detail


# --- (d) QR codes ------------------------------------------------------------------------------

def qr_page(url, covered=False, size=26 * 2.8346):
    buffer, c = new_pdf()
    qr = draw_qr(c, url, W - 60 - size, 60, size)
    if covered:
        c.setFillGray(0.2)
        c.rect(qr.x0 + size * 0.2, qr.y0 + size * 0.2, size * 0.6, size * 0.6, stroke=0, fill=1)
    return finish(buffer, c), qr


def test_qr_code_that_opens_the_expected_url_passes():
    pdf, qr = qr_page(URL_A)
    assert check_rendered(pdf, [PageLayout(W, H, SAFE, [qr], qr=[QRExpectation(qr, URL_A)])]) == []


def test_qr_code_for_another_url_is_wrong():
    pdf, qr = qr_page(URL_A)
    [problem] = check_rendered(pdf, [PageLayout(W, H, SAFE, [qr], qr=[QRExpectation(qr, URL_B)])])
    assert problem.kind == "qr_wrong_url"
    assert problem.box == qr
    assert URL_A in problem.detail and URL_B in problem.detail


def test_covered_qr_code_is_unreadable():
    pdf, qr = qr_page(URL_A, covered=True)
    [problem] = check_rendered(pdf, [PageLayout(W, H, SAFE, [qr], qr=[QRExpectation(qr, URL_A)])])
    assert problem.kind == "qr_unreadable" and problem.box == qr


def test_qr_box_with_nothing_drawn_in_it_is_unreadable():
    pdf, qr = qr_page(URL_A)
    # The layout claims the code is at the top left, where the page is blank: the check reads the
    # page at the declared place, not the matrix the document meant to draw.
    elsewhere = Box(60, H - 60 - (qr.x1 - qr.x0), 60 + (qr.x1 - qr.x0), H - 60, name="qr")
    problems = check_rendered(pdf, [PageLayout(W, H, SAFE, [qr, elsewhere], qr=[QRExpectation(elsewhere, URL_A)])])
    assert kinds(problems) == ["qr_unreadable"]


def test_small_qr_code_on_a_small_page_is_read_back():
    width, height = A5
    buffer, c = new_pdf(size=A5)
    qr = draw_qr(c, URL_A + "/feedback?lang=ckb", 40, 40, 20 * 2.8346)
    pdf = finish(buffer, c)
    layout = PageLayout(width, height, Box(20, 20, width - 20, height - 20), [qr],
                        qr=[QRExpectation(qr, URL_A + "/feedback?lang=ckb")])
    assert check_rendered(pdf, [layout]) == []


# --- (e) ignore boxes --------------------------------------------------------------------------

def test_ignore_boxes_suppress_problems_inside_them():
    buffer, c = new_pdf()
    topic = text(c, "Brukermøte", 60, 760, 24, name="topic")
    c.rect(0, 0, 14, 14, stroke=0, fill=1)  # a cut mark in the corner, outside the safe area
    text(c, "UTKAST", 120, 400, 60)  # a watermark across the page, in no block
    pdf = finish(buffer, c)

    plain = PageLayout(W, H, SAFE, [topic])
    assert sorted(kinds(check_rendered(pdf, [plain]))) == ["outside_block", "outside_safe"]
    ignored = PageLayout(W, H, SAFE, [topic], ignore=[Box(0, 0, 20, 20, name="cut"),
                                                      Box(110, 380, 400, 460, name="draft")])
    assert check_rendered(pdf, [ignored]) == []
    # Only what lies inside the ignore box is ignored.
    partly = PageLayout(W, H, SAFE, [topic], ignore=[Box(0, 0, 20, 20, name="cut")])
    assert kinds(check_rendered(pdf, [partly])) == ["outside_block"]


# --- (f) several pages -------------------------------------------------------------------------

def test_problems_are_reported_on_the_page_they_are_on():
    buffer, c = new_pdf()
    layouts = []
    for page in range(1, 4):
        topic = text(c, f"Side {page}", 60, 760, 24, name="topic", lang="nb")
        qr = draw_qr(c, f"{URL_A}?p={page}", W - 120, 60, 70)
        if page == 2:
            c.drawString(60, 600, "stray text in no block")
        expected = URL_B if page == 3 else f"{URL_A}?p={page}"
        layouts.append(PageLayout(W, H, SAFE, [topic, qr], qr=[QRExpectation(qr, expected)]))
        c.showPage()
    c.save()
    problems = check_rendered(buffer.getvalue(), layouts)
    assert [(p.page, p.kind) for p in problems] == [(2, "outside_block"), (3, "qr_wrong_url")]


def test_qr_codes_in_different_places_on_different_pages_are_each_read_from_their_page():
    buffer, c = new_pdf()
    layouts = []
    places = {1: (60, 60), 3: (W - 140, H - 140), 4: (60, 60)}
    for page in range(1, 5):
        blocks, expected = [], []
        if page in places:
            qr = draw_qr(c, f"{URL_A}?p={page}", *places[page], 80)
            blocks.append(qr)
            expected.append(QRExpectation(qr, f"{URL_A}?p={page}"))
        layouts.append(PageLayout(W, H, SAFE, blocks, qr=expected))
        c.showPage()
    c.save()
    pdf = buffer.getvalue()
    assert check_rendered(pdf, layouts) == []
    # Page 4 expects page 1's URL in the same place: read from page 4, it is wrong.
    layouts[3].qr[0] = QRExpectation(layouts[3].qr[0].box, f"{URL_A}?p=1")
    assert [(p.page, p.kind) for p in check_rendered(pdf, layouts)] == [(4, "qr_wrong_url")]


def test_many_pages_keep_their_order():
    # pdftoppm names pages page-01 … page-12 for twelve pages; the order must still be right.
    buffer, c = new_pdf()
    layouts = []
    for page in range(1, 13):
        box = text(c, f"Side {page}", 60, 760, 24, name="topic")
        if page == 11:
            c.rect(0, 400, 10, 10, stroke=0, fill=1)
        layouts.append(PageLayout(W, H, SAFE, [box]))
        c.showPage()
    c.save()
    assert [(p.page, p.kind) for p in check_rendered(buffer.getvalue(), layouts)] == [(11, "outside_safe")]


def test_layouts_must_describe_the_document():
    buffer, c = new_pdf()
    pdf = finish(buffer, c)
    with pytest.raises(InkCheckError, match="2 layout"):
        check_rendered(pdf, [PageLayout(W, H, SAFE, []), PageLayout(W, H, SAFE, [])])
    with pytest.raises(InkCheckError, match="renders as"):
        check_rendered(pdf, [PageLayout(*A5, SAFE, [])])
    with pytest.raises(InkCheckError, match="could not render"):
        check_rendered(b"not a pdf", [PageLayout(W, H, SAFE, [])])


# --- helpers for reading the coordinates back out of a detail ----------------------------------

def _x_range(detail):
    return _range(detail, "x=")


def _y_range(detail):
    return _range(detail, "y=")


def _range(detail, prefix):
    start = detail.index(prefix) + len(prefix)
    low, high = detail[start:].split(" pt")[0].split("–")
    return float(low), float(high)
