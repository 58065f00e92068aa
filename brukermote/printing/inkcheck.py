"""Ink check: look at the rendered PDF page, not at what the layout code believes it drew.

The layout code measures text with its own shaping and line-breaking, and draws QR codes from a
matrix it holds in memory. Those measurements can be wrong: a font fallback with wider glyphs, a
mark or diacritic that reaches past the ascent, a right-to-left line whose width was measured
before reordering, a rounding slip in a frame. The PDF would still be produced and every internal
number would still agree with itself. A printer, however, only prints pixels.

So this module rasterises the finished document with poppler's ``pdftoppm`` (an independent
renderer) and compares the ink on each page with what the document says it drew:

* ``outside_safe``  – ink outside the page's safe area (it may be trimmed off or fall in the
  printer's unprintable margin). One summary per page.
* ``outside_block`` – ink inside the safe area but outside every declared box: text that ran past
  its box, overlapping blocks, a stray rule. Grouped into regions and attributed to the nearest
  block, so a message can say which block overflowed and in which direction.
* ``qr_unreadable`` / ``qr_wrong_url`` – each QR code is cut out of a higher-resolution rendering
  of its page and decoded with zxing-cpp, as a phone camera would, and must open the expected URL.

Coordinates in the API are PDF points with the origin at the bottom left of the page (PDF user
space, as ReportLab draws). Rendered images have their origin at the top left; the conversion is
done in one place (``_Raster``).

Limits: the check sees ink, not meaning. Ink that lands inside some *other* block's box is not
detected, and very pale ink (lighter than ``INK_THRESHOLD`` in grey) is not counted as ink.

No Flask here: preflight and the tests call this with plain bytes and layouts.
"""

from __future__ import annotations

import math
import re
import subprocess
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageChops

# A pixel is ink when its grey value is below this (0 = black, 255 = paper), i.e. when black covers
# more than about a fifth of it. Anti-aliasing turns an edge that merely grazes a pixel into a light
# grey; such slivers are not taken for ink, and boxes are widened to every pixel they touch plus
# the tolerance, so a glyph edge right at its box's border is never reported. Text, rules, QR
# modules and mid-tone tints are ink; very pale tints (a 5 % background, a faint watermark) are not.
INK_THRESHOLD = 200

# Stray pixels are grouped on a grid of cells about this many points wide, so that one overflowing
# line of text (with gaps between letters and words) becomes one region instead of hundreds.
GROUP_CELL_PT = 8.0

# At most this many outside_block problems per page; the rest are folded into the last one.
MAX_BLOCK_PROBLEMS_PER_PAGE = 5

# Ink this close to a block (in points) is attributed to that block in outside_safe messages;
# farther away we do not guess which block it belongs to.
NEAR_BLOCK_PT = 6.0

# QR codes are decoded from a rendering in which the code is about this many pixels wide: enough
# for several pixels per module even for long URLs, and still tiny to render and decode.
QR_TARGET_PX = 480
QR_MIN_DPI, QR_MAX_DPI = 150, 600

