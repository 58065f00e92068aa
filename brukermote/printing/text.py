"""Multilingual text engine for printed material: shaping, bidi, line breaking, drawing, extraction.

Fed plain strings and a language code (see ``brukermote.core.languages``); no Flask in here.

Pipeline (per paragraph; ``\\n`` separates paragraphs):

1. NFC-normalise (ZWNJ/ZWJ are kept: Persian needs them).
2. Bidi embedding levels with python-bidi's UAX #9 implementation; the paragraph base direction
   comes from the language, never guessed from the text.
3. Itemise into runs of one script, one level and one font. Common/Inherited characters (digits,
   spaces, punctuation, marks) join their neighbours. The font is the first face of the language's
   chain (then :data:`fonts.FALLBACK_CHAIN`) whose cmap has the character; common characters stay
   in the neighbour's face when it has them (so Arabic-Indic digits stay Naskh, while ASCII digits
   in Tigrinya fall back to Noto Sans, which Noto Sans Ethiopic lacks).
4. Shape each run with HarfBuzz (direction from the bidi level, script and language set
   explicitly; ``dlig`` off for CJK so "12月3日" is not turned into a telegraph symbol). Shaping
   is done in font units and cached per (text, face, direction, script, language): the same
   phrases repeat across hundreds of letters.
5. Break lines greedily on shaped widths: after spaces, and between ideographs for Chinese (not
   before closing / after opening CJK punctuation); a word longer than the line is broken between
   grapheme clusters. Each line's runs are re-shaped (cached) and reordered visually (UAX #9 L2).
6. Drawing is :mod:`.pdftext`'s: real text in embedded subset fonts, one CID per shaped cluster.

Public API: :func:`layout`, :func:`fit`, :func:`line_offset`, :func:`normalise_extracted`;
:class:`Block` / :class:`Line` / :class:`Piece` describe a layout.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import bidi.algorithm as _bidi
import uharfbuzz as hb
from fontTools import unicodedata as ft_unicodedata

from ..core import languages
from . import fonts
from .fonts import Face

__all__ = ["Block", "Line", "Piece", "layout", "fit", "line_offset", "normalise_extracted"]

_COMMON = {"Zyyy", "Zinh", "Zzzz"}
_CJK_SCRIPTS = {"Hani", "Hira", "Kana", "Hang", "Bopo"}
# no line break before these / after those (CJK kinsoku, simplified)
_NO_BREAK_BEFORE = set("、。，．：；！？）】」』〕〉》〗〙〛’”…‥・ー々〻,.:;!?)]}%")
_NO_BREAK_AFTER = set("（【「『〔〈《〖〘〚‘“([{$£¥€")
_SPACES = {" ", "\u3000", "\t"}
_ZWSP = "\u200b"
NBSP = "\u00a0"
_SHAPE_CACHE_SIZE = 65536
# In right-to-left paragraphs, UAX #9 lays out "+47 22 33 44 55" as "55 44 33 22 47+" (each digit group
# is its own left-to-right run). Phone-like numbers are therefore embedded left-to-right (LRE … PDF).
_PHONE_LIKE = re.compile(r"\+\d+(?:[ \u00a0\-]\d+)*|\d+(?:[ \u00a0\-]\d+){2,}")
# Groups that must never be broken across lines: phone numbers ("23 00 00 00", "+47 912 34 567")
# and times and time ranges ("13:30 – 15:30"). Their spaces become no-break spaces before breaking.
_NO_BREAK = re.compile(
    r"\+?\d+(?:[ \-]\d+){2,}|\+\d+(?:[ \-]\d+)+"
    r"|\d{1,2}[:.]\d{2}(?:\s*[–—-]\s*\d{1,2}[:.]\d{2})?"
)


# --------------------------------------------------------------------------------------------
# Layout data
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Piece:
    """A shaped run on one line: one face, one direction. Glyphs are in visual (drawing) order."""

    text: str  # logical characters
    start: int  # offset of ``text`` in the line's logical text
    face: Face
    rtl: bool
    level: int
    script: str
    x: float  # offset from the line's left edge, points
    width: float  # points
    glyphs: tuple[tuple[int, float, float, float, int], ...]  # (gid, x_advance, x_offset, y_offset, cluster), points


@dataclass(frozen=True)
class Line:
    pieces: tuple[Piece, ...]  # visual order, left to right
    text: str  # logical text of the line
    width: float
    ascent: float
    descent: float
    baseline: float  # distance from the block's top to this line's baseline
    forced_break: bool  # True when a word had to be broken because it is wider than the line


@dataclass(frozen=True)
class Block:
    lines: tuple[Line, ...]
    width: float  # widest line
    height: float  # from the top of the first line to the bottom of the last
    font_size: float
    max_width: float | None
    align: str
    rtl: bool
    lang: str

    @property
    def overflows(self) -> bool:
        return self.max_width is not None and self.width > self.max_width + 1e-6

    @property
    def forced_breaks(self) -> bool:
        return any(line.forced_break for line in self.lines)


# --------------------------------------------------------------------------------------------
# Itemisation: bidi levels, scripts, fonts
# --------------------------------------------------------------------------------------------


def _bidi_levels(text: str, rtl: bool) -> list[int]:
    """UAX #9 resolved embedding levels per character (python-bidi), paragraph level from ``rtl``.

    Characters removed by rule X9 (embedding controls, ZWNJ, ZWJ …) take the level of the
    character before them.
    """
    base = 1 if rtl else 0
    levels: list[int | None] = [None] * len(text)
    storage = _bidi.get_empty_storage()
    storage["base_level"] = base
    storage["base_dir"] = "R" if rtl else "L"
    _bidi.get_embedding_levels(text, storage, False, False)
    for idx, info in enumerate(storage["chars"]):
        info["idx"] = idx
    _bidi.explicit_embed_and_overrides(storage, False)
    _bidi.resolve_weak_types(storage, False)
    _bidi.resolve_neutral_types(storage, False)
    _bidi.resolve_implicit_levels(storage, False)
    for info in storage["chars"]:
        levels[info["idx"]] = info["level"]
    out = []
    for i, level in enumerate(levels):
        if level is None:
            level = out[-1] if out else next((lv for lv in levels[i:] if lv is not None), base)
        out.append(level)
    return out


@lru_cache(maxsize=8192)
def _itemise(text: str, lang: str, bold: bool) -> tuple[tuple[int, int, int, str, Face], ...]:
    """Runs (start, end, level, script, face) covering the paragraph, in logical order."""
    language = languages.get(lang)
    chain = fonts.chain(language.fonts, bold)
    n = len(text)
    if not n:
        return ()
    levels = _bidi_levels(text, language.rtl)
    scripts = [_script(ch) for ch in text]
    strong = [s not in _COMMON for s in scripts]

    # scripts: common characters take the previous script, or the next strong one at the start
    resolved = list(scripts)
    last = None
    for i in range(n):
        if strong[i]:
            last = scripts[i]
        elif last is not None:
            resolved[i] = last
    nxt = None
    for i in range(n - 1, -1, -1):
        if strong[i]:
            nxt = scripts[i]
        elif resolved[i] in _COMMON:
            resolved[i] = nxt or language.script

    # faces: strong characters → first covering face; common ones stay with a neighbour if possible
    faces: list[Face | None] = [None] * n
    for i in range(n):
        if strong[i]:
            faces[i] = fonts.first_covering(chain, text[i]) or chain[0]
    for i in range(n):
        if faces[i] is None:
            ch = text[i]
            prev = faces[i - 1] if i else None
            if prev is not None and (prev.covers(ch) or _ignorable(ch)):
                faces[i] = prev
                continue
            nxt_face = next((faces[j] for j in range(i + 1, n) if strong[j]), None)
            if nxt_face is not None and (nxt_face.covers(ch) or _ignorable(ch)):
                faces[i] = nxt_face
            else:
                faces[i] = fonts.first_covering(chain, ch) or prev or chain[0]

    runs = []
    start = 0
    for i in range(1, n + 1):
        if i == n or levels[i] != levels[start] or faces[i] is not faces[start] or resolved[i] != resolved[start]:
            runs.append((start, i, levels[start], resolved[start], faces[start]))
            start = i
    return tuple(runs)


def _ignorable(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cf", "Mn") or ch in ("\u200c", "\u200d")


# --------------------------------------------------------------------------------------------
# Shaping
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=_SHAPE_CACHE_SIZE)
def _shape(text: str, face: Face, rtl: bool, script: str, lang: str) -> tuple[tuple[int, int, int, int, int], ...]:
    """HarfBuzz glyphs (gid, x_advance, x_offset, y_offset, cluster) in font units, visual order."""
    buf = hb.Buffer()
    buf.add_str(text)
    buf.direction = "rtl" if rtl else "ltr"
    buf.script = script if script not in _COMMON else "Latn"
    buf.language = lang
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    features = {"kern": True, "liga": True}
    if script in _CJK_SCRIPTS or face.family == "NotoSansSC":
        features["dlig"] = False
    with fonts._lock:
        hb.shape(face.hb_font, buf, features)
    return tuple(
        (info.codepoint, pos.x_advance, pos.x_offset, pos.y_offset, info.cluster)
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=False)
    )


def _char_advances(text: str, runs, lang: str) -> tuple[list[float], list[bool]]:
    """Per character: advance in ems (summed per cluster onto its first character), cluster start."""
    adv = [0.0] * len(text)
    starts = [False] * len(text)
    for start, end, level, script, face in runs:
        for _gid, x_adv, _xo, _yo, cluster in _shape(text[start:end], face, level % 2 == 1, script, lang):
            adv[start + cluster] += x_adv / face.upem
            starts[start + cluster] = True
    return adv, starts


# --------------------------------------------------------------------------------------------
# Line breaking
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def _script(ch: str) -> str:
    """A character's script, remembered: fontTools bisects its tables on every call, and a mail
    merge asks about the same few hundred characters some hundred thousand times."""
    return ft_unicodedata.script(ch)


@lru_cache(maxsize=8192)
def _is_cjk(ch: str) -> bool:
    return _script(ch) in _CJK_SCRIPTS or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef"


def _break_opportunities(text: str) -> list[int]:
    """Positions (0 < i < len) before which a line may break."""
    out = []
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if b in _SPACES:
            continue
        if a in _SPACES or a == _ZWSP:
            out.append(i)
        elif (_is_cjk(a) or _is_cjk(b)) and b not in _NO_BREAK_BEFORE and a not in _NO_BREAK_AFTER:
            out.append(i)
    return out


def _break_opportunities_set(text: str, a: int, b: int) -> set[int]:
    return {a + i for i in _break_opportunities(text[a:b])}


def _strip_range(text: str, start: int, end: int) -> tuple[int, int]:
    while end > start and (text[end - 1] in _SPACES or text[end - 1] == _ZWSP):
        end -= 1
    return start, end


def _break_lines(text: str, adv: list[float], starts: list[bool], size: float, max_width: float | None):
    """Greedy breaking on char advances. Returns [(start, end, forced)] with trailing spaces removed."""
    n = len(text)
    if max_width is None:
        return [(*_strip_range(text, 0, n), False)]
    bounds = [0, *_break_opportunities(text), n]
    segments = [(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]

    def width(a: int, b: int) -> float:
        a, b = _strip_range(text, a, b)
        return sum(adv[a:b]) * size

    lines = []
    line_start = None
    line_end = None
    for seg_start, seg_end in segments:
        if line_start is None:
            line_start, line_end = seg_start, seg_end
        elif width(line_start, seg_end) <= max_width:
            line_end = seg_end
            continue
        else:
            lines.append((line_start, line_end, False))
            line_start, line_end = seg_start, seg_end
        # a single segment wider than the line: break it between clusters
        while width(line_start, line_end) > max_width:
            a, b = _strip_range(text, line_start, line_end)
            acc = 0.0
            cut = None
            for i in range(a, b):
                if starts[i] and i > a and acc + sum(adv[i:_next_cluster(starts, i, b)]) * size > max_width:
                    cut = i
                    break
                acc += adv[i] * size
            if cut is None:
                break
            lines.append((line_start, cut, True))
            line_start = cut
    if line_start is not None:
        lines.append((line_start, line_end, False))
    return [(*_strip_range(text, a, b), forced) for a, b, forced in lines]


def _next_cluster(starts: list[bool], i: int, end: int) -> int:
    j = i + 1
    while j < end and not starts[j]:
        j += 1
    return j


# --------------------------------------------------------------------------------------------
# Lines
# --------------------------------------------------------------------------------------------


def _make_line(text: str, a: int, b: int, runs, lang: str, size: float, forced: bool, fallback: Face) -> Line:
    pieces_logical = []
    for start, end, level, script, face in runs:
        s, e = max(start, a), min(end, b)
        if s >= e:
            continue
        pieces_logical.append((text[s:e], level, script, face, s - a))
    if not pieces_logical:
        return Line((), "", 0.0, fallback.ascent * size, fallback.descent * size, 0.0, forced)

    # UAX #9 L2: from the highest level down to the lowest odd level, reverse sequences at >= level
    order = list(range(len(pieces_logical)))
    lvls = [p[1] for p in pieces_logical]
    lowest_odd = min((lv for lv in lvls if lv % 2), default=None)
    if lowest_odd is not None:
        for level in range(max(lvls), lowest_odd - 1, -1):
            i = 0
            while i < len(order):
                if lvls[order[i]] >= level:
                    j = i
                    while j < len(order) and lvls[order[j]] >= level:
                        j += 1
                    order[i:j] = reversed(order[i:j])
                    i = j
                else:
                    i += 1

    pieces = []
    x = 0.0
    for idx in order:
        chunk, level, script, face, offset = pieces_logical[idx]
        rtl = level % 2 == 1
        scale = size / face.upem
        glyphs = tuple(
            (gid, xa * scale, xo * scale, yo * scale, cl) for gid, xa, xo, yo, cl in _shape(chunk, face, rtl, script, lang)
        )
        width = sum(g[1] for g in glyphs)
        pieces.append(Piece(chunk, offset, face, rtl, level, script, x, width, glyphs))
        x += width
    # Ink that reaches past the advances (Nastaliq's swashes, an italic overhang) counts as width:
    # the line is moved right by what overhangs on the left, and is as wide as its ink.
    # Likewise above and below: Nastaliq's tall letters and stacked dots reach past the font's ascent.
    ink_left, ink_right, ink_top, ink_bottom = _ink_extent(pieces, size)
    before, after = max(0.0, -ink_left), max(0.0, ink_right - x)
    if before:
        pieces = [Piece(p.text, p.start, p.face, p.rtl, p.level, p.script, p.x + before, p.width, p.glyphs)
                  for p in pieces]
    ascent = max(max(p.face.ascent for p in pieces) * size, ink_top)
    descent = max(max(p.face.descent for p in pieces) * size, -ink_bottom)
    return Line(tuple(pieces), text[a:b], before + x + after, ascent, descent, 0.0, forced)


def _ink_extent(pieces: list[Piece], size: float) -> tuple[float, float, float, float]:
    """Left, right, top and bottom of the line's ink, in points from the first advance's start and
    the baseline."""
    left = right = top = bottom = 0.0
    for piece in pieces:
        pen = piece.x
        scale = size / piece.face.upem
        for gid, x_advance, x_offset, y_offset, _cl in piece.glyphs:
            x_bearing, y_bearing, width, height = _glyph_ink(piece.face, gid)
            if width:
                start = pen + x_offset + x_bearing * scale
                left, right = min(left, start), max(right, start + width * scale)
                high = y_offset + y_bearing * scale
                top, bottom = max(top, high), min(bottom, high + height * scale)  # height is negative
            pen += x_advance
    return left, right, top, bottom


@lru_cache(maxsize=65536)
def _glyph_ink(face: Face, gid: int) -> tuple[int, int, int, int]:
    """(x bearing, y bearing, width, height) of a glyph's ink in font units (height downwards, < 0)."""
    with fonts._lock:
        extents = face.hb_font.get_glyph_extents(gid)
    return (extents.x_bearing, extents.y_bearing, extents.width, extents.height) if extents else (0, 0, 0, 0)


