"""TrueType faces embedded as real PDF text: simple TrueType subset fonts with one code per shaped cluster.

Why not ReportLab's own ``TTFont``: it encodes characters, not glyphs, into 256-character simple-font
subsets, so a shaped glyph without a character of its own (an Arabic joining form, a Tamil conjunct,
a Nastaliq contextual form) gets a private-use code whose ToUnicode entry is that private-use code,
and every subset of every font is tagged ``AAAAAA+``. Here the engine places HarfBuzz's glyph ids
itself and each font object says, per code, which glyph it draws and which logical characters it
stands for:

* **Codes** are allocated per shaped cluster (its glyphs and their positions, its text, its
  advance): the same glyph drawn for two different characters (a space glyph that stands for
  U+0020 or for a zero-width non-joiner) gets two codes, each with its own ToUnicode entry, and a
  cluster of several glyphs is one composite glyph, so its characters are extracted once, in
  logical order (Tamil's pre-base vowel sign is drawn first but read second).
* **Subsets** are simple TrueType fonts of at most 255 codes; a face that needs more clusters in a
  document gets several. Each has its own ``cmap`` ((1,0) and (3,0) subtables, code -> glyph),
  ``/Widths`` with the shaped advances, and a ToUnicode map.
* **The font program** holds only the glyphs used, renumbered compactly, and only the tables a PDF
  TrueType program needs.
* **The subset tag** is six letters derived from the face and the glyph set, so no two subsets in a
  document (or in files a print shop merges) share a tag.

Everything is built inside ReportLab's document model: the font registers itself in the document's
``delayedFonts`` and adds its objects when ReportLab writes the file. No Flask in here.
"""

from __future__ import annotations

import hashlib
import mmap
import struct
import threading
from dataclasses import dataclass
from functools import cache

from reportlab.pdfbase import pdfdoc

from .fonts import Face

__all__ = ["EmbeddedFont", "font_for", "subset_program"]

_lock = threading.Lock()
# The tables a TrueType program embedded in a PDF needs (ISO 32000-1 §9.9); the cmap is written per
# subset (code -> glyph), and no layout tables are kept, since the glyphs are already shaped.
_KEEP_TABLES = (b"head", b"hhea", b"maxp", b"OS/2", b"hmtx", b"cvt ", b"fpgm", b"prep", b"loca", b"glyf", b"post")
_ARG_1_AND_2_ARE_WORDS = 0x0001
_WE_HAVE_A_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_WE_HAVE_AN_X_AND_Y_SCALE = 0x0040
_WE_HAVE_A_TWO_BY_TWO = 0x0080


@dataclass(frozen=True)
class _Program:
    """One font file, parsed once per process: its tables, glyph locations and metrics."""

    tables: dict[bytes, memoryview]  # views into the mapped file
    offsets: tuple[int, ...]  # loca: glyph i is glyf[offsets[i]:offsets[i + 1]]
    advances: tuple[int, ...]  # hmtx advance per glyph, font units
    upem: int
    bbox: tuple[int, int, int, int]
    ascent: int
    descent: int
    cap_height: int
    italic_angle: float
    postscript_name: str


def _read_tables(data: bytes) -> dict[bytes, bytes]:
    count = struct.unpack(">H", data[4:6])[0]
    tables = {}
    for i in range(count):
        tag, _checksum, offset, length = struct.unpack(">4sIII", data[12 + 16 * i:28 + 16 * i])
        tables[tag] = data[offset:offset + length]
    return tables


def _postscript_name(name_table: bytes) -> str:
    if not name_table:
        return "Font"
    _fmt, count, string_offset = struct.unpack(">HHH", name_table[:6])
    for i in range(count):
        platform, _enc, _lang, name_id, length, offset = struct.unpack(">6H", name_table[6 + 12 * i:18 + 12 * i])
        if name_id == 6:
            raw = name_table[string_offset + offset:string_offset + offset + length]
            text = raw.decode("utf-16-be" if platform in (0, 3) else "latin-1", "replace")
            return "".join(ch for ch in text if ch.isalnum() or ch in "-_") or "Font"
    return "Font"


