"""TrueType faces embedded as real PDF text: Type 0 / CIDFontType2 fonts with one CID per (glyph, text).

Why not ReportLab's own ``TTFont``: it encodes characters, not glyphs, into 256-character simple-font
subsets, so a shaped glyph without a character of its own (an Arabic joining form, a Tamil conjunct,
a Nastaliq contextual form) gets a private-use code whose ToUnicode entry is that private-use code,
and every subset of every font is tagged ``AAAAAA+``. Here the engine places HarfBuzz's glyph ids
itself and each font object says, per code, which glyph it draws and which logical characters it
stands for:

* **CIDs** are allocated per (glyph id, text): the same glyph drawn for two different characters (a
  space glyph that stands for U+0020 or for a zero-width non-joiner) gets two CIDs, both mapped to
  that glyph through ``CIDToGIDMap``, each with its own ToUnicode entry. A glyph that is part of a
  multi-glyph cluster but not its first carries the empty text, so the cluster's characters are
  extracted once, in logical order (Tamil's pre-base vowel sign is drawn first but read second).
* **The font program** holds only the glyphs used, renumbered compactly (the ``CIDToGIDMap`` maps
  each CID to its glyph), and only the tables a PDF TrueType program needs.
* **The subset tag** is six letters derived from the face and the glyph set, so no two subsets in a
  document (or in files a print shop merges) share a tag.

Everything is built inside ReportLab's document model: the font registers itself in the document's
``delayedFonts`` and adds its objects when ReportLab writes the file. No Flask in here.
"""

from __future__ import annotations

import hashlib
import struct
import threading
from dataclasses import dataclass
from functools import cache

from reportlab.pdfbase import pdfdoc

from .fonts import Face

__all__ = ["EmbeddedFont", "font_for", "subset_program"]

_lock = threading.Lock()
# The tables a TrueType program embedded in a PDF needs (ISO 32000-1 §9.9); no cmap, since the
# CIDToGIDMap selects glyphs, and no layout tables, since the glyphs are already shaped.
_KEEP_TABLES = (b"head", b"hhea", b"maxp", b"OS/2", b"hmtx", b"cvt ", b"fpgm", b"prep", b"loca", b"glyf", b"post")
_ARG_1_AND_2_ARE_WORDS = 0x0001
_WE_HAVE_A_SCALE = 0x0008
_MORE_COMPONENTS = 0x0020
_WE_HAVE_AN_X_AND_Y_SCALE = 0x0040
_WE_HAVE_A_TWO_BY_TWO = 0x0080


@dataclass(frozen=True)
class _Program:
    """One font file, parsed once per process: its tables, glyph locations and metrics."""

    tables: dict[bytes, bytes]
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
    with open(path, "rb") as handle:
        data = handle.read()
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
                    _postscript_name(tables.get(b"name", b"")))


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
    tables = dict(program.tables)
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
        return glyph
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


