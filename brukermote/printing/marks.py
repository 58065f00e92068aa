"""The organisation's required marks: placeholders, uploads checked by content, colour and size checks."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from ..config import PROJECT_ROOT
from ..extensions import db
from .models import BrandMark

MARKS_DIR = PROJECT_ROOT / "printables" / "marks"
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
RASTER_DPI = 600


@dataclass(frozen=True)
class DefaultMark:
    key: str
    name: str
    required_colour: str
    min_width_mm: float


#: The four marks the committee's prints needed (DOMAIN.md: 300 prints thrown away without them).
DEFAULT_MARKS = [
    DefaultMark("coat_of_arms", "Kommunevåpen", "", 8.0),
    DefaultMark("district", "Bydelens logo", "", 15.0),
    DefaultMark("nav", "NAV-logo", "#C30000", 15.0),
    DefaultMark("project", "Prosjektets logo", "", 15.0),
]


class MarkError(ValueError):
    pass


def ensure_marks() -> list[BrandMark]:
    """Seed the brand profile with the placeholders the first time it is needed."""
    marks = list(db.session.scalars(sa.select(BrandMark).order_by(BrandMark.position, BrandMark.id)))
    if marks:
        return marks
    for position, default in enumerate(DEFAULT_MARKS):
        data = (MARKS_DIR / f"{default.key}.png").read_bytes()
        width, height = Image.open(io.BytesIO(data)).size
        mark = BrandMark(
            key=default.key, name=default.name, required_colour=default.required_colour,
            min_width_mm=default.min_width_mm, position=position, original=data, original_type="image/png",
            original_filename=f"{default.key}.png", raster=data, pixel_width=width, pixel_height=height,
            is_placeholder=True,
        )
        db.session.add(mark)
        marks.append(mark)
    db.session.flush()
    return marks


# -- uploads: the type is decided by the bytes, never by the file name -----------------------------

def sniff(data: bytes) -> str | None:
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    head = data[:4096].lstrip(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"<") and re.search(rb"<svg[\s>]", head):
        return "image/svg+xml"
    return None


_SVG_ALLOWED = {
    "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "defs",
    "lineargradient", "radialgradient", "stop", "clippath", "title", "desc", "use", "symbol", "mask", "style",
}


def sanitise_svg(data: bytes) -> bytes:
    """Refuse anything an SVG could use to run code or fetch from elsewhere; return it unchanged if clean."""
    from defusedxml import ElementTree as SafeET
    from defusedxml.common import DefusedXmlException

    try:
        root = SafeET.fromstring(data)
    except (DefusedXmlException, SafeET.ParseError) as exc:
        raise MarkError(_("The SVG file could not be read safely (%(reason)s).", reason=type(exc).__name__)) from None
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1].lower() if isinstance(element.tag, str) else ""
        if tag not in _SVG_ALLOWED:
            raise MarkError(_("The SVG file contains «%(tag)s», which is not allowed in a logo.", tag=tag))
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on"):
                raise MarkError(_("The SVG file contains a script attribute («%(attr)s»).", attr=local))
            lowered = value.strip().lower()
            if local == "href" and not lowered.startswith("#"):
                raise MarkError(_("The SVG file refers to another file or address; embed everything in it."))
            if "javascript:" in lowered or "url(http" in lowered or "url(file" in lowered or "@import" in lowered:
                raise MarkError(_("The SVG file refers to another file or address; embed everything in it."))
        if tag == "style" and element.text and re.search(r"@import|url\(\s*['\"]?(https?|file|data):", element.text, re.I):
            raise MarkError(_("The SVG file refers to another file or address; embed everything in it."))
    return data


def _pdf_to_png(pdf: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "in.pdf"
        source.write_bytes(pdf)
        try:
            subprocess.run(
                ["pdftoppm", "-r", str(RASTER_DPI), "-f", "1", "-l", "1", "-singlefile", "-png",
                 "-scale-to", "3000", str(source), str(Path(tmp) / "out")],
                check=True, capture_output=True, timeout=60,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired, FileNotFoundError):
            raise MarkError(_("The PDF file could not be read.")) from None
        return (Path(tmp) / "out.png").read_bytes()


def _svg_to_png(svg: bytes) -> bytes:
    from reportlab.graphics import renderPDF
    from svglib.svglib import svg2rlg

    with tempfile.NamedTemporaryFile(suffix=".svg") as handle:
        handle.write(svg)
        handle.flush()
        drawing = svg2rlg(handle.name)
    if drawing is None or not drawing.width or not drawing.height:
        raise MarkError(_("The SVG file has no drawing in it."))
    return _pdf_to_png(renderPDF.drawToString(drawing))


def read_upload(data: bytes) -> tuple[str, bytes, int, int]:
    """Check an uploaded mark and return (type, PNG raster, width px, height px)."""
    if not data:
        raise MarkError(_("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise MarkError(_("The file is larger than %(mb)d MB.", mb=MAX_UPLOAD_BYTES // (1024 * 1024)))
    kind = sniff(data)
    if kind is None:
        raise MarkError(_("The file is not a PNG, JPEG, PDF or SVG image, whatever its name says."))
    if kind == "image/svg+xml":
        raster = _svg_to_png(sanitise_svg(data))
    elif kind == "application/pdf":
        raster = _pdf_to_png(data)
    else:
        raster = data
    try:
        Image.MAX_IMAGE_PIXELS = MAX_PIXELS
        with Image.open(io.BytesIO(raster)) as image:
            image.verify()
        with Image.open(io.BytesIO(raster)) as image:
            image.load()
            width, height = image.size
            if kind == "image/jpeg" or image.mode not in ("RGB", "RGBA", "L", "LA", "P"):
                # Normalise to PNG so drawing and colour checks see one format.
                out = io.BytesIO()
                image.convert("RGBA").save(out, "PNG")
                raster = out.getvalue()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise MarkError(_("The image is damaged or too large to read.")) from None
    if width < 100 or height < 30:
        raise MarkError(_("The image is too small (%(w)d×%(h)d pixels); upload at least 600 pixels wide.", w=width, h=height))
    return kind, raster, width, height


def replace_mark(mark: BrandMark, data: bytes, filename: str, user=None) -> BrandMark:
    kind, raster, width, height = read_upload(data)
    mark.original, mark.original_type, mark.original_filename = data, kind, (filename or "")[:200]
    mark.raster, mark.pixel_width, mark.pixel_height = raster, width, height
    mark.is_placeholder = False
    mark.uploaded_by_id = getattr(user, "id", None)
    db.session.flush()
    return mark


# -- checks used by preflight ---------------------------------------------------------------------

def _hex_to_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


@lru_cache(maxsize=64)
def ink_colour_share(raster: bytes, colour: str, tolerance: int = 80) -> float:
    """Share of the mark's ink (non-white, non-transparent pixels) that is close to ``colour``.
    Cached per upload: every preflight asks, and a logo changes only when it is uploaded again."""
    target = _hex_to_rgb(colour)
    with Image.open(io.BytesIO(raster)) as image:
        image = image.convert("RGBA")
        image.thumbnail((300, 300))
        ink = close = 0
        data = image.tobytes()
        for i in range(0, len(data), 4):
            r, g, b, a = data[i], data[i + 1], data[i + 2], data[i + 3]
            if a < 128 or (r > 235 and g > 235 and b > 235):
                continue
            ink += 1
            if abs(r - target[0]) + abs(g - target[1]) + abs(b - target[2]) <= tolerance:
                close += 1
    return close / ink if ink else 0.0


def effective_dpi(mark: BrandMark, printed_width_mm: float) -> float:
    return mark.pixel_width / (printed_width_mm / 25.4) if printed_width_mm else 0.0