@cache
def _program(path: str) -> _Program:
    # The file is mapped, not read: a document touches the glyphs it draws and the tables it keeps,
    # so a process does not hold every face whole (the two Chinese faces alone are 8.5 MB).
    with open(path, "rb") as handle:
        data = memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ))
    tables = _read_tables(data)
    head, hhea, maxp = tables[b"head"], tables[b"hhea"], tables[b"maxp"]
    upem = struct.unpack(">H", head[18:20])[0]
    bbox = struct.unpack(">4h", head[36:44])
    long_loca = struct.unpack(">h", head[50:52])[0] == 1
    glyph_count = struct.unpack(">H", maxp[4:6])[0]
    loca = tables[b"loca"]
    if long_loca:
        offsets = struct.unpack(f">{glyph_count + 1}I", loca[:4 * (glyph_count + 1)])
    else:
        offsets = tuple(2 * v for v in struct.unpack(f">{glyph_count + 1}H", loca[:2 * (glyph_count + 1)]))
    ascent, descent = struct.unpack(">hh", hhea[4:8])
    metric_count = struct.unpack(">H", hhea[34:36])[0]
    hmtx = tables[b"hmtx"]
    advances = list(struct.unpack(f">{metric_count}H", b"".join(hmtx[4 * i:4 * i + 2] for i in range(metric_count))))
    advances += [advances[-1]] * (glyph_count - metric_count)
    os2 = tables.get(b"OS/2", b"")
    cap_height = struct.unpack(">h", os2[88:90])[0] if len(os2) >= 90 else ascent
    post = tables.get(b"post", b"")
    italic_angle = struct.unpack(">i", post[4:8])[0] / 65536 if len(post) >= 8 else 0.0
    return _Program(tables, offsets, tuple(advances), upem, bbox, ascent, descent, cap_height, italic_angle,
                    _postscript_name(bytes(tables.get(b"name", b""))))


def _component_offsets(glyph: bytes) -> list[int]:
    """Where each component's glyph id sits in a composite glyph (empty for simple glyphs)."""
    if len(glyph) < 10 or struct.unpack(">h", glyph[:2])[0] >= 0:
        return []
    out, pos = [], 10
    while True:
        flags = struct.unpack(">H", glyph[pos:pos + 2])[0]
        out.append(pos + 2)
        pos += 4 + (4 if flags & _ARG_1_AND_2_ARE_WORDS else 2)
        if flags & _WE_HAVE_A_SCALE:
            pos += 2
        elif flags & _WE_HAVE_AN_X_AND_Y_SCALE:
            pos += 4
        elif flags & _WE_HAVE_A_TWO_BY_TWO:
            pos += 8
        if not flags & _MORE_COMPONENTS:
            return out


def _components(glyph: bytes) -> list[int]:
    """Glyph ids a composite glyph refers to (empty for simple glyphs)."""
    return [struct.unpack(">H", glyph[at:at + 2])[0] for at in _component_offsets(glyph)]


def _checksum(data: bytes) -> int:
    padded = data + b"\0" * (-len(data) % 4)
    return sum(struct.unpack(f">{len(padded) // 4}I", padded)) & 0xFFFFFFFF


