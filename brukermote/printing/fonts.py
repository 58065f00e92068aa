"""The vendored print fonts: registration with ReportLab, HarfBuzz faces, cmap coverage, glyph outlines.

Fonts live in ``printables/fonts/`` (see its README.md). A *family* is a name such as
``"NotoNaskhArabic"``; the language registry lists families per language (its font chain), and
:data:`FALLBACK_CHAIN` covers whatever a language's chain does not. Everything here is loaded
lazily and cached for the life of the process: a :class:`Face` is created once per (family, bold).

No Flask in here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache, lru_cache
from pathlib import Path

import uharfbuzz as hb
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_DIR = Path(__file__).resolve().parents[2] / "printables" / "fonts"

#: family -> (regular file, bold file). Bold is None where no true bold exists (never faked).
FAMILIES: dict[str, tuple[str, str | None]] = {
    "NotoSans": ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    "NotoNaskhArabic": ("NotoNaskhArabic-Regular.ttf", "NotoNaskhArabic-Bold.ttf"),
    "NotoNastaliqUrdu": ("NotoNastaliqUrdu-Regular.ttf", "NotoNastaliqUrdu-Bold.ttf"),
    "NotoSansTamil": ("NotoSansTamil-Regular.ttf", "NotoSansTamil-Bold.ttf"),
    "NotoSansEthiopic": ("NotoSansEthiopic-Regular.ttf", "NotoSansEthiopic-Bold.ttf"),
    "NotoSansSC": ("NotoSansSC-Regular.ttf", "NotoSansSC-Bold.ttf"),
}

#: Tried after a language's own chain, in this order, for characters it does not cover.
FALLBACK_CHAIN: tuple[str, ...] = (
    "NotoSans", "NotoNaskhArabic", "NotoSansTamil", "NotoSansEthiopic", "NotoSansSC", "NotoNastaliqUrdu",
)

_lock = threading.RLock()


@dataclass(eq=False)
class Face:
    """One font file: its ReportLab font (for the invisible text layer), HarfBuzz font, metrics, cmap."""

    family: str
    bold: bool
    path: Path
    rl_name: str  # name registered with reportlab.pdfbase.pdfmetrics
    upem: int
    ascent: float  # hhea ascender / descender as fractions of the em (descent positive)
    descent: float
    cmap: frozenset[int]
    hb_font: hb.Font
    _outlines: dict[int, tuple] = field(default_factory=dict, repr=False)

    @property
    def key(self) -> str:
        return self.rl_name

    @property
    def extent(self) -> float:
        return self.ascent + self.descent

    def covers(self, char: str) -> bool:
        return ord(char) in self.cmap

    def outline(self, gid: int) -> tuple:
        """The glyph's outline as a tuple of (op, *coords) in font units, cached."""
        ops = self._outlines.get(gid)
        if ops is None:
            pen = _RecordingPen()
            with _lock:
                self.hb_font.draw_glyph_with_pen(gid, pen)
            ops = self._outlines[gid] = tuple(pen.ops)
        return ops

    def advance_of(self, char: str) -> int:
        """Nominal advance of a character in font units (0 if the font lacks it)."""
        gid = self.hb_font.get_nominal_glyph(ord(char))
        return self.hb_font.get_glyph_h_advance(gid) if gid else 0


class _RecordingPen:
    """A pen for HarfBuzz's draw API that records ReportLab path operations."""

    def __init__(self) -> None:
        self.ops: list[tuple] = []
        self._cur = (0.0, 0.0)

    def moveTo(self, p):  # noqa: N802 (pen protocol)
        self.ops.append(("m", p[0], p[1]))
        self._cur = p

    def lineTo(self, p):  # noqa: N802
        self.ops.append(("l", p[0], p[1]))
        self._cur = p

    def qCurveTo(self, *pts):  # noqa: N802 — one control point + end point from HarfBuzz
        points = list(pts)
        # expand implied on-curve points (TrueType style) if more than one control point arrives
        start = self._cur
        controls, end = points[:-1], points[-1]
        for i, c in enumerate(controls):
            if i + 1 < len(controls):
                n = controls[i + 1]
                seg_end = ((c[0] + n[0]) / 2, (c[1] + n[1]) / 2)
            else:
                seg_end = end
            c1 = (start[0] + 2 / 3 * (c[0] - start[0]), start[1] + 2 / 3 * (c[1] - start[1]))
            c2 = (seg_end[0] + 2 / 3 * (c[0] - seg_end[0]), seg_end[1] + 2 / 3 * (c[1] - seg_end[1]))
            self.ops.append(("c", c1[0], c1[1], c2[0], c2[1], seg_end[0], seg_end[1]))
            start = seg_end
        self._cur = end

    def curveTo(self, c1, c2, p):  # noqa: N802
        self.ops.append(("c", c1[0], c1[1], c2[0], c2[1], p[0], p[1]))
        self._cur = p

    def closePath(self):  # noqa: N802
        self.ops.append(("h",))

    endPath = closePath  # noqa: N815


@cache
def face(family: str, bold: bool = False) -> Face:
    """The :class:`Face` for a family; bold falls back to regular only when no bold file exists."""
    with _lock:
        regular, bold_file = FAMILIES[family]
        filename = bold_file if (bold and bold_file) else regular
        path = FONT_DIR / filename
        rl_name = "Brk-" + path.stem
        if rl_name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(rl_name, str(path)))
        data = path.read_bytes()
        hb_face = hb.Face(hb.Blob(data))
        hb_font = hb.Font(hb_face)
        upem = hb_face.upem
        hb_font.scale = (upem, upem)
        cmap = frozenset(hb_face.unicodes)
        extents = hb_font.get_font_extents("ltr")
        return Face(
            family=family,
            bold=bold and bold_file is not None,
            path=path,
            rl_name=rl_name,
            upem=upem,
            ascent=extents.ascender / upem,
            descent=-extents.descender / upem,
            cmap=cmap,
            hb_font=hb_font,
        )


@lru_cache(maxsize=64)
def chain(families: tuple[str, ...], bold: bool = False) -> tuple[Face, ...]:
    """The faces to try, in order: the given families, then the global fallback chain."""
    names = list(dict.fromkeys(list(families) + list(FALLBACK_CHAIN)))
    return tuple(face(name, bold) for name in names)


@lru_cache(maxsize=65536)
def first_covering(faces: tuple[Face, ...], char: str) -> Face | None:
    """The first face in ``faces`` whose cmap has ``char``; None if none has it."""
    code = ord(char)
    for f in faces:
        if code in f.cmap:
            return f
    return None
