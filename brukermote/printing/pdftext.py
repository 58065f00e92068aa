"""Drawing laid-out text (:mod:`.text`) onto a ReportLab canvas as real, extractable PDF text.

Each line is one run of text-showing operators in embedded subset fonts (:mod:`.pdffont`): the glyph
ids HarfBuzz chose, at HarfBuzz's advances and x/y offsets (``TJ`` adjustments for x, text rise
``Ts`` for y — Nastaliq's cursive attachment), so what prints is exactly what was shaped. There is
one copy of the text, drawn in the canvas's fill colour: no outlines, no XObjects, no invisible
duplicate layer.

What a reader gets back:

* every cluster is one code of a subset font (a composite glyph when it has several glyphs), whose
  ToUnicode entry holds the cluster's characters in logical order, so pdfminer,
  pypdf and poppler read the characters of each cluster once and in logical order — Persian's
  zero-width non-joiner included;
* every word with a glyph that is not the plain glyph of one character (Arabic joining forms,
  ligatures, Tamil conjuncts, Nastaliq) is also wrapped in a marked-content span with
  ``/ActualText`` holding the word's logical text (ISO 32000-1 §14.9.4): poppler, Acrobat and screen
  readers take the word from there;
* a line's runs (one direction, one font) are written in logical order, each at its visual place,
  with the glyphs of a right-to-left run in visual order (as every PDF producer writes them):
  poppler and MuPDF sort by position and apply the bidi algorithm, pypdf reverses each
  right-to-left run, and both give the line back in reading order; pdfminer does no bidi and
  returns each right-to-left run in drawing order.

The bidi controls the layout inserts around phone numbers (LRE … PDF) are drawn as nothing and read
as nothing: they are layout, not text.
"""

from __future__ import annotations

import unicodedata

from . import text as engine
from .pdffont import EmbeddedFont, font_for
from .text import Block, Line, Piece

__all__ = ["draw", "draw_text"]

#: Controls the layout inserts itself (never in the author's text): neither drawn nor extracted.
_LAYOUT_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SPACES = frozenset(" \u00a0\u3000\t")


def draw(canvas, block: Block, x: float, y_top: float, box_width: float | None = None, marker=None) -> float:
    """Draw ``block`` with its box's top-left at (x, y_top); return the height used.

    The box is ``box_width`` wide (default: the layout's max_width, else the block's width) and the
    lines are aligned inside it. Glyphs take the canvas's current fill colour. ``marker(line, rtl)``,
    if given, returns the operators that open and close each line's marked content (tagged PDF).
    """
    cache = canvas._doc.__dict__.setdefault("_brk_line_ops", {})
    ops = ["BT"]
    for line in block.lines:
        if not line.pieces:
            continue
        key = (id(line), block.font_size)
        entry = cache.get(key)
        if entry is None:
            # the line is kept alive with its operators, so its id is not reused in this document
            entry = cache[key] = (line, _line_ops(canvas, line, block.font_size))
        lx = x + engine.line_offset(block, line, box_width)
        by = y_top - line.baseline
        ops.append(f"1 0 0 1 {lx:.3f} {by:.3f} Tm")
        if marker is None:
            ops.append(entry[1])
        else:
            begin, end = marker(line, any(piece.rtl for piece in line.pieces))
            ops += [begin, entry[1], end]
    if len(ops) > 1:
        ops.append("ET")
        canvas.addLiteral("\n".join(ops))
    return block.height


def draw_text(canvas, text: str, lang: str, x: float, y_top: float, font_size: float,
              max_width: float | None = None, **kw) -> float:
    """:func:`.text.layout` then :func:`draw`; returns the height used."""
    return draw(canvas, engine.layout(text, lang, font_size, max_width, **kw), x, y_top)


def _line_ops(canvas, line: Line, size: float) -> str:
    """The operators for one line, relative to its start (set by the caller's ``Tm``)."""
    out: list[str] = []
    previous_x = 0.0
    # Pieces go into the stream in logical order, each drawn at its visual place; inside a piece the
    # glyphs are in visual order. That is what readers that reverse right-to-left runs themselves
    # (pypdf) need, and readers that sort by position (poppler, MuPDF) do not mind.
    current = [None]  # the subset font set last in this line (each line's operators stand alone)
    for piece in sorted(line.pieces, key=lambda p: p.start):
        font = font_for(canvas, piece.face)
        if piece.x != previous_x:
            out.append(f"{piece.x - previous_x:.3f} 0 Td")
            previous_x = piece.x
        _piece_ops(out, font, piece, size, current)
    return "\n".join(out)