def subset_program(path: str, gids: set[int], composites: tuple[tuple[tuple[int, int, int], ...], ...] = ()
                   ) -> tuple[bytes, dict[int, int]]:
    """The font file with only ``gids`` (plus .notdef and composite components), renumbered
    compactly, and the map from the font's glyph ids to the subset's.

    Each of ``composites`` (a tuple of (gid, dx, dy) in font units) becomes a composite glyph
    appended after the used ones: one shaped cluster, its glyphs at HarfBuzz's positions. In the
    returned map, composite number k is keyed ``len(font's glyphs) + k``.
    """
    program = _program(path)
    glyf = program.tables[b"glyf"]
    offsets = program.offsets
    count = len(offsets) - 1
    keep = {0} | {g for g in gids if 0 <= g < count} | {g for parts in composites for g, _dx, _dy in parts if 0 <= g < count}
    pending = list(keep)
    while pending:
        gid = pending.pop()
        for component in _components(glyf[offsets[gid]:offsets[gid + 1]]):
            if component not in keep and component < count:
                keep.add(component)
                pending.append(component)
    order = sorted(keep)
    new_id = {old: new for new, old in enumerate(order)}
    for k in range(len(composites)):
        new_id[count + k] = len(order) + k
    parts, loca, pos = [], [], 0
    for old in order:
        loca.append(pos)
        glyph = _renumbered(glyf[offsets[old]:offsets[old + 1]], new_id)
        glyph += b"\0" * (-len(glyph) % 4)
        parts.append(glyph)
        pos += len(glyph)
    for components in composites:
        loca.append(pos)
        glyph = _composite_glyph(glyf, offsets, components, new_id)
        parts.append(glyph)
        pos += len(glyph)
    loca.append(pos)
    total = len(order) + len(composites)
    tables = {tag: bytes(data) for tag, data in program.tables.items() if tag in _KEEP_TABLES}
    tables[b"glyf"] = b"".join(parts)
    tables[b"loca"] = struct.pack(f">{total + 1}I", *loca)
    head = bytearray(tables[b"head"])
    head[8:12] = b"\0\0\0\0"  # checkSumAdjustment, set below
    head[50:52] = struct.pack(">h", 1)  # long loca offsets
    tables[b"head"] = bytes(head)
    # Metrics for the kept glyphs; PDF readers take advances from /W, so an appended glyph's own
    # advance only matters to validators: its last component's end. Left side bearings equal each
    # glyph's xMin: rasterisers (FreeType) place a glyph by its bearing, so a wrong one shifts it.
    advances = [program.advances[old] for old in order] + [
        max(0, min(0xFFFF, parts_[-1][1] + program.advances[parts_[-1][0]])) for parts_ in composites]
    bearings = [_x_min(tables[b"glyf"], loca, gid) for gid in range(total)]
    tables[b"hmtx"] = b"".join(struct.pack(">Hh", adv, lsb) for adv, lsb in zip(advances, bearings, strict=True))
    hhea = bytearray(tables[b"hhea"])
    hhea[34:36] = struct.pack(">H", total)
    tables[b"hhea"] = bytes(hhea)
    maxp = bytearray(tables[b"maxp"])
    maxp[4:6] = struct.pack(">H", total)
    if composites and len(maxp) >= 32:
        elements, depth = struct.unpack(">HH", maxp[28:32])
        widest = max(len(parts_) for parts_ in composites)
        maxp[28:32] = struct.pack(">HH", max(elements, widest), max(depth, 1) + 1)
    tables[b"maxp"] = bytes(maxp)
    post = tables.get(b"post")
    if post:
        tables[b"post"] = struct.pack(">I", 0x00030000) + post[4:32]  # no glyph names
    return _assemble({tag: tables[tag] for tag in _KEEP_TABLES if tag in tables}), new_id


def _renumbered(glyph: bytes, new_id: dict[int, int]) -> bytes:
    """A glyph with its composite components' ids mapped to the subset's (simple glyphs unchanged)."""
    offsets = _component_offsets(glyph)
    if not offsets:
        return bytes(glyph)
    data = bytearray(glyph)
    for at in offsets:
        data[at:at + 2] = struct.pack(">H", new_id[struct.unpack(">H", data[at:at + 2])[0]])
    return bytes(data)


def _x_min(glyf: bytes, loca: list[int], gid: int) -> int:
    start, end = loca[gid], loca[gid + 1]
    return struct.unpack(">h", glyf[start + 2:start + 4])[0] if end - start >= 10 else 0