def _leading(line: Line, size: float, line_height: float, fallback: Face) -> float:
    faces = [p.face for p in line.pieces] or [fallback]
    return size * line_height * max(1.0, max(f.extent for f in faces) / 1.5)


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def layout(
    text: str,
    lang: str,
    font_size: float,
    max_width: float | None = None,
    bold: bool = False,
    align: str = "start",
    line_height: float = 1.3,
) -> Block:
    """Lay out ``text`` in language ``lang`` at ``font_size`` points, wrapped to ``max_width`` points.

    ``align`` is ``"start"`` (left for LTR, right for RTL languages), ``"center"`` or ``"end"``;
    ``line_height`` is the baseline distance in ems (scripts with tall fonts get more).
    Returns an immutable, cached :class:`Block`; ``\\n`` starts a new paragraph.
    """
    if align not in ("start", "center", "end", "left", "right"):
        raise ValueError(f"align must be start, center or end, not {align!r}")
    language = languages.get(lang)
    fallback = fonts.chain(language.fonts, bold)[0]
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _NO_BREAK.sub(lambda m: m.group(0).replace(" ", NBSP), text)
    if language.rtl:
        text = _PHONE_LIKE.sub(lambda m: "\u202a" + m.group(0) + "\u202c", text)
    lines: list[Line] = []
    for paragraph in text.split("\n"):
        runs = _itemise(paragraph, lang, bold)
        adv, starts = _char_advances(paragraph, runs, lang)
        pending = list(_break_lines(paragraph, adv, starts, font_size, max_width))
        while pending:
            a, b, forced = pending.pop(0)
            line = _make_line(paragraph, a, b, runs, lang, font_size, forced, fallback)
            # Shaping in context (kerning, Arabic joining forms) can make a line a hair wider than
            # the isolated advances promised: move the break back (to a space, else a cluster).
            if max_width is not None and line.width > max_width:
                cut = None
                if not forced:
                    cut = max((a + i for i in _break_opportunities(paragraph[a:b]) if 0 < i < b - a), default=None)
                if cut is None:
                    cut = max((i for i in range(a + 1, b) if starts[i]), default=None)
                if cut is not None:
                    a1, b1 = _strip_range(paragraph, a, cut)
                    a2, b2 = _strip_range(paragraph, cut, b)
                    if a1 < b1 and a2 < b2:
                        pending[:0] = [(a1, b1, forced or cut not in _break_opportunities_set(paragraph, a, b)),
                                       (a2, b2, forced)]
                        continue
            lines.append(line)

    # vertical metrics
    placed = []
    y = 0.0
    for i, line in enumerate(lines):
        if i == 0:
            y = line.ascent
        else:
            y += _leading(line, font_size, line_height, fallback)
        placed.append(Line(line.pieces, line.text, line.width, line.ascent, line.descent, y, line.forced_break))
    height = (y + placed[-1].descent) if placed else 0.0
    width = max((line.width for line in placed), default=0.0)
    return Block(tuple(placed), width, height, font_size, max_width, align, language.rtl, lang)