RENDER_TIMEOUT_S = 120


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points, origin bottom-left of the page (PDF user space)."""

    x0: float
    y0: float
    x1: float
    y1: float
    name: str = ""  # e.g. "topic", "date", "marks", "qr"
    lang: str = ""  # language code of the block, "" if none


@dataclass(frozen=True)
class QRExpectation:
    box: Box  # where the QR code is drawn (its quiet zone may be inside or outside the box)
    url: str  # what it must decode to


@dataclass
class PageLayout:
    """What the document says it drew on one page."""

    width: float  # page size in points (MediaBox)
    height: float
    safe: Box  # the safe area: no ink may fall outside it
    blocks: list[Box]  # every box something was drawn in (text blocks, marks row, QR, rules, frames)
    qr: list[QRExpectation] = field(default_factory=list)
    ignore: list[Box] = field(default_factory=list)  # e.g. a DRAFT watermark, cut marks in margins


@dataclass(frozen=True)
class InkProblem:
    page: int  # 1-based
    kind: str  # "outside_safe", "outside_block", "qr_unreadable", "qr_wrong_url"
    box: Box | None  # the block concerned (outside_block: the nearest block; qr: its box)
    detail: str  # human-readable English detail


class InkCheckError(RuntimeError):
    """The document could not be rendered, or the layouts do not describe it."""


def check_rendered(pdf: bytes, pages: list[PageLayout], dpi: int = 50,
                   tolerance_pt: float = 1.5) -> list[InkProblem]:
    """Render ``pdf`` and report ink where ``pages`` says none should be, and unreadable QR codes.

    ``pages[i]`` describes page ``i + 1``; the document must have exactly ``len(pages)`` pages.
    Boxes are widened by ``tolerance_pt`` on every side and then to every pixel they touch, so
    anti-aliasing right at a box's border is not reported. The renderer also snaps glyph edges to
    the pixel grid (up to about one pixel, 72/dpi pt), so ``tolerance_pt`` should be at least that:
    the default 1.5 pt suits the default 50 dpi (1.44 pt a pixel).

    The order of the result is by page, then outside_safe, outside_block (largest first) and QR.
    Raises :class:`InkCheckError` if the PDF cannot be rendered, its page count differs from
    ``len(pages)`` or a page's size differs from its layout.
    """
    if dpi <= 0:
        raise ValueError("dpi must be positive")
    if tolerance_pt < 0:
        raise ValueError("tolerance_pt must not be negative")
    if not pages:
        return []
    # The QR codes are read from a sharper rendering of their part of the page: its pdftoppm runs
    # beside the whole-page one (two processes, so the two cores share the wait).
    with ThreadPoolExecutor(max_workers=1) as pool:
        qr_future = pool.submit(_check_all_qr, pdf, pages, tolerance_pt) if any(layout.qr for layout in pages) \
            else None
        images = _render_all(pdf, dpi)
        qr_problems = qr_future.result() if qr_future is not None else {}
    if len(images) != len(pages):
        raise InkCheckError(f"the PDF has {len(images)} page(s) but {len(pages)} layout(s) were given")

    problems: list[InkProblem] = []
    rasters = [_Raster(image, layout, dpi, number)
               for number, (image, layout) in enumerate(zip(images, pages, strict=True), start=1)]
    for number, (image, layout, raster) in enumerate(zip(images, pages, rasters, strict=True), start=1):
        ink = image.point(_INK_LUT)
        problems.extend(_check_safe(number, raster, ink, layout, tolerance_pt))
        problems.extend(_check_blocks(number, raster, ink, layout, tolerance_pt))
        problems.extend(qr_problems.get(number, []))
    return problems


# --- rendering ---------------------------------------------------------------------------------

_INK_LUT = [255 if value < INK_THRESHOLD else 0 for value in range(256)]


def _pdftoppm(pdf: bytes, args: list[str]) -> list[Image.Image]:
    """Run pdftoppm once on ``pdf``; return the rendered pages in page order, loaded in memory."""
    with tempfile.TemporaryDirectory(prefix="inkcheck-") as tmp:
        source = Path(tmp) / "doc.pdf"
        source.write_bytes(pdf)
        try:
            subprocess.run(["pdftoppm", "-gray", *args, str(source), str(Path(tmp) / "page")],
                           check=True, capture_output=True, timeout=RENDER_TIMEOUT_S)
        except FileNotFoundError:
            raise InkCheckError("pdftoppm (poppler-utils) is not installed") from None
        except subprocess.TimeoutExpired:
            raise InkCheckError(f"pdftoppm took longer than {RENDER_TIMEOUT_S} s") from None
        except subprocess.CalledProcessError as error:
            message = error.stderr.decode("utf-8", "replace").strip()
            raise InkCheckError(f"pdftoppm could not render the PDF: {message}") from None
        # Names are page-1.pgm … or page-01.pgm … depending on the page count; sort by number.
        files = sorted(Path(tmp).glob("page*.pgm"), key=_page_number)
        images = []
        for path in files:
            with Image.open(path) as handle:
                images.append(handle.convert("L"))  # convert() loads the data before the dir goes
        return images


def _page_number(path: Path) -> int:
    found = re.search(r"(\d+)$", path.stem)
    return int(found.group(1)) if found else 0


def _render_all(pdf: bytes, dpi: int) -> list[Image.Image]:
    return _pdftoppm(pdf, ["-r", str(dpi)])


class _Raster:
    """Conversion between PDF points (origin bottom-left) and pixels (origin top-left)."""

    def __init__(self, image: Image.Image, layout: PageLayout, dpi: int, number: int):
        self.dpi = dpi
        self.scale = dpi / 72.0
        self.width_pt, self.height_pt = layout.width, layout.height
        self.size = image.size
        expected = (layout.width * self.scale, layout.height * self.scale)
        # pdftoppm rounds the page size to whole pixels; more than that means the layout describes
        # another page size (or a rotated page) and every coordinate would be off.
        if abs(expected[0] - image.width) > 1.01 or abs(expected[1] - image.height) > 1.01:
            raise InkCheckError(
                f"page {number}: the layout is {layout.width:.1f}×{layout.height:.1f} pt but the PDF page "
                f"renders as {image.width / self.scale:.1f}×{image.height / self.scale:.1f} pt")

    def pixels(self, box: Box, grow: float = 0.0) -> tuple[int, int, int, int] | None:
        """Pixel rectangle (left, top, right, bottom; right/bottom exclusive) of every pixel that
        the box, grown by ``grow`` points on each side, touches at all; None if off the page."""
        s = self.scale
        left = math.floor((min(box.x0, box.x1) - grow) * s)
        right = math.ceil((max(box.x0, box.x1) + grow) * s)
        top = math.floor((self.height_pt - max(box.y0, box.y1) - grow) * s)
        bottom = math.ceil((self.height_pt - min(box.y0, box.y1) + grow) * s)
        left, top = max(left, 0), max(top, 0)
        right, bottom = min(right, self.size[0]), min(bottom, self.size[1])
        if right <= left or bottom <= top:
            return None
        return left, top, right, bottom

    def box(self, rect: tuple[int, int, int, int]) -> Box:
        """The area in points covered by a pixel rectangle (right/bottom exclusive)."""
        left, top, right, bottom = rect
        s = self.scale
        # The last row and column of pixels may reach past the page (its size is rounded up).
        return Box(left / s, max(self.height_pt - bottom / s, 0.0),
                   min(right / s, self.width_pt), self.height_pt - top / s)


def _paint(mask: Image.Image, raster: _Raster, boxes: Iterable[Box], grow: float, value: int) -> None:
    """Set every pixel touched by each box (grown by ``grow`` points) to ``value``."""
    for box in boxes:
        rect = raster.pixels(box, grow)
        if rect:
            mask.paste(value, rect)


# --- regions of stray ink ----------------------------------------------------------------------

@dataclass
class _Region:
    rect: tuple[int, int, int, int]  # pixels, right/bottom exclusive
    pixels: int


def _regions(stray: Image.Image, dpi: int) -> list[_Region]:
    """Group the ink pixels (255) of ``stray`` into connected regions on a coarse grid.

    Only the grid (a few thousand cells for a page) is walked in Python; the pixels themselves are
    handled by Pillow. Regions come back largest first.
    """
    if stray.getbbox() is None:
        return []
    # Cells at most 15 px wide: Image.reduce averages, and a single ink pixel in a cell of n×n
    # pixels must still average to at least 1 (255 / 15² > 1).
    cell = max(1, min(15, round(GROUP_CELL_PT * dpi / 72.0)))
    grid = stray.reduce(cell)
    cols, rows = grid.size
    occupied = {i for i, value in enumerate(grid.tobytes()) if value}
    regions: list[_Region] = []
    while occupied:
        start = occupied.pop()
        stack, members = [start], [start]
        while stack:
            index = stack.pop()
            row, col = divmod(index, cols)
            for dr in (-1, 0, 1):
                for dc in (-1, 0, 1):
                    r, c = row + dr, col + dc
                    if 0 <= r < rows and 0 <= c < cols and (r * cols + c) in occupied:
                        occupied.discard(r * cols + c)
                        stack.append(r * cols + c)
                        members.append(r * cols + c)
        cells_r = [m // cols for m in members]
        cells_c = [m % cols for m in members]
        outer = (min(cells_c) * cell, min(cells_r) * cell,
                 min((max(cells_c) + 1) * cell, stray.width), min((max(cells_r) + 1) * cell, stray.height))
        crop = stray.crop(outer)
        inner = crop.getbbox()
        if inner is None:  # cannot happen (cells were occupied), but never report an empty region
            continue
        rect = (outer[0] + inner[0], outer[1] + inner[1], outer[0] + inner[2], outer[1] + inner[3])
        regions.append(_Region(rect, crop.histogram()[255]))
    regions.sort(key=lambda region: -region.pixels)
    return regions


def _distance(a: Box, b: Box) -> float:
    dx = max(b.x0 - a.x1, a.x0 - b.x1, 0.0)
    dy = max(b.y0 - a.y1, a.y0 - b.y1, 0.0)
    return math.hypot(dx, dy)


def _nearest(area: Box, blocks: list[Box]) -> tuple[int, Box] | None:
    if not blocks:
        return None
    # Ties (ink equally near two blocks) go to the smaller block: it is the likelier source,
    # e.g. a date line that overflows into the frame around the whole page.
    index = min(range(len(blocks)),
                key=lambda i: (_distance(area, _normal(blocks[i])), _area(blocks[i])))
    return index, blocks[index]


def _normal(box: Box) -> Box:
    return Box(min(box.x0, box.x1), min(box.y0, box.y1), max(box.x0, box.x1), max(box.y0, box.y1),
               box.name, box.lang)


def _area(box: Box) -> float:
    return abs(box.x1 - box.x0) * abs(box.y1 - box.y0)


def _label(box: Box, index: int | None = None) -> str:
    label = f"'{box.name}'" if box.name else (f"#{index + 1}" if index is not None else "(unnamed)")
    return f"{label} ({box.lang})" if box.lang else label


def _where(area: Box) -> str:
    return f"x={area.x0:.1f}–{area.x1:.1f} pt, y={area.y0:.1f}–{area.y1:.1f} pt"


def _overshoot(area: Box, box: Box, tolerance: float) -> list[str]:
    """How far ``area`` sticks out of ``box`` on each side, in words."""
    box = _normal(box)
    sides = [("below", box.y0 - area.y0), ("above", area.y1 - box.y1),
             ("past its left edge", box.x0 - area.x0), ("past its right edge", area.x1 - box.x1)]
    return [f"{amount:.1f} pt {side}" for side, amount in sides if amount > tolerance]


def _union(rects: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int]:
    return (min(r[0] for r in rects), min(r[1] for r in rects),
            max(r[2] for r in rects), max(r[3] for r in rects))


# --- the checks --------------------------------------------------------------------------------

def _check_safe(number: int, raster: _Raster, ink: Image.Image, layout: PageLayout,
                tolerance: float) -> list[InkProblem]:
    allowed = Image.new("L", ink.size, 0)
    _paint(allowed, raster, [layout.safe, *layout.ignore], tolerance, 255)
    stray = ImageChops.subtract(ink, allowed)  # ink where not allowed
    regions = _regions(stray, raster.dpi)
    if not regions:
        return []
    total = _union([r.rect for r in regions])
    area = raster.box(total)
    safe = _normal(layout.safe)
    sides = []
    for name, amount in (("left", safe.x0 - area.x0), ("right", area.x1 - safe.x1),
                         ("bottom", safe.y0 - area.y0), ("top", area.y1 - safe.y1)):
        if amount > 0:
            sides.append(f"{amount:.1f} pt past the {name} edge")
    largest = raster.box(regions[0].rect)
    near = _nearest(largest, layout.blocks)
    block = near[1] if near and _distance(largest, _normal(near[1])) <= NEAR_BLOCK_PT + tolerance else None
    detail = f"ink at {_where(area)} outside the safe area"
    if sides:
        detail += " (" + ", ".join(sides) + ")"
    if len(regions) > 1:
        detail += f", in {len(regions)} places"
    if block is not None:
        detail += f"; the largest part is next to block {_label(block, near[0])}"
    return [InkProblem(number, "outside_safe", block, detail)]


def _check_blocks(number: int, raster: _Raster, ink: Image.Image, layout: PageLayout,
                  tolerance: float) -> list[InkProblem]:
    # Allowed: everything outside the safe area (that is _check_safe's business, reported once),
    # every block and every ignore box. Safe and blocks are grown by the same tolerance, so a
    # pixel is never reported by both checks.
    allowed = Image.new("L", ink.size, 255)
    safe_rect = raster.pixels(layout.safe, tolerance)
    if safe_rect is None:
        return []
    allowed.paste(0, safe_rect)
    _paint(allowed, raster, [*layout.blocks, *layout.ignore], tolerance, 255)
    stray = ImageChops.subtract(ink, allowed)
    regions = _regions(stray, raster.dpi)
    if not regions:
        return []

    # One problem per nearest block: a long overflowing paragraph may break into several regions,
    # but the person fixing it needs to hear about the block once.
    by_block: dict[int | None, list[_Region]] = {}
    for region in regions:
        near = _nearest(raster.box(region.rect), layout.blocks)
        by_block.setdefault(near[0] if near else None, []).append(region)
    groups = sorted(by_block.items(), key=lambda item: -sum(r.pixels for r in item[1]))
    if len(groups) > MAX_BLOCK_PROBLEMS_PER_PAGE:
        head, tail = groups[:MAX_BLOCK_PROBLEMS_PER_PAGE - 1], groups[MAX_BLOCK_PROBLEMS_PER_PAGE - 1:]
        folded = [region for _, members in tail for region in members]
        groups = [*head, (-1, folded)]

    problems = []
    for index, members in groups:
        area = raster.box(_union([r.rect for r in members]))
        if index == -1:  # the folded remainder
            near = _nearest(area, layout.blocks)
            problems.append(InkProblem(
                number, "outside_block", near[1] if near else None,
                f"ink at {_where(area)} outside every block, in {len(members)} more places "
                f"(near several blocks; fix the ones above first)"))
            continue
        if index is None:
            problems.append(InkProblem(number, "outside_block", None,
                                       f"ink at {_where(area)} outside every block (the page declares none)"))
            continue
        block = layout.blocks[index]
        gap = _distance(area, _normal(block))
        sides = _overshoot(area, block, tolerance)
        if gap <= tolerance + GROUP_CELL_PT and sides:
            # The stray ink (nearly) touches the block: its content ran out of its box, e.g. a
            # word past the right edge or a last line below the bottom.
            text = f"ink of block {_label(block, index)} runs " + " and ".join(sides)
        else:
            text = f"stray ink {gap:.1f} pt from block {_label(block, index)}, the nearest block"
        places = f", in {len(members)} places" if len(members) > 1 else ""
        problems.append(InkProblem(number, "outside_block", block,
                                   f"{text}: ink at {_where(area)} is outside every block{places}"))
    return problems


@dataclass(frozen=True)
class _QRPlan:
    dpi: int
    crop: tuple[int, int, int, int]  # pdftoppm -x -y -W -H, in pixels at ``dpi``


def _qr_plan(layout: PageLayout, tolerance: float) -> _QRPlan:
    """How to render a page's QR codes: resolution, and the slice of the page that holds them."""
    boxes = [_normal(q.box) for q in layout.qr]
    smallest = min(min(b.x1 - b.x0, b.y1 - b.y0) for b in boxes)
    dpi = QR_MAX_DPI if smallest <= 0 else min(QR_MAX_DPI, max(QR_MIN_DPI, math.ceil(QR_TARGET_PX * 72 / smallest)))
    scale = dpi / 72.0
    margin = max(_qr_margin(b, tolerance) for b in boxes)
    x0 = max(0.0, min(b.x0 for b in boxes) - margin)
    y0 = max(0.0, min(b.y0 for b in boxes) - margin)
    x1 = min(layout.width, max(b.x1 for b in boxes) + margin)
    y1 = min(layout.height, max(b.y1 for b in boxes) + margin)
    left, top = math.floor(x0 * scale), math.floor((layout.height - y1) * scale)
    width = max(1, math.ceil(x1 * scale) - left)
    height = max(1, math.ceil((layout.height - y0) * scale) - top)
    return _QRPlan(dpi, (left, top, width, height))