def _composite_glyph(glyf: bytes, offsets, parts: tuple[tuple[int, int, int], ...], new_id: dict[int, int]) -> bytes:
    """A composite glyph drawing each (gid, dx, dy) of ``parts``; its bounding box is their union."""
    clamp = lambda v: max(-32768, min(32767, v))  # noqa: E731
    boxes = []
    records = []
    for index, (gid, dx, dy) in enumerate(parts):
        original = glyf[offsets[gid]:offsets[gid + 1]]
        if len(original) >= 10:
            x0, y0, x1, y1 = struct.unpack(">4h", original[2:10])
            boxes.append((x0 + dx, y0 + dy, x1 + dx, y1 + dy))
        flags = _ARG_1_AND_2_ARE_WORDS | 0x0002  # ARGS_ARE_XY_VALUES
        if index + 1 < len(parts):
            flags |= _MORE_COMPONENTS
        records.append(struct.pack(">HHhh", flags, new_id[gid], clamp(dx), clamp(dy)))
    if boxes:
        box = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    else:
        box = (0, 0, 0, 0)
    glyph = struct.pack(">h4h", -1, *(clamp(v) for v in box)) + b"".join(records)
    return glyph + b"\0" * (-len(glyph) % 4)


def _assemble(tables: dict[bytes, bytes]) -> bytes:
    tags = sorted(tables)
    count = len(tags)
    search = 1
    selector = 0
    while search * 2 <= count:
        search *= 2
        selector += 1
    header = struct.pack(">IHHHH", 0x00010000, count, search * 16, selector, count * 16 - search * 16)
    directory, body = [], []
    offset = 12 + 16 * count
    for tag in tags:
        data = tables[tag]
        directory.append(struct.pack(">4sIII", tag, _checksum(data), offset, len(data)))
        padded = data + b"\0" * (-len(data) % 4)
        body.append(padded)
        offset += len(padded)
    font = bytearray(header + b"".join(directory) + b"".join(body))
    adjustment = (0xB1B0AFBA - _checksum(bytes(font))) & 0xFFFFFFFF
    head_offset = 12 + 16 * count + sum(len(b) for b, t in zip(body, tags, strict=True) if t < b"head")
    font[head_offset + 8:head_offset + 12] = struct.pack(">I", adjustment)
    return bytes(font)


def _tag(postscript_name: str, gids: list[int]) -> str:
    digest = hashlib.sha1((postscript_name + ":" + ",".join(map(str, gids))).encode()).digest()
    value = int.from_bytes(digest[:8], "big")
    letters = []
    for _ in range(6):
        value, rest = divmod(value, 26)
        letters.append(chr(ord("A") + rest))
    return "".join(letters)


