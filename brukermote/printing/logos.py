"""The organisation's marks (logos) as the PDF carries them: prepared once per process, embedded once
per document, at the resolution they print.

A logo in one ink on transparent paper (the coat of arms, the NAV logo, most organisations' marks)
is embedded as a stencil mask — one bit per pixel, painted in the logo's ink — rather than as an RGB
image: Ghostscript (what CUPS and many office printers convert a PDF with) decodes, converts and
re-encodes every logo on every page that carries it, and for a letter's four logos that took most of
its time (three bytes per pixel against one bit). A stencil has the image's 300 dpi (its edge steps
by 0.085 mm; readers smooth it on screen): at 600 dpi, Ghostscript's 300 dpi rendering of 24 letters
took 2.3 times a plain document's time per page, at 300 dpi 1.9 times. A logo in several colours, or without
transparency, stays an RGB image flattened onto white. The print-shop variant keeps every logo as
an image in its own (ICC) colour space, at full depth.
"""

from __future__ import annotations

import copy
import io
import zlib
from functools import lru_cache

from PIL import Image
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfdoc

from . import printshop, tagged

MM = 72 / 25.4

#: The longest side of a logo as embedded in a PDF (see _prepared_image): 340 dpi at the widest a
#: mark is printed (A3 poster).
MARK_MAX_PX = 800
#: Pixels per inch a logo gets at the size it is printed: what office printers and print shops
#: resolve (a finer logo only slows every program that reads the file).
MARK_DPI = 300
#: Sizes are rounded up to this step, so a document's marks share a few cached images.
MARK_PX_STEP = 100
#: Channel difference (0–255) within which the visible pixels of a logo count as one ink.
ONE_INK_TOLERANCE = 24


@lru_cache(maxsize=64)
def _prepared_image(mark_id: int, updated: str, raster: bytes, longest_px: int) -> pdfdoc.PDFImageXObject:
    """The mark as a compressed PDF image, made once per process (per upload and size), not per
    document: ReportLab would otherwise decode, hash and deflate each logo again for every PDF.

    The logo is flattened onto white paper and scaled to ``longest_px`` (at most
    :data:`MARK_MAX_PX`): a transparency mask makes Ghostscript (what CUPS and many printers use)
    rasterise every page carrying it at 720 dpi (31 s for 24 letters instead of 0.14 s), and every
    pixel beyond what the printer resolves is decoded, converted and re-encoded by Ghostscript and
    poppler on every page that carries the mark.
    """
    with Image.open(io.BytesIO(raster)) as original:
        image = original.convert("RGBA")
    if max(image.size) > longest_px:
        image.thumbnail((longest_px, longest_px), Image.LANCZOS)
    paper = Image.new("RGB", image.size, (255, 255, 255))
    paper.paste(image, mask=image.getchannel("A"))
    return pdfdoc.PDFImageXObject(f"brkmark{mark_id}", ImageReader(paper))