def _qr_margin(box: Box, tolerance: float) -> float:
    # A little of the page round each box is read too: if the quiet zone is drawn outside the
    # declared box, the page around it is what a phone sees (ink there rightly spoils the read).
    return max(tolerance, 0.04 * max(box.x1 - box.x0, box.y1 - box.y0))


def _check_all_qr(pdf: bytes, pages: list[PageLayout], tolerance: float) -> dict[int, list[InkProblem]]:
    """Decode every expected QR code from a fresh, sharper rendering of just the part of its page
    that holds it; problems by page number."""
    try:
        import zxingcpp
    except ImportError:
        raise InkCheckError("zxing-cpp is not installed, so QR codes cannot be read back") from None

    plans = {number: _qr_plan(layout, tolerance)
             for number, layout in enumerate(pages, start=1) if layout.qr}
    # Pages whose QR codes sit in the same place (one document in several languages, a letter
    # per recipient) share one pdftoppm call over their page range. pdftoppm rasterises only the
    # cropped slice, so even at 600 dpi the pages in between that carry no QR cost next to nothing.
    groups: dict[_QRPlan, list[int]] = {}
    for number, plan in plans.items():
        groups.setdefault(plan, []).append(number)
    problems: dict[int, list[InkProblem]] = {}
    for plan, numbers in groups.items():
        first, last = min(numbers), max(numbers)
        left, top, width, height = plan.crop
        images = _pdftoppm(pdf, ["-r", str(plan.dpi), "-f", str(first), "-l", str(last),
                                 "-x", str(left), "-y", str(top), "-W", str(width), "-H", str(height)])
        if len(images) != last - first + 1:
            raise InkCheckError(f"pdftoppm rendered {len(images)} page(s) for pages {first}–{last}")
        for number in numbers:
            problems[number] = _read_qr(zxingcpp, number, pages[number - 1], plan, images[number - first],
                                        tolerance)
    return problems