def _word_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each run of non-space characters, and of each space, in logical order."""
    spans, start = [], 0
    for i in range(1, len(text) + 1):
        if i == len(text) or text[i] in _SPACES or text[i - 1] in _SPACES:
            spans.append((start, i))
            start = i
    return spans


def _visible(text: str) -> str:
    """What a cluster reads as: without the layout's bidi controls, and with the no-break spaces the
    layout put into phone numbers and dates read as the spaces they were."""
    return "".join(" " if ch == "\u00a0" else ch for ch in text if ch not in _LAYOUT_CONTROLS)


def _cluster_runs(piece: Piece):
    """The piece's clusters in drawing order: (first char offset, logical text, glyphs)."""
    ends = sorted({g[4] for g in piece.glyphs}) + [len(piece.text)]
    end_of = {a: b for a, b in zip(ends, ends[1:], strict=False)}
    runs: list[tuple[int, str, list]] = []
    for glyph in piece.glyphs:
        if runs and runs[-1][0] == glyph[4]:
            runs[-1][2].append(glyph)
        else:
            runs.append((glyph[4], piece.text[glyph[4]:end_of[glyph[4]]], [glyph]))
    return runs


def _piece_ops(out: list[str], font: EmbeddedFont, piece: Piece, size: float, current: list) -> None:
    """One code per cluster (see :meth:`.pdffont.EmbeddedFont.cid`), words that need it in an
    ``/ActualText`` span, ``TJ`` adjustments only where rounding the widths drifted, and a ``Tf``
    wherever the next cluster is in another subset font than ``current[0]``."""
    spans = _word_spans(piece.text)
    word_of = {}
    for index, (a, b) in enumerate(spans):
        for i in range(a, b):
            word_of[i] = index
    nominal = font.face.hb_font.get_nominal_glyph
    to_units = piece.face.upem / size  # points back to font units (HarfBuzz gave integers)
    scale = size / 1000.0
    clusters = []
    needs_actual = set()
    for cluster, chars, glyphs in _cluster_runs(piece):
        visible = unicodedata.normalize("NFC", _visible(chars))
        pen, components = 0.0, []
        for gid, x_advance, x_offset, y_offset, _cl in glyphs:
            components.append((gid, round((pen + x_offset) * to_units), round(y_offset * to_units)))
            pen += x_advance
        if not visible and all(ch in _LAYOUT_CONTROLS for ch in chars):
            clusters.append((None, pen, None))  # a layout control: draws nothing, reads as nothing
            continue
        word = word_of[cluster]
        # Right-to-left words get their logical text from the structure tree instead (poppler
        # reverses a right-to-left /ActualText span); their clusters already read right.
        if not piece.rtl and (len(visible) != 1 or len(glyphs) != 1 or nominal(ord(visible)) != glyphs[0][0]):
            needs_actual.add(word)
        # the advance in thousandths of the size, to a tenth: /W then places glyphs where HarfBuzz
        # did, and the text needs almost no TJ adjustments
        cid = font.cid(tuple(components), visible, max(0.0, round(pen / scale, 1)))
        clusters.append((cid, pen, word))

    tj: list = []
    expected = pen_x = 0.0
    current_word = None

    def flush() -> None:
        if not tj:
            return
        parts, hexes = [], []
        for item in tj:
            if isinstance(item, int):
                hexes.append(f"{item & 0xFF:02X}")
            else:
                if hexes:
                    parts.append("<" + "".join(hexes) + ">")
                    hexes = []
                parts.append(f"{item:.2f}")
        if hexes:
            parts.append("<" + "".join(hexes) + ">")
        out.append("[" + " ".join(parts) + "] TJ")
        tj.clear()

    for cid, advance, word in clusters:
        if cid is None:
            pen_x += advance
            continue
        if word != current_word:
            if current_word in needs_actual:
                flush()
                out.append("EMC")
            current_word = word
            if word in needs_actual:
                flush()
                a, b = spans[word]
                actual = unicodedata.normalize("NFC", _visible(piece.text[a:b]))
                out.append(f"/Span <</ActualText <FEFF{actual.encode('utf-16-be').hex().upper()}>>> BDC")
        resource = font.resource(cid)
        if resource != current[0]:
            flush()  # the text position carries over: pending drift goes into the next TJ
            out.append(f"/{resource} {size:.3f} Tf")
            current[0] = resource
        drift = pen_x - expected
        if abs(drift) > 0.01:  # a hundredth of a point: below any printer's resolution
            tj.append(-drift / scale)
            expected = pen_x
        tj.append(cid)
        expected += font.width(cid) * scale
        pen_x += advance
    flush()
    if current_word in needs_actual:
        out.append("EMC")