def _utf16_hex(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


def _cmap_table(glyph_of_code: list[int]) -> bytes:
    """A cmap with a (1,0) byte table (code -> glyph) and a (3,0) symbol table (0xF000 + code ->
    glyph): the two subtables ISO 32000-1 §9.6.6.4 has a reader use for a symbolic TrueType font
    without an /Encoding, so every reader selects the same glyph for a code."""
    # format 0 holds glyph ids up to 255; a subset whose composites push ids past that is read
    # through (3,0) alone (every reader in use takes (3,0) first)
    byte_table = (struct.pack(">HHH", 0, 262, 0) + bytes(glyph_of_code + [0] * (256 - len(glyph_of_code)))
                  if max(glyph_of_code) < 256 else b"")
    last = 0xF000 + len(glyph_of_code) - 1
    # format 4, two segments: 0xF000..last by an id range, then the required 0xFFFF end
    segments = [(0xF000, last), (0xFFFF, 0xFFFF)]
    seg_x2 = 2 * len(segments)
    search = 2
    selector = 0
    while search * 2 <= seg_x2:
        search *= 2
        selector += 1
    ends = struct.pack(">2H", last, 0xFFFF)
    starts = struct.pack(">2H", 0xF000, 0xFFFF)
    deltas = struct.pack(">2h", 0, 1)
    # idRangeOffset of segment 0 points past the two offsets to the glyph array (ISO/IEC 14496-22)
    range_offsets = struct.pack(">2H", 4, 0)
    glyphs = struct.pack(f">{len(glyph_of_code)}H", *glyph_of_code)
    body = ends + b"\0\0" + starts + deltas + range_offsets + glyphs
    symbol_table = struct.pack(">7H", 4, 14 + len(body), 0, seg_x2, search, selector, seg_x2 - search) + body
    if not byte_table:
        return struct.pack(">HHHHI", 0, 1, 3, 0, 12) + symbol_table
    records = struct.pack(">HHI", 1, 0, 4 + 16) + struct.pack(">HHI", 3, 0, 4 + 16 + len(byte_table))
    return struct.pack(">HH", 0, 2) + records + byte_table + symbol_table


#: Codes per subset font: a simple font has one-byte codes; 0 is left unused (.notdef).
CODES_PER_SUBSET = 255


class _Subset:
    """One simple TrueType font of a face: up to 255 codes, each one shaped cluster."""

    def __init__(self, resource_name: str):
        self.resource_name = resource_name
        self.glyphs: list[int] = [0]  # per code: the face's glyph id, or an appended composite's key
        self.texts: list[str] = [""]
        self.widths: list[float] = [0]
        self.composites: dict[tuple, int] = {}  # components -> appended composite number


class EmbeddedFont:
    """One face in one document: the clusters used so far, spread over simple TrueType subset fonts
    of at most 255 codes each, and the PDF objects made from them at save time.

    Why simple fonts and not one Type 0 / CIDFontType2 font per face: Ghostscript's ps2write (what
    CUPS and many office printers convert a PDF with) turns every CIDFontType2 font into Type 3
    glyph procedures, thousands per document, which made converting a letter about ten times as
    slow as a plain document's; simple TrueType fonts it keeps as Type 42 fonts.
    """

    def __init__(self, face: Face, resource_name: str):
        self.face = face
        self.resource_name = resource_name  # e.g. "BrkF1": subsets are "BrkF1s0", "BrkF1s1", ...
        self._program = _program(str(face.path))
        self._codes: dict[tuple, int] = {}
        self._subsets: list[_Subset] = []
        self._glyph_count = len(self._program.offsets) - 1

    @property
    def scale(self) -> float:
        return 1000.0 / self._program.upem

    def cid(self, components: tuple[tuple[int, int, int], ...], text: str, advance: float) -> int:
        """The code (``subset * 256 + byte``) that draws one cluster and reads as its characters.

        ``components`` are the cluster's glyphs as (gid, dx, dy) in font units from the cluster's
        origin (HarfBuzz's advances within the cluster plus its x/y offsets: Nastaliq's cascade,
        marks, Tamil's pre-base vowel sign); ``advance`` is the cluster's advance in thousandths of
        the font size. A cluster of one unshifted glyph draws that glyph; any other becomes one
        composite glyph (see :func:`subset_program`). So every code is one cluster: it reads as the
        cluster's characters in logical order, its width is the shaped advance, and the page's text
        stays on one baseline with no zero-width glyphs, which is what extractors group lines and
        words by.
        """
        key = (components, text, advance)
        code = self._codes.get(key)
        if code is None:
            if not self._subsets or len(self._subsets[-1].glyphs) > CODES_PER_SUBSET:
                self._subsets.append(_Subset(f"{self.resource_name}s{len(self._subsets)}"))
            subset = self._subsets[-1]
            if len(components) == 1 and components[0][1] == 0 and components[0][2] == 0:
                glyph = components[0][0]
            else:
                glyph = self._glyph_count + subset.composites.setdefault(components, len(subset.composites))
            code = self._codes[key] = (len(self._subsets) - 1) * 256 + len(subset.glyphs)
            subset.glyphs.append(glyph)
            subset.texts.append(text)
            subset.widths.append(advance)
        return code

    def width(self, code: int) -> float:
        """The advance a PDF reader applies after ``code``, in thousandths of the font size."""
        return self._subsets[code >> 8].widths[code & 0xFF]

    def resource(self, code: int) -> str:
        """The page resource name of the subset font that holds ``code``."""
        return self._subsets[code >> 8].resource_name

    # -- the PDF objects ----------------------------------------------------------------------------

    def addObjects(self, doc) -> None:  # noqa: N802 (ReportLab's delayed-font protocol)
        for index, subset in enumerate(self._subsets):
            self._add_subset(doc, index, subset)

    def _add_subset(self, doc, index: int, subset: _Subset) -> None:
        program = self._program
        composites = tuple(key for key, _n in sorted(subset.composites.items(), key=lambda item: item[1]))
        gids = sorted({g for g in subset.glyphs if g < self._glyph_count})
        identity = [index] + gids + [value for parts in composites for part in parts for value in part]
        base_name = f"{_tag(program.postscript_name, identity)}+{program.postscript_name}"
        scale = 1000.0 / program.upem
        compress = [pdfdoc.PDFZCompress] if doc.compression else []

        font_file = pdfdoc.PDFStream()
        content, new_id = subset_program(str(self.face.path), set(gids), composites)
        cmap = _cmap_table([new_id[g] for g in subset.glyphs])
        font_file.content = _with_table(content, b"cmap", cmap)
        font_file.dictionary["Length1"] = len(font_file.content)
        font_file.filters = compress

        descriptor = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("FontDescriptor"),
            "FontName": pdfdoc.PDFName(base_name),
            "Flags": 4,  # symbolic: the font's own cmap selects glyphs, not a standard encoding
            "FontBBox": pdfdoc.PDFArray([round(v * scale) for v in program.bbox]),
            "ItalicAngle": program.italic_angle,
            "Ascent": round(program.ascent * scale),
            "Descent": round(program.descent * scale),
            "CapHeight": round(program.cap_height * scale),
            "StemV": 80,
            "FontFile2": doc.Reference(font_file),
        })

        to_unicode = pdfdoc.PDFStream()
        to_unicode.content = _to_unicode_cmap(base_name, subset.texts)
        to_unicode.filters = compress

        last = len(subset.glyphs) - 1
        font = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("TrueType"),
            "BaseFont": pdfdoc.PDFName(base_name),
            "FirstChar": 1,
            "LastChar": last,
            "Widths": pdfdoc.PDFArray(subset.widths[1:]),
            "FontDescriptor": doc.Reference(descriptor),
            "ToUnicode": doc.Reference(to_unicode),
        })
        name = subset.resource_name
        doc.idToObject["BasicFonts"].dict[name] = doc.Reference(font, f"BrkFont.{name}")


