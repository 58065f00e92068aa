"""The vendored print fonts: registration with ReportLab, HarfBuzz faces, cmap coverage, glyph outlines.

Fonts live in ``printables/fonts/`` (see its README.md). A *family* is a name such as
``"NotoNaskhArabic"``; the language registry lists families per language (its font chain), and
:data:`FALLBACK_CHAIN` covers whatever a language's chain does not. Everything here is loaded
lazily and cached for the life of the process: a :class:`Face` is created once per (family, bold).

No Flask in here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
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
    """One font file: its HarfBuzz font, metrics and cmap (drawn by :mod:`.pdffont`)."""

    family: str
    bold: bool
    path: Path
    rl_name: str  # a stable name for the face (keys the document's embedded fonts)
    upem: int
    ascent: float  # hhea ascender / descender as fractions of the em (descent positive)
    descent: float
    cmap: frozenset[int]
    hb_font: hb.Font

    @property
    def key(self) -> str:
        return self.rl_name

    @property
    def extent(self) -> float:
        return self.ascent + self.descent

    def covers(self, char: str) -> bool:
        return ord(char) in self.cmap

    def advance_of(self, char: str) -> int:
        """Nominal advance of a character in font units (0 if the font lacks it)."""
        gid = self.hb_font.get_nominal_glyph(ord(char))
        return self.hb_font.get_glyph_h_advance(gid) if gid else 0


@cache
def face(family: str, bold: bool = False) -> Face:
    """The :class:`Face` for a family; bold falls back to regular only when no bold file exists."""
    with _lock:
        regular, bold_file = FAMILIES[family]
        filename = bold_file if (bold and bold_file) else regular
        path = FONT_DIR / filename
        rl_name = "Brk-" + path.stem
        # mapped by HarfBuzz, not read into memory: shaping touches only the tables and glyphs it uses
        hb_face = hb.Face(hb.Blob.from_file_path(str(path)))
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


def initial_font_name() -> str:
    """A font for ReportLab's canvas to start with: a vendored TrueType face, registered once.

    ReportLab writes a standard font (unembedded Helvetica) into every page's preamble unless the
    canvas starts with a TrueType font; nothing is drawn with it (text goes through :mod:`.pdffont`).
    """
    name = "Brk-Initial"
    with _lock:
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / FAMILIES["NotoSans"][0])))
    return name
