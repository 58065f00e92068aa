"""Page geometry and the parts every printed document shares: marks row, QR code, draft mark, cut marks.

Documents are drawn on a ReportLab canvas in points; text goes through the engine in ``text.py``
(shaping, bidi, fallback fonts) via the small ``Pen`` wrapper below.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import qrcode
from flask_babel import lazy_gettext as _l
from reportlab import rl_config
from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A3, A4, A5, A6, landscape

from ..core import languages
from . import inkcheck, pdftext, tagged
from . import text as engine
from .logos import draw_marks, mark_pixels  # noqa: F401  (mark_pixels: where the marks were before)

# Binary (Flate) streams without ASCII85: smaller PDFs, and no slow pure-Python encoder.
rl_config.useA85 = 0

MM = 72.0 / 25.4
GREY = Color(0.45, 0.45, 0.45)
LIGHT = Color(0.8, 0.8, 0.8)

PAGE_SIZES = {
    "A3": A3, "A4": A4, "A5": A5, "A6": A6,
    "C5": (229 * MM, 162 * MM),  # envelope for an A4 folded once (or A5)
    "DL": (220 * MM, 110 * MM),  # envelope for an A4 folded in three
}


@dataclass(frozen=True)
class DocumentSpec:
    key: str
    title: object
    sizes: tuple[str, ...]
    default_size: str
    phrase_prefixes: tuple[str, ...]
    needs_venue: bool = True
    has_qr: bool = False
    #: The public page the QR code opens, after the meeting's address ("" = the meeting page).
    qr_path: str = ""
    uses_description: bool = False
    #: Holds names and addresses: only members bound by secrecy may print it.
    personal_data: bool = False
    #: Works on a selection of contacts (mail merge).
    per_contact: bool = False
    #: Comes as a print-shop variant too (trim size with bleed, crop marks, 100 % K text).
    print_shop: bool = False

    def phrase_keys(self) -> set[str]:
        from .texts import phrase_keys

        return {k for k in phrase_keys() if k.startswith(self.phrase_prefixes)}


DOCUMENTS: dict[str, DocumentSpec] = {spec.key: spec for spec in [
    DocumentSpec("poster", _l("Poster"), ("A4", "A3"), "A4", ("doc.",), has_qr=True, print_shop=True),
    DocumentSpec("flyer", _l("Flyer"), ("A5", "A6"), "A5", ("doc.",), has_qr=True, print_shop=True),
    DocumentSpec("letters", _l("Invitation letters"), ("A4",), "A4", ("doc.", "letter.", "slip."),
                 personal_data=True, per_contact=True),
    DocumentSpec("envelopes", _l("Envelopes"), ("C5", "DL"), "C5", ("letter.title",), personal_data=True,
                 per_contact=True),
    DocumentSpec("labels", _l("Address labels"), ("A4",), "A4", ("letter.title",), personal_data=True,
                 per_contact=True),
    DocumentSpec("slips", _l("Sign-up slips"), ("A4",), "A4", ("slip.", "doc.when")),
    DocumentSpec("feedback-form", _l("Feedback form"), ("A4",), "A4", ("feedback.", "doc.topic", "doc.when"),
                 has_qr=True, qr_path="/feedback"),
    DocumentSpec("tally", _l("Attendance tally sheet"), ("A4",), "A4", ("tally.", "doc.when")),
    DocumentSpec("programme", _l("Programme"), ("A4",), "A4", ("programme.", "doc.when", "doc.where")),
    DocumentSpec("briefing", _l("Interpreter briefing"), ("A4",), "A4", ("briefing.", "programme.", "doc.when", "doc.where")),
]}

#: The marks row per document and size: (height, width) in mm. Marks keep their aspect ratio inside
#: it; preflight checks the widths this gives against each mark's minimum. Labels carry no marks
#: (they go on envelopes that do).
_MARK_ROWS_MM = {
    ("poster", "A3"): (31.0, 257.0), ("poster", "A4"): (22.0, 180.0),
    ("flyer", "A5"): (15.0, 130.0), ("flyer", "A6"): (11.0, 93.0),
    ("envelopes", "C5"): (11.0, 95.0), ("envelopes", "DL"): (10.0, 90.0),
    ("tally", "A4"): (12.0, 180.0), ("slips", "A4"): (10.5, 110.0),
}
_DEFAULT_MARK_ROW_MM = (13.0, 174.0)
_MARGIN_MM = {"A3": 20.0, "A4": 15.0, "A5": 9.0, "A6": 6.0}


def page_size(size: str, landscape_: bool = False):
    dims = PAGE_SIZES[size]
    return landscape(dims) if landscape_ else dims


def margin_mm(size: str) -> float:
    return _MARGIN_MM.get(size, 15.0)


def mark_row_mm(document: str, size: str) -> tuple[float, float] | None:
    if document == "labels":
        return None
    return _MARK_ROWS_MM.get((document, size), _DEFAULT_MARK_ROW_MM)


def mark_widths_mm(document: str, size: str, marks) -> dict[str, float]:
    """The printed width of each mark in the marks row (what preflight compares with the minimum)."""
    marks = [m for m in marks if m.raster]
    row = mark_row_mm(document, size)
    if not marks or row is None:
        return {}
    height, width = row
    slot = width / len(marks) - 4.0
    return {m.key: min(height / m.aspect, slot) for m in marks}


def draw_mark_row(canvas, marks, document: str, size: str, x: float, y_top: float) -> float:
    """Draw the document's marks row at (x, y_top); returns its height in points."""
    row = mark_row_mm(document, size)
    if row is None:
        return 0.0
    height, width = row
    draw_marks(canvas, marks, x, y_top, width * MM, height * MM)
    record(canvas, x, y_top - height * MM, x + width * MM, y_top, "marks")
    return height * MM