def _with_table(font: bytes, tag: bytes, data: bytes) -> bytes:
    """``font`` with table ``tag`` added (or replaced)."""
    tables = _read_tables(font)
    tables[tag] = data
    return _assemble(tables)


def _to_unicode_cmap(name: str, texts: list[str]) -> str:
    entries = [(code, text) for code, text in enumerate(texts) if code]
    lines = [
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        f"/CMapName /{name.replace('+', '-')}-UCS def", "/CMapType 2 def",
        "1 begincodespacerange", "<00> <FF>", "endcodespacerange",
    ]
    for start in range(0, len(entries), 100):
        chunk = entries[start:start + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        # An empty destination string says "no characters of my own" (ISO 32000-1 §9.10.3 allows
        # any length): a cluster of nothing but invisible characters.
        lines.extend(f"<{code:02X}> <{_utf16_hex(text)}>" for code, text in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
    return "\n".join(lines)


def font_for(canvas, face: Face) -> EmbeddedFont:
    """The document's embedded font for ``face``, created and registered on first use."""
    doc = canvas._doc
    registry = doc.__dict__.setdefault("_brk_fonts", {})
    font = registry.get(face.rl_name)
    if font is None:
        with _lock:
            font = registry.get(face.rl_name)
            if font is None:
                font = registry[face.rl_name] = EmbeddedFont(face, f"BrkF{len(registry) + 1}")
                doc.delayedFonts.append(font)
    return font
