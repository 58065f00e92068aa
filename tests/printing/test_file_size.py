"""The size of a printed file: the structure tree's dictionaries in compressed object streams.

A tagged 24-letter file had about 200 KB of structure-element dictionaries written as plain text,
each with its cross-reference line; with object streams (PDF 1.5) they are compressed, and every
reader still finds them.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pypdf
from pdfminer.high_level import extract_text as pdfminer_text

from brukermote.printing import services
from brukermote.printing.services import PrintRequest
from tests.printing.helpers import ACTOR, ALL_LANGUAGES, make_contacts


def _elements(node, out):
    node = node.get_object()
    if isinstance(node, pypdf.generic.DictionaryObject):
        if node.get("/Type") == "/StructElem":
            out.append(node)
        kids = node.get("/K")
        if kids is not None:
            for kid in kids if isinstance(kids, pypdf.generic.ArrayObject) else [kids]:
                if not isinstance(kid, int):
                    _elements(kid, out)
    return out


def test_structure_elements_are_compressed_and_still_read(meeting, tmp_path):
    contacts = make_contacts(len(ALL_LANGUAGES))
    pdf, _report = services.render(meeting, PrintRequest(document="letters", contact_ids=[c.id for c in contacts]),
                                   actor=ACTOR)
    assert pdf.startswith(b"%PDF-1.5")
    assert b"/StructElem" not in pdf and b"/Type /ObjStm" in pdf and b"/Type /XRef" in pdf
    assert not re.search(rb"^xref\s", pdf, re.M)  # a cross-reference stream, not a table
    reader = pypdf.PdfReader(io.BytesIO(pdf), strict=True)
    elements = _elements(reader.trailer["/Root"]["/StructTreeRoot"], [])
    assert len(elements) > 50 * len(contacts) // 2
    assert {"/P", "/Figure", "/Span"} <= {e["/S"] for e in elements}
    assert "Årvoll Gård" in pdfminer_text(io.BytesIO(pdf))
    if shutil.which("pdfinfo"):
        (tmp_path / "letters.pdf").write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(tmp_path / "letters.pdf")], capture_output=True, text=True, check=True)
        assert re.search(r"Tagged:\s+yes", info.stdout) and f"Pages:           {len(reader.pages)}" in info.stdout
