"""The text's fonts as office printers see them: simple TrueType subsets that Ghostscript keeps as fonts.

Ghostscript's ps2write (what CUPS and many office printers convert a PDF with) turned every Type 0 /
CIDFontType2 font into Type 3 glyph procedures: thousands of them for 24 letters, and a conversion
about ten times as slow as a plain document's. Each face is now drawn in simple TrueType subsets of
at most 255 codes, one code per shaped cluster, several subsets when a document needs more.
"""

from __future__ import annotations

import io
import shutil
import subprocess

import pypdf
import pytest
from reportlab.pdfgen import canvas

from brukermote.printing import fonts, pdftext, services, text
from brukermote.printing.services import PrintRequest
from tests.printing.helpers import ACTOR, ALL_LANGUAGES, make_contacts

needs_gs = pytest.mark.skipif(not (shutil.which("gs") and shutil.which("pdftotext")),
                              reason="ghostscript and poppler-utils are installed by make test")

#: More than 255 distinct Chinese characters: one face, more clusters than one simple font holds.
MANY_HANZI = "".join(chr(0x4E00 + i * 7) for i in range(300))


def _fonts(pdf: bytes) -> list[dict]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    seen, out = set(), []
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            if font["/BaseFont"] not in seen:
                seen.add(font["/BaseFont"])
                out.append(font)
    return out


def _through_ps2write(pdf: bytes, tmp_path) -> bytes:
    """The PDF as an office printer gets it (ps2write) and back to PDF, so its fonts can be listed."""
    (tmp_path / "in.pdf").write_bytes(pdf)
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=ps2write", f"-sOutputFile={tmp_path / 'out.ps'}",
                    str(tmp_path / "in.pdf")], check=True)
    subprocess.run(["gs", "-q", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pdfwrite", f"-sOutputFile={tmp_path / 'back.pdf'}",
                    str(tmp_path / "out.ps")], check=True)
    return (tmp_path / "back.pdf").read_bytes()


def test_a_face_with_more_clusters_than_one_font_holds_gets_several_subsets(tmp_path):
    buf = io.BytesIO()
    c = canvas.Canvas(buf, initialFontName=fonts.initial_font_name())
    pdftext.draw(c, text.layout(MANY_HANZI, "zh-Hans", 9, 500), 40, 800)
    c.save()
    subsets = _fonts(buf.getvalue())
    assert len(subsets) == 2
    assert all(f["/Subtype"] == "/TrueType" and f["/LastChar"] <= 255 for f in subsets)
    assert len({f["/BaseFont"][1:7] for f in subsets}) == 2  # each subset its own tag
    (tmp_path / "doc.pdf").write_bytes(buf.getvalue())
    extracted = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "doc.pdf"), "-"],
                               capture_output=True, check=True).stdout.decode()
    assert "".join(extracted.split()) == MANY_HANZI


@needs_gs
def test_ghostscript_keeps_every_font_of_a_letter_merge_as_a_truetype_font(meeting, tmp_path):
    contacts = make_contacts(len(ALL_LANGUAGES))
    pdf, _report = services.render(meeting, PrintRequest(document="letters", contact_ids=[c.id for c in contacts]),
                                   actor=ACTOR)
    ours = _fonts(pdf)
    back = _fonts(_through_ps2write(pdf, tmp_path))
    # before: 112 Type 3 fonts of glyph procedures came back for 13 letters' 12 faces
    assert {f["/Subtype"] for f in back} == {"/TrueType"}
    assert len(back) == len(ours)