# -- what was drawn where: the page layout the rendered-page check compares with ------------------

#: No ink closer to the paper's edge than this: office printers cannot print there, and a print
#: shop's trim may wander by as much.
SAFE_MM = 5.0


def record(canvas, x0: float, y0: float, x1: float, y1: float, name: str = "", lang: str = "") -> None:
    """Declare a box something is drawn in on the current page (no-op on a plain canvas)."""
    sheet = getattr(canvas, "_brk_sheet", None) if canvas is not None else None
    if sheet is not None:
        sheet.blocks.append(inkcheck.Box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), name, lang))


def record_qr(canvas, x: float, y: float, size: float, url: str) -> None:
    sheet = getattr(canvas, "_brk_sheet", None) if canvas is not None else None
    if sheet is not None:
        box = inkcheck.Box(x, y, x + size, y + size, "qr")
        sheet.blocks.append(box)
        sheet.qr.append(inkcheck.QRExpectation(box, url))


def record_ignore(canvas, x0: float, y0: float, x1: float, y1: float) -> None:
    """Ink there is meant to be outside every block and the safe area (crop marks, bleed)."""
    sheet = getattr(canvas, "_brk_sheet", None) if canvas is not None else None
    if sheet is not None:
        sheet.ignore.append(inkcheck.Box(min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1), "ignore"))


# -- ink ---------------------------------------------------------------------------------------------

def set_fill(canvas, colour) -> None:
    """Fill colour as print wants it: black (and greys) as one grey ink, not as RGB, which a colour
    conversion turns into four inks; on a print-shop canvas (``_brk_cmyk``) black is 100 % K."""
    cmyk = getattr(canvas, "_brk_cmyk", False)
    if isinstance(colour, Color) and colour.red == colour.green == colour.blue and getattr(colour, "alpha", 1) == 1:
        if cmyk:
            canvas.setFillColorCMYK(0, 0, 0, 1 - colour.red)
        else:
            canvas.setFillGray(colour.red)
    elif cmyk and isinstance(colour, Color) and getattr(colour, "alpha", 1) == 1:
        canvas.setFillColorCMYK(*_cmyk(colour))
    else:
        canvas.setFillColor(colour)


def _cmyk(colour: Color) -> tuple[float, float, float, float]:
    """A plain conversion for the few coloured texts (the red of a cancellation)."""
    k = 1 - max(colour.red, colour.green, colour.blue)
    if k >= 1:
        return 0.0, 0.0, 0.0, 1.0
    return tuple((1 - c - k) / (1 - k) for c in (colour.red, colour.green, colour.blue)) + (k,)


def set_stroke(canvas, colour) -> None:
    if isinstance(colour, Color) and colour.red == colour.green == colour.blue and getattr(colour, "alpha", 1) == 1:
        if getattr(canvas, "_brk_cmyk", False):
            canvas.setStrokeColorCMYK(0, 0, 0, 1 - colour.red)
        else:
            canvas.setStrokeGray(colour.red)
    else:
        canvas.setStrokeColor(colour)


# -- text -------------------------------------------------------------------------------------------