class EmbeddedFont:
    """One face in one document: the CIDs used so far and the PDF objects made from them at save time."""

    def __init__(self, face: Face, resource_name: str):
        self.face = face
        self.resource_name = resource_name  # e.g. "BrkF1": the name in the page's /Font resources
        self._program = _program(str(face.path))
        self._cids: dict[tuple, int] = {(((0, 0, 0),), "", 0): 0}
        self._cid_gid: list[int] = [0]
        self._cid_text: list[str] = [""]
        self._widths: list[int] = [0]
        self._glyph_count = len(self._program.offsets) - 1
        self._composites: dict[tuple, int] = {}  # components -> appended composite glyph id

    @property
    def scale(self) -> float:
        return 1000.0 / self._program.upem

    def _width(self, gid: int) -> int:
        advances = self._program.advances
        return round(advances[gid] * 1000 / self._program.upem) if gid < len(advances) else 0

    def cid(self, components: tuple[tuple[int, int, int], ...], text: str, advance: float) -> int:
        """The CID that draws one cluster and reads as its characters.

        ``components`` are the cluster's glyphs as (gid, dx, dy) in font units from the cluster's
        origin (HarfBuzz's advances within the cluster plus its x/y offsets: Nastaliq's cascade,
        marks, Tamil's pre-base vowel sign); ``advance`` is the cluster's advance in thousandths of
        the font size. A cluster of one unshifted glyph draws that glyph; any other becomes one
        composite glyph (see :func:`subset_program`). So every CID is one cluster: it reads as the
        cluster's characters in logical order, its width is the shaped advance, and the page's text
        stays on one baseline with no zero-width glyphs, which is what extractors group lines and
        words by.
        """
        key = (components, text, advance)
        cid = self._cids.get(key)
        if cid is None:
            cid = self._cids[key] = len(self._cid_gid)
            if cid > 0xFFFF:
                raise ValueError(f"{self.face.rl_name}: more than 65535 distinct clusters in one document")
            if len(components) == 1 and components[0][1] == 0 and components[0][2] == 0:
                glyph = components[0][0]
            else:
                glyph = self._composites.setdefault(components, self._glyph_count + len(self._composites))
            self._cid_gid.append(glyph)
            self._cid_text.append(text)
            self._widths.append(advance)
        return cid

    def width(self, cid: int) -> float:
        """The advance a PDF reader applies after ``cid``, in thousandths of the font size."""
        return self._widths[cid]

    # -- the PDF objects ----------------------------------------------------------------------------

    def addObjects(self, doc) -> None:  # noqa: N802 (ReportLab's delayed-font protocol)
        program = self._program
        composites = tuple(key for key, _gid in sorted(self._composites.items(), key=lambda item: item[1]))
        gids = sorted({g for g in self._cid_gid if g < self._glyph_count})
        identity = gids + [value for parts in composites for part in parts for value in part]
        base_name = f"{_tag(program.postscript_name, identity)}+{program.postscript_name}"
        scale = 1000.0 / program.upem
        compress = [pdfdoc.PDFZCompress] if doc.compression else []

        font_file = pdfdoc.PDFStream()
        font_file.content, new_id = subset_program(str(self.face.path), set(gids), composites)
        font_file.dictionary["Length1"] = len(font_file.content)
        font_file.filters = compress

        descriptor = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("FontDescriptor"),
            "FontName": pdfdoc.PDFName(base_name),
            "Flags": 4,  # symbolic: glyphs are selected by the CIDToGIDMap, not by a standard encoding
            "FontBBox": pdfdoc.PDFArray([round(v * scale) for v in program.bbox]),
            "ItalicAngle": program.italic_angle,
            "Ascent": round(program.ascent * scale),
            "Descent": round(program.descent * scale),
            "CapHeight": round(program.cap_height * scale),
            "StemV": 80,
            "FontFile2": doc.Reference(font_file),
        })

        cid_to_gid = pdfdoc.PDFStream()
        cid_to_gid.content = struct.pack(f">{len(self._cid_gid)}H", *(new_id[g] for g in self._cid_gid))
        cid_to_gid.filters = compress

        descendant = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("CIDFontType2"),
            "BaseFont": pdfdoc.PDFName(base_name),
            "CIDSystemInfo": pdfdoc.PDFDictionary({
                "Registry": pdfdoc.PDFString("Adobe"), "Ordering": pdfdoc.PDFString("Identity"), "Supplement": 0,
            }),
            "FontDescriptor": doc.Reference(descriptor),
            "DW": 0,
            "W": pdfdoc.PDFArray([0, pdfdoc.PDFArray(self._widths)]),
            "CIDToGIDMap": doc.Reference(cid_to_gid),
        })

        to_unicode = pdfdoc.PDFStream()
        to_unicode.content = self._to_unicode_cmap(base_name)
        to_unicode.filters = compress

        font = pdfdoc.PDFDictionary({
            "Type": pdfdoc.PDFName("Font"),
            "Subtype": pdfdoc.PDFName("Type0"),
            "BaseFont": pdfdoc.PDFName(base_name),
            "Encoding": pdfdoc.PDFName("Identity-H"),
            "DescendantFonts": pdfdoc.PDFArray([doc.Reference(descendant)]),
            "ToUnicode": doc.Reference(to_unicode),
        })
        doc.idToObject["BasicFonts"].dict[self.resource_name] = doc.Reference(font, f"BrkFont.{self.resource_name}")

    def _to_unicode_cmap(self, name: str) -> str:
        entries = [(cid, text) for cid, text in enumerate(self._cid_text) if cid]
        lines = [
            "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            f"/CMapName /{name.replace('+', '-')}-UCS def", "/CMapType 2 def",
            "1 begincodespacerange", "<0000> <FFFF>", "endcodespacerange",
        ]
        for start in range(0, len(entries), 100):
            chunk = entries[start:start + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            # An empty destination string is how a glyph that is not the first of its cluster
            # says "no characters of my own" (ISO 32000-1 §9.10.3 allows any length).
            lines.extend(f"<{cid:04X}> <{_utf16_hex(text)}>" for cid, text in chunk)
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