def _read_qr(zxingcpp, number: int, layout: PageLayout, plan: _QRPlan, image: Image.Image,
             tolerance: float) -> list[InkProblem]:
    scale = plan.dpi / 72.0
    left, top = plan.crop[0], plan.crop[1]
    problems = []
    for expectation in layout.qr:
        box = _normal(expectation.box)
        margin = _qr_margin(box, tolerance)
        rect = (max(0, math.floor((box.x0 - margin) * scale) - left),
                max(0, math.floor((layout.height - box.y1 - margin) * scale) - top),
                min(image.width, math.ceil((box.x1 + margin) * scale) - left),
                min(image.height, math.ceil((layout.height - box.y0 + margin) * scale) - top))
        label = _label(expectation.box)
        if rect[2] <= rect[0] or rect[3] <= rect[1]:
            problems.append(InkProblem(number, "qr_unreadable", expectation.box,
                                       f"QR box {label} at {_where(box)} is off the page"))
            continue
        codes = zxingcpp.read_barcodes(image.crop(rect), formats=zxingcpp.BarcodeFormat.QRCode)
        texts = [code.text for code in codes]
        if not texts:
            problems.append(InkProblem(
                number, "qr_unreadable", expectation.box,
                f"no QR code could be read in box {label} at {_where(box)} (rendered at {plan.dpi} dpi)"))
        elif expectation.url not in texts:
            found = ", ".join(repr(text) for text in texts)
            problems.append(InkProblem(
                number, "qr_wrong_url", expectation.box,
                f"the QR code in box {label} reads {found} but should open {expectation.url!r}"))
    return problems