class Pen:
    """Draws text through the engine; sizes in points, positions from the top of the block."""

    def __init__(self, canvas, scale: float = 1.0):
        self.canvas = canvas
        #: every font size is multiplied by this: a document shrinks its text to fit (see documents.fit)
        self.scale = scale

    def text(self, text: str, lang: str, x: float, y_top: float, width: float, size: float, *,
             bold: bool = False, align: str = "start", colour=black, line_height: float = 1.25,
             role: str | None = "P") -> float:
        """Draw a block of text; ``role`` is its structure element (P, H1, H2, LBody …; None for
        decoration, drawn as an artifact). Returns the height used."""
        if not text:
            return 0.0
        block = engine.layout(text, lang, size * self.scale, width, bold=bold, align=align, line_height=line_height)
        if role is not None:
            record(self.canvas, x, y_top - block.height, x + max(width, block.width), y_top, _snippet(text), lang)
            if block.forced_breaks:
                sheet = getattr(self.canvas, "_brk_sheet", None)
                if sheet is not None:
                    sheet.split.append(inkcheck.Box(x, y_top - block.height, x + width, y_top, _snippet(text), lang))
        set_fill(self.canvas, colour)
        tree = tagged.tree_of(self.canvas)
        if tree is not None and role is None:  # decoration (the draft stamp): an artifact
            with tree.artifact():
                pdftext.draw(self.canvas, block, x, y_top)
        else:
            marker = tree.line_marker(tree.new_element(role, lang), lang) if tree is not None else None
            pdftext.draw(self.canvas, block, x, y_top, marker=marker)
        set_fill(self.canvas, black)
        return block.height

    def parts(self, parts: list[tuple[str, str]], x: float, y_top: float, width: float, size: float, *,
              bold: bool = False, colour=black, role: str | None = "P", gap: float = 0.0,
              secondary: float = 0.85) -> float:
        """Each (text, language) as its own block, stacked: a phrase and its Norwegian translation
        keep their own direction and punctuation. Later parts are ``secondary`` times the size and
        follow the first part's side of the page (a Norwegian line under Arabic is right-aligned).
        Returns the height used."""
        first_rtl = languages.get(parts[0][1]).rtl if parts else False
        y = y_top
        for index, (text, lang) in enumerate(parts):
            align = "start" if index == 0 else ("right" if first_rtl else "left")
            y -= self.text(text, lang, x, y, width, size * (secondary if index else 1.0), bold=bold, colour=colour,
                           role=role, align=align)
            if index + 1 < len(parts):
                y -= gap
        return y_top - y

    def parts_height(self, parts: list[tuple[str, str]], width: float, size: float, *, bold: bool = False,
                     gap: float = 0.0, secondary: float = 0.85) -> float:
        heights = [self.height(text, lang, width, size * (secondary if i else 1.0), bold=bold)
                   for i, (text, lang) in enumerate(parts)]
        return sum(heights) + gap * max(0, len(heights) - 1)

    def splits(self, text: str, lang: str, width: float, size: float, *, bold: bool = False) -> bool:
        """Whether the text has a word (or a date, phone number, time) wider than ``width``."""
        return bool(text) and engine.layout(text, lang, size * self.scale, width, bold=bold, line_height=1.25).forced_breaks

    def height(self, text: str, lang: str, width: float, size: float, *, bold: bool = False,
               line_height: float = 1.25) -> float:
        if not text:
            return 0.0
        return engine.layout(text, lang, size * self.scale, width, bold=bold, line_height=line_height).height

    def fit(self, text: str, lang: str, width: float, height: float, max_size: float, min_size: float,
            *, bold: bool = False) -> float:
        return engine.fit(text, lang, width, height, max_size=max_size, min_size=min_size, bold=bold)


def _snippet(text: str) -> str:
    """How a finding names a block: its first words."""
    first = " ".join(text.split())
    return first if len(first) <= 40 else first[:39] + "…"


class MeasuringPen(Pen):
    """A Pen that only measures: the same layout code can find its size without drawing twice."""

    def __init__(self, scale: float = 1.0):
        super().__init__(canvas=None, scale=scale)

    def text(self, text: str, lang: str, x: float, y_top: float, width: float, size: float, *,
             bold: bool = False, align: str = "start", colour=black, line_height: float = 1.25,
             role: str = "P") -> float:
        return self.height(text, lang, width, size, bold=bold, line_height=line_height)


# -- marks, QR, draft, cut marks -------------------------------------------------------------------