class _Stencil(pdfdoc.PDFImageXObject):
    """An image mask (ISO 32000-1 §8.9.6.2): one bit per pixel, 0 paints in the current fill colour."""

    def __init__(self, name: str, mask: Image.Image):
        self.name = name
        self.width, self.height = mask.size
        self.streamContent = zlib.compress(mask.tobytes(), 9)  # mode "1": rows padded to whole bytes
        self.mask = None

    def format(self, document):
        stream = pdfdoc.PDFStream(content=self.streamContent)
        entries = stream.dictionary
        entries["Type"] = pdfdoc.PDFName("XObject")
        entries["Subtype"] = pdfdoc.PDFName("Image")
        entries["Width"] = self.width
        entries["Height"] = self.height
        entries["ImageMask"] = "true"
        entries["BitsPerComponent"] = 1
        entries["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        entries["Length"] = len(self.streamContent)
        stream.filters = []  # already deflated
        return stream.format(document)


@lru_cache(maxsize=64)
def one_ink(mark_id: int, updated: str, raster: bytes) -> tuple[int, int, int] | None:
    """The logo's one ink as (r, g, b) when every visible pixel is that colour and the rest is
    transparent (antialiased edges are partly transparent ink); None for any other logo."""
    with Image.open(io.BytesIO(raster)) as original:
        image = original.convert("RGBA")
    low, high = image.getchannel("A").getextrema()
    if low > 0 or high == 0:  # no transparent paper, or nothing visible
        return None
    colours = image.getcolors(maxcolors=1 << 16)
    if colours is None:
        return None
    visible = [(count, rgba[:3]) for count, rgba in colours if rgba[3] >= 64]
    ink = max(visible)[1]
    if any(max(abs(a - b) for a, b in zip(rgb, ink, strict=True)) > ONE_INK_TOLERANCE for _count, rgb in visible):
        return None
    return ink


@lru_cache(maxsize=64)
def _prepared_stencil(mark_id: int, updated: str, raster: bytes, longest_px: int) -> _Stencil:
    """The one-ink logo's coverage as a stencil of ``longest_px`` on its longest side: ink where the
    logo is at least half opaque."""
    with Image.open(io.BytesIO(raster)) as original:
        alpha = original.convert("RGBA").getchannel("A")
    if max(alpha.size) > longest_px:
        alpha.thumbnail((longest_px, longest_px), Image.LANCZOS)
    return _Stencil(f"brkstencil{mark_id}", alpha.point(lambda v: 0 if v >= 128 else 255).convert("1", dither=Image.Dither.NONE))


def mark_pixels(width_pt: float, height_pt: float) -> int:
    """The longest side, in pixels, a mark drawn ``width_pt`` × ``height_pt`` needs at MARK_DPI."""
    needed = max(width_pt, height_pt) / 72 * MARK_DPI
    stepped = -(-int(needed) // MARK_PX_STEP) * MARK_PX_STEP
    return max(MARK_PX_STEP, min(MARK_MAX_PX, stepped))


def _mark_image(canvas, mark, longest_px: int = MARK_MAX_PX) -> tuple[str, tuple[int, int, int] | None]:
    """The document's XObject for ``mark`` at ``longest_px`` (embedded once per document and size)
    and, for a stencil, the ink it is painted in; returns (name, ink or None)."""
    doc = canvas._doc
    print_shop = getattr(canvas, "_brk_cmyk", False)
    ink = None if print_shop else one_ink(mark.id, str(mark.updated_at), mark.raster)
    # one name for both kinds: a document draws a mark either as a stencil or as an image, never both
    name = f"brkmark{mark.id}" if longest_px == MARK_MAX_PX else f"brkmark{mark.id}px{longest_px}"
    registered = doc.getXObjectName(name)
    if registered not in doc.idToObject:
        if ink is not None:
            image = copy.copy(_prepared_stencil(mark.id, str(mark.updated_at), mark.raster, longest_px))
        elif print_shop:  # the logo keeps its own (sRGB) colours
            template = _prepared_image(mark.id, str(mark.updated_at), mark.raster, longest_px)
            image = printshop.ICCImage.__new__(printshop.ICCImage)
            image.__dict__.update(template.__dict__)
            image.colour_space = printshop.srgb_colour_space(doc)
        else:
            image = copy.copy(_prepared_image(mark.id, str(mark.updated_at), mark.raster, longest_px))
        image.name = name
        doc.Reference(image, registered)
        doc.addForm(name, image)
    return name, ink


def _canvas_scale(canvas) -> float:
    """How much the current transformation enlarges what is drawn (a sheet of two A5 pages on A3
    draws each at 1:1; a proof scaled down needs fewer pixels, never more)."""
    a, b, c, d = getattr(canvas, "_currentMatrix", (1, 0, 0, 1))[:4]
    return max(1e-3, abs(a * d - b * c)) ** 0.5


def draw_marks(canvas, marks, x: float, y_top: float, width: float, height: float) -> None:
    """The required marks in one row, each at its own aspect, spread over the width; each is a
    figure in the structure tree, named by its alternative text."""
    marks = [m for m in marks if m.raster]
    if not marks:
        return
    slot = width / len(marks)
    for index, mark in enumerate(marks):
        w = min(height / mark.aspect, slot - 4 * MM)
        h = w * mark.aspect
        cx = x + slot * index + slot / 2
        name, ink = _mark_image(canvas, mark, mark_pixels(w * _canvas_scale(canvas), h * _canvas_scale(canvas)))
        with tagged.figure(canvas, mark.name):
            canvas.saveState()
            if ink is not None:
                if ink[0] == ink[1] == ink[2]:
                    canvas.setFillGray(ink[0] / 255)  # black as one ink, as the text is
                else:
                    canvas.setFillColorRGB(*(v / 255 for v in ink))
            canvas.transform(w, 0, 0, h, cx - w / 2, y_top - (height + h) / 2)
            canvas._code.append(f"/{canvas._doc.getXObjectName(name)} Do")
            canvas.restoreState()
        canvas._currentPageHasImages = 1
        canvas._formsinuse.append(name)
