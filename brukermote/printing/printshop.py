"""The print-shop variant of a poster or flyer: trim size plus bleed, crop marks, page boxes, 100 % K
text and an output intent — what a print shop's preflight expects (PDF/X-4 conventions as far as
ReportLab goes; the file makes no claim of conformance it has not been checked for).

The page (MediaBox) is the trim size plus :data:`BLEED_MM` of bleed and a slug for the crop marks on
every side. Every page's content is drawn in the trim's coordinates: the canvas's page preamble moves
the origin to the trim's lower-left corner, so a document draws the same whatever the variant.

* ``TrimBox`` is the finished size, ``BleedBox`` the trim plus 3 mm; crop marks sit outside the
  bleed, in registration colour (every ink), where the guillotine takes them off.
* Text, rules and greys are pure K (``0 0 0 1 k``): a print shop's colour conversion would turn RGB
  black into four inks, blurred by any misregistration.
* Images (the logos) keep their own colour space, tagged as sRGB (ICC-based), so the print shop's
  RIP converts them with its own profile instead of a guess.
* An output intent names the printing condition; where Ghostscript's CMYK profile is installed
  (Debian's ``ghostscript``), it is embedded as the destination profile.

No Flask in here.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageCms
from reportlab.pdfbase import pdfdoc

BLEED_MM = 3.0
SLUG_MM = 12.0  # room outside the bleed for the crop marks
MM = 72.0 / 25.4
_CMYK_PROFILES = (Path("/usr/share/color/icc/ghostscript/default_cmyk.icc"),)


def page_size(trim_width: float, trim_height: float) -> tuple[float, float]:
    offset = (BLEED_MM + SLUG_MM) * MM
    return trim_width + 2 * offset, trim_height + 2 * offset


def origin() -> float:
    """Where the trim's lower-left corner is on the page (points from the page's corner, both axes)."""
    return (BLEED_MM + SLUG_MM) * MM


def setup(canvas, trim_width: float, trim_height: float) -> None:
    """Make ``canvas`` (already sized with :func:`page_size`) a print-shop canvas."""
    o, bleed = origin(), BLEED_MM * MM
    canvas.setTrimBox((o, o, o + trim_width, o + trim_height))
    canvas.setBleedBox((o - bleed, o - bleed, o + trim_width + bleed, o + trim_height + bleed))
    canvas._brk_cmyk = True
    # every page starts in the trim's coordinates (the preamble opens each page's stream)
    canvas._preamble = f"{canvas._preamble} 1 0 0 1 {o:.3f} {o:.3f} cm"


def crop_marks(canvas, trim_width: float, trim_height: float) -> None:
    """Crop marks at the four corners of the trim, outside the bleed (in trim coordinates)."""
    gap, length = (BLEED_MM + 1) * MM, (SLUG_MM - 3) * MM
    canvas.saveState()
    canvas.setLineWidth(0.25)
    canvas.setStrokeColorCMYK(1, 1, 1, 1)  # registration: on every plate
    for x in (0.0, trim_width):
        for y in (0.0, trim_height):
            sx = -1 if x == 0 else 1
            sy = -1 if y == 0 else 1
            canvas.line(x + sx * gap, y, x + sx * (gap + length), y)
            canvas.line(x, y + sy * gap, x, y + sy * (gap + length))
    canvas.restoreState()


@cache
def _srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def srgb_colour_space(doc) -> pdfdoc.PDFArray:
    """``[/ICCBased <sRGB profile>]``, one stream per document."""
    ref = doc.__dict__.get("_brk_srgb")
    if ref is None:
        stream = pdfdoc.PDFStream(content=_srgb_profile())
        stream.dictionary["N"] = 3
        stream.filters = [pdfdoc.PDFZCompress]
        ref = doc._brk_srgb = doc.Reference(stream)
    return pdfdoc.PDFArray([pdfdoc.PDFName("ICCBased"), ref])


class ICCImage(pdfdoc.PDFImageXObject):
    """A prepared image XObject whose colour space is an ICC profile rather than a device space."""

    colour_space = None

    def format(self, document):
        stream = pdfdoc.PDFStream(content=self.streamContent)
        entries = stream.dictionary
        entries["Type"] = pdfdoc.PDFName("XObject")
        entries["Subtype"] = pdfdoc.PDFName("Image")
        entries["Width"] = self.width
        entries["Height"] = self.height
        entries["BitsPerComponent"] = self.bitsPerComponent
        entries["ColorSpace"] = self.colour_space if self.colorSpace == "DeviceRGB" else pdfdoc.PDFName(self.colorSpace)
        entries["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName(f) for f in self._filters])
        entries["Length"] = len(self.streamContent)
        if self.mask:
            entries["Mask"] = pdfdoc.PDFArray(self.mask)
        if getattr(self, "smask", None):
            entries["SMask"] = self.smask
        return stream.format(document)


def output_intent(doc) -> None:
    """The catalog's ``/OutputIntents``: the printing condition a print shop should expect."""
    profile = next((path for path in _CMYK_PROFILES if path.exists()), None)
    entries = {
        "Type": pdfdoc.PDFName("OutputIntent"),
        "S": pdfdoc.PDFName("GTS_PDFX"),
        "OutputConditionIdentifier": pdfdoc.PDFString("CGATS TR 001" if profile else "Custom"),
        "RegistryName": pdfdoc.PDFString("http://www.color.org"),
        "Info": pdfdoc.PDFString("SWOP (CGATS TR 001), Ghostscript's Artifex CMYK SWOP profile" if profile
                                 else "The print shop's own CMYK printing condition"),
    }
    if profile is not None:
        stream = pdfdoc.PDFStream(content=profile.read_bytes())
        stream.dictionary["N"] = 4
        stream.filters = [pdfdoc.PDFZCompress]
        entries["DestOutputProfile"] = doc.Reference(stream)
    catalog = doc.Catalog
    catalog.__NoDefault__ = [*catalog.__NoDefault__, "OutputIntents"]
    catalog.OutputIntents = pdfdoc.PDFArray([pdfdoc.PDFDictionary(entries)])