@lru_cache(maxsize=64)
def qr_matrix(url: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's modules (built once per address and process; preflight reads the same)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


@lru_cache(maxsize=64)
def _qr_path(url: str) -> tuple[str, int]:
    """The dark modules as one path in module units (one fill, not one operator set per module)."""
    matrix = qr_matrix(url)
    quiet = 4
    cells = len(matrix) + 2 * quiet
    parts = []
    for row, line in enumerate(matrix):
        col = 0
        while col < len(line):
            if line[col]:
                start = col
                while col < len(line) and line[col]:
                    col += 1
                parts.append(f"{start + quiet} {cells - row - quiet - 1} {col - start} 1 re")
            else:
                col += 1
    return "\n".join(parts), cells


def draw_qr(canvas, url: str, x: float, y: float, size: float, alt: str | None = None) -> None:
    """Vector QR code with its quiet zone inside ``size`` (x, y = lower left), a figure in the
    structure tree whose alternative text gives the address."""
    path, cells = _qr_path(url)
    module = size / cells
    record_qr(canvas, x, y, size, url)
    with tagged.figure(canvas, alt or f"QR: {url}"):
        canvas.saveState()
        canvas.setFillGray(1)
        canvas.rect(x, y, size, size, stroke=0, fill=1)
        set_fill(canvas, black)
        canvas.addLiteral(f"q {module:.5f} 0 0 {module:.5f} {x:.3f} {y:.3f} cm\n{path}\nf Q")
        canvas.restoreState()


def draw_draft(canvas, page_width: float, page_height: float, lang: str, note: str) -> None:
    """A DRAFT mark across the page and a note of what is unreviewed, so nobody prints it for real."""
    canvas.saveState()
    canvas.translate(page_width / 2, page_height / 2)
    canvas.rotate(35)
    size = page_width / 8
    Pen(canvas).text("UTKAST · DRAFT", "en", -page_width, size / 2, 2 * page_width, size, bold=True,
                     align="center", colour=Color(0.75, 0.0, 0.0, alpha=0.25), role=None)
    canvas.restoreState()
    Pen(canvas).text(note, "nb", 6 * MM, 7 * MM + 8, page_width - 12 * MM, 7, colour=Color(0.6, 0, 0), role="Note")


def draw_cut_marks(canvas, page_width: float, page_height: float, columns: int, rows: int) -> None:
    """Crop marks in the margins and dashed guides where the sheet is to be cut."""
    with tagged.artifact(canvas):
        _cut_marks(canvas, page_width, page_height, columns, rows)
    # the marks sit in the margins, the dashed guides run across the sheet: both are meant
    for col in range(1, columns):
        xx = page_width * col / columns
        record_ignore(canvas, xx - 1, 0, xx + 1, page_height)
    for row in range(1, rows):
        yy = page_height * row / rows
        record_ignore(canvas, 0, yy - 1, page_width, yy + 1)


def _cut_marks(canvas, page_width: float, page_height: float, columns: int, rows: int) -> None:
    canvas.saveState()
    canvas.setLineWidth(0.4)
    set_stroke(canvas, GREY)
    length = 5 * MM
    for col in range(1, columns):
        xx = page_width * col / columns
        canvas.line(xx, 0, xx, length)
        canvas.line(xx, page_height - length, xx, page_height)
    for row in range(1, rows):
        yy = page_height * row / rows
        canvas.line(0, yy, length, yy)
        canvas.line(page_width - length, yy, page_width, yy)
    canvas.setDash(2, 3)
    set_stroke(canvas, LIGHT)
    for col in range(1, columns):
        xx = page_width * col / columns
        canvas.line(xx, length, xx, page_height - length)
    for row in range(1, rows):
        yy = page_height * row / rows
        canvas.line(length, yy, page_width - length, yy)
    canvas.restoreState()


def checkbox(canvas, x: float, y_top: float, size: float) -> None:
    if canvas is None:  # measuring
        return
    record(canvas, x, y_top - size, x + size, y_top, "checkbox")
    with tagged.artifact(canvas):
        canvas.saveState()
        canvas.setLineWidth(1)
        set_stroke(canvas, black)
        canvas.rect(x, y_top - size, size, size, stroke=1, fill=0)
        canvas.restoreState()


def write_line(canvas, x: float, y: float, width: float) -> None:
    if canvas is None:  # measuring
        return
    record(canvas, x, y - 1, x + width, y + 1, "write line")
    with tagged.artifact(canvas):
        canvas.saveState()
        canvas.setLineWidth(0.6)
        set_stroke(canvas, GREY)
        canvas.line(x, y, x + width, y)
        canvas.restoreState()