def line_offset(block: Block, line: Line, box_width: float | None = None) -> float:
    """Horizontal offset of a line inside a box of ``box_width`` (default: max_width or block width)."""
    box = box_width if box_width is not None else (block.max_width if block.max_width is not None else block.width)
    align = block.align
    if align == "start":
        align = "right" if block.rtl else "left"
    elif align == "end":
        align = "left" if block.rtl else "right"
    if align == "left":
        return 0.0
    if align == "right":
        return box - line.width
    return (box - line.width) / 2


def fit(
    text: str,
    lang: str,
    max_width: float,
    max_height: float,
    max_size: float,
    min_size: float = 6.0,
    bold: bool = False,
    line_height: float = 1.3,
    step: float = 0.5,
) -> float:
    """The largest font size (multiple of ``step``, within [min_size, max_size]) at which the text fits
    the box without breaking inside a word. Returns ``min_size`` if even that does not fit."""

    def fits(size: float) -> bool:
        block = layout(text, lang, size, max_width, bold, "start", line_height)
        return block.height <= max_height and not block.forced_breaks and not block.overflows

    lo, hi = int(min_size / step), int(max_size / step)
    if fits(hi * step):
        return hi * step
    best = lo
    while lo <= hi:
        mid = (lo + hi) // 2
        if fits(mid * step):
            best, lo = mid, mid + 1
        else:
            hi = mid - 1
    return best * step


_BIDI_CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u200c\u200d\ufeff]")


def normalise_extracted(text: str, spaces: bool = True) -> str:
    """Extracted PDF text made comparable: NFC, bidi/joiner controls removed, whitespace collapsed.

    With ``spaces=False`` all whitespace is removed: poppler and pypdf recover the logical order of
    the characters of right-to-left lines but place the spaces around embedded numbers differently
    ("الأربعاء 3. ديسمبر" may come out as "الأربعاء  3.ديسمبر"), so compare right-to-left text
    with ``spaces=False`` on both sides.
    """
    text = _BIDI_CONTROLS.sub("", unicodedata.normalize("NFC", text))
    return " ".join(text.split()) if spaces else "".join(text.split())
