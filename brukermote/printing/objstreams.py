"""Writing a ReportLab document with compressed object streams and a cross-reference stream (PDF 1.5).

A tagged letter merge has a structure element per paragraph and per right-to-left line, each its own
small indirect object: in a 24-letter file about 200 KB of dictionaries, plus 20 bytes of
cross-reference table per object, where the same file's text and fonts take less. ReportLab writes
every object uncompressed with a classic ``xref`` table; ISO 32000-1 §7.5.7–7.5.8 lets a writer
gather objects that are not streams into compressed object streams, found through a compressed
cross-reference stream. Every reader we support (poppler, MuPDF, Ghostscript, pypdf, pdfminer,
Acrobat) reads them, and PDF/X-4 allows them.

:func:`install` makes one document write itself that way; everything up to the bytes stays
ReportLab's (its objects, their numbering, the document ID). The document also gets a digest of its
content without its dates (``doc._brk_digest``): the same print made twice has the same digest, so
the check of its drawn pages need not run twice. No Flask in here.
"""

from __future__ import annotations

import hashlib
import re
import struct
import zlib
from functools import partial

from reportlab.pdfbase import pdfdoc

__all__ = ["install"]

#: Objects per object stream: enough to compress well, few enough that a reader looking for one
#: object (a viewer opening page 1) does not inflate the whole file's dictionaries.
PER_STREAM = 200


def install(doc: pdfdoc.PDFDocument) -> None:
    """Have ``doc`` (a canvas's ``_doc``) write object streams when it is saved."""
    doc.format = partial(_format, doc)


def _format(doc: pdfdoc.PDFDocument) -> bytes:
    doc.encrypt.prepare(doc)
    if doc.encrypt.info():  # encrypted documents are not ours to make: ReportLab's own writer
        return pdfdoc.PDFDocument.format(doc)
    catalog_ref, info_ref = doc.Reference(doc.Catalog), doc.Reference(doc.info)
    number_to_id, object_of, number_version = doc.numberToId, doc.idToObject, doc.idToObjectNumberAndVersion
    out = pdfdoc.PDFFile((1, 5))
    # What the file draws and says, without when it was made (the info dictionary's dates, XMP
    # marked ``_brk_volatile``, the file ID): the same document made twice has the same digest.
    digest = hashlib.sha256()
    direct: dict[int, int] = {}  # object number -> file offset
    packed: list[tuple[int, bytes]] = []  # (object number, its formatted body)
    number = 0
    # as in ReportLab: formatting an object may register new ones, so go until none is left
    while (number := number + 1) in number_to_id:
        oid = number_to_id[number]
        n, version = number_version[oid]
        doc.encrypt.register(n, version)
        obj = object_of[oid]
        body = _body(obj, doc)
        if obj is not doc.info and not getattr(obj, "_brk_volatile", False):
            digest.update(b"%d " % n + body)
        if version or body.rstrip().endswith(b"endstream"):  # streams cannot go into object streams
            direct[n] = out.add(b"%d %d obj\n" % (n, version) + body + (b"" if body.endswith(b"\n") else b"\n")
                                + b"endobj\n")
        else:
            packed.append((n, body))
    doc._brk_digest = digest.hexdigest()
    count = number - 1
    if count != len(number_to_id):
        raise ValueError(f"object numbers are not contiguous: {count} formatted, {len(number_to_id)} registered")

    located: dict[int, tuple[int, int]] = {}  # object number -> (its object stream's number, index)
    next_number = count + 1
    for start in range(0, len(packed), PER_STREAM):
        chunk = packed[start:start + PER_STREAM]
        stream_number, next_number = next_number, next_number + 1
        header, bodies, offset = [], [], 0
        for index, (n, body) in enumerate(chunk):
            header.append(b"%d %d" % (n, offset))
            bodies.append(body)
            offset += len(body) + 1
            located[n] = (stream_number, index)
        first = b" ".join(header) + b"\n"
        data = zlib.compress(first + b"\n".join(bodies) + b"\n", 6)
        direct[stream_number] = out.add(
            b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
            % (stream_number, len(chunk), len(first), len(data)) + data + b"\nendstream\nendobj\n")

    xref_number = next_number
    size = xref_number + 1
    xref_offset = out.offset
    direct[xref_number] = xref_offset
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    for n in range(1, size):
        if n in direct:
            rows.append(struct.pack(">BIH", 1, direct[n], 0))
        else:
            stream_number, index = located[n]
            rows.append(struct.pack(">BIH", 2, stream_number, index))
    data = zlib.compress(b"".join(rows), 6)
    ids = re.search(rb"\[[^\]]*\]", doc.ID()).group(0)
    out.add(b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root %s /Info %s /ID %s /Filter /FlateDecode"
            b" /Length %d >>\nstream\n" % (xref_number, size, catalog_ref.format(doc), info_ref.format(doc), ids, len(data))
            + data + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref_offset)
    return out.format(doc)


def _body(obj, doc) -> bytes:
    """An object's body as ReportLab formats it at the top level of an indirect object."""
    return pdfdoc.format(obj, doc, toplevel=1)
