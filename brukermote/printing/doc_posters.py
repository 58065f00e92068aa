"""Posters and flyers: the meeting's facts large enough to read from across a waiting room."""

from __future__ import annotations

from dataclasses import dataclass

from reportlab.lib.colors import Color, black

from . import tagged
from .document import NB, Document, PrintContext, direction, row_width
from .layout import (
    GREY,
    MM,
    Pen,
    draw_cut_marks,
    draw_mark_row,
    draw_qr,
    margin_mm,
    record,
    set_stroke,
)

# -- poster and flyer -----------------------------------------------------------------------------

@dataclass
class Block:
    text: str
    lang: str
    size: float
    bold: bool = False
    colour: Color = black
    gap: float = 6.0  # space before, in points at scale 1
    boxed: str = ""  # "start"/"end" of a framed group
    align: str = "start"
    role: str = "P"


def _poster_blocks(ctx: PrintContext, lang: str, scale: float, secondary: bool = False) -> list[Block]:
    t = ctx.t(lang)
    m, venue = ctx.meeting, ctx.venue
    k = scale * (0.62 if secondary else 1.0)
    blocks = []
    if m.is_cancelled:
        blocks.append(Block(t("doc.cancelled"), lang, 40 * k, True, Color(0.7, 0, 0), 0))
    if not secondary:
        blocks.append(Block(t("doc.open_meeting"), lang, 17 * k, False, GREY, 0))
        blocks.append(Block(t("doc.welcome"), lang, 24 * k, True, black, 4))
    topic = ctx.field(lang, "topic")
    if topic:
        blocks.append(Block(topic, lang, 42 * k, True, black, 10, role="H1"))
    blocks.append(Block(ctx.date_line(lang), lang, 44 * k, True, black, 12))
    blocks.append(Block(ctx.time_line(lang), lang, 34 * k, False, black, 2))
    # The venue's name and address are Norwegian whatever the poster's language: they are laid out
    # and tagged as Norwegian, on the poster's reading side.
    side = "right" if direction(lang) == "rtl" else "left"
    blocks.append(Block(venue.name, NB, 26 * k, True, black, 12, align=side))
    if venue.address:
        blocks.append(Block(venue.address, NB, 16 * k, False, black, 2, align=side))
    if venue.transport and not secondary:
        blocks.append(Block(f"{t('doc.getting_there')}: {venue.transport}", lang, 13 * k, False, black, 2))
    blocks.append(Block(t("doc.free_voluntary_title"), lang, 24 * k, True, black, 14, "start"))
    blocks.append(Block(t("doc.free_voluntary"), lang, 17 * k, False, black, 3))
    last = Block(t("doc.anyone_welcome"), lang, 14 * k, False, black, 3, "end")
    blocks.append(last)
    if not secondary:
        names = ctx.interpreter_names()
        if names:
            blocks.append(Block(t("doc.interpreters_present", languages=names), lang, 17 * k, True, black, 12))
        extras = []
        if m.childcare:
            extras.append(t("doc.childcare"))
        if m.catering:
            extras.append(t("doc.food") + (" " + t("doc.food_halal") if m.catering_halal else ""))
        if extras:
            blocks.append(Block(" ".join(extras), lang, 14 * k, False, black, 6))
    return blocks


def _measure(pen: Pen, blocks: list[Block], width: float, factor: float) -> float:
    total = 0.0
    for block in blocks:
        inner = width - (8 * MM if block.boxed or _in_box(blocks, block) else 0)
        if pen.splits(block.text, block.lang, inner, block.size * factor, bold=block.bold):
            return float("inf")  # a date or phone number would break: smaller
        total += block.gap * factor + pen.height(block.text, block.lang, inner, block.size * factor, bold=block.bold)
        if block.boxed == "start":
            total += 3 * MM
        if block.boxed == "end":
            total += 3 * MM
    return total


def _in_box(blocks: list[Block], target: Block) -> bool:
    inside = False
    for block in blocks:
        if block.boxed == "start":
            inside = True
        if block is target:
            return inside
        if block.boxed == "end":
            inside = False
    return False


def _draw_blocks(doc: Document, blocks: list[Block], x: float, y_top: float, width: float, factor: float) -> float:
    y = y_top
    box_top = None
    for block in blocks:
        y -= block.gap * factor
        boxed = block.boxed or _in_box(blocks, block)
        if block.boxed == "start":
            box_top = y
            y -= 3 * MM
        inset = 4 * MM if boxed else 0
        y -= doc.pen.text(block.text, block.lang, x + inset, y, width - 2 * inset, block.size * factor,
                          bold=block.bold, colour=block.colour, align=block.align, role=block.role)
        if block.boxed == "end" and box_top is not None:
            y -= 3 * MM
            line = 2.2 * factor
            c = doc.canvas
            for x0, y0, x1, y1 in ((x, y, x + width, y), (x, box_top, x + width, box_top), (x, y, x, box_top),
                                   (x + width, y, x + width, box_top)):
                record(c, x0 - line, y0 - line, x1 + line, y1 + line, "frame")
            with tagged.artifact(c):
                c.saveState()
                c.setLineWidth(line)
                set_stroke(c, black)
                c.roundRect(x, y, width, box_top - y, 3 * MM, stroke=1, fill=0)
                c.restoreState()
            box_top = None
    return y_top - y


def draw_poster(doc: Document, ctx: PrintContext, lang: str, with_nb: bool, x: float, y: float, w: float,
                h: float, document: str, size: str) -> None:
    """The poster's content inside the box (x, y lower-left, w × h), scaled to the box."""
    scale = w / (210 * MM)
    margin = margin_mm(size) * MM
    inner_x, inner_w = x + margin, w - 2 * margin
    top = y + h - margin
    bottom = y + margin
    c = doc.canvas

    row = draw_mark_row(c, ctx.marks, document, size, inner_x + (inner_w - row_width(document, size)) / 2, top)
    top -= row + 4 * MM * scale

    # Footer: QR code at the end side, sign-up and interpreter ordering beside it, sender below.
    t = ctx.t(lang)
    qr = max(26 * MM * scale, 20 * MM)
    sender = t("doc.sent_by", sender=ctx.org.sender_line or "")
    sender_h = doc.pen.height(sender, lang, inner_w, 10 * scale)
    footer_text_w = inner_w - qr - 5 * MM
    rtl = direction(lang) == "rtl"
    qr_x = inner_x if rtl else inner_x + inner_w - qr
    text_x = inner_x + qr + 5 * MM if rtl else inner_x
    footer_lines = [t("doc.sign_up", phone=ctx.phone), t("doc.order_interpreter", phone=ctx.phone)]
    if with_nb and lang != NB:
        footer_lines.append(ctx.t(NB)("doc.order_interpreter", phone=ctx.phone))
    footer_h = max(qr, sum(doc.pen.height(s, lang, footer_text_w, 13 * scale, bold=i == 0) + 3
                           for i, s in enumerate(footer_lines)))
    qr_y = bottom + sender_h + 3 * MM
    draw_qr(c, f"{ctx.url}?lang={lang}", qr_x, qr_y, qr)  # the page opens in the poster's language
    fy = qr_y + footer_h
    for line in footer_lines:
        fy -= doc.pen.text(line, lang if line not in footer_lines[2:] else NB, text_x, fy, footer_text_w,
                           13 * scale, bold=line is footer_lines[0]) + 3
    doc.pen.text(sender, lang, inner_x, bottom + sender_h, inner_w, 10 * scale, colour=GREY)

    available = top - (qr_y + footer_h + 5 * MM)
    blocks = _poster_blocks(ctx, lang, scale)
    secondary = _poster_blocks(ctx, NB, scale, secondary=True) if with_nb and lang != NB else []
    separator = 8 * MM * scale if secondary else 0
    # Grow to fill the sheet (readable from further away), shrink when a language needs more room.
    factor = 1.3
    while factor > 0.45:
        needed = _measure(doc.pen, blocks, inner_w, factor) + separator + _measure(doc.pen, secondary, inner_w, factor)
        if needed <= available:
            break
        factor *= 0.93
    used = _draw_blocks(doc, blocks, inner_x, top, inner_w, factor)
    if secondary:
        yy = top - used - separator / 2
        record(c, inner_x, yy - 1, inner_x + inner_w, yy + 1, "rule")
        with tagged.artifact(c):
            c.saveState()
            set_stroke(c, GREY)
            c.setLineWidth(0.8)
            c.line(inner_x, yy, inner_x + inner_w, yy)
            c.restoreState()
        _draw_blocks(doc, secondary, inner_x, top - used - separator, inner_w, factor)


def poster(ctx: PrintContext, lang: str, *, size: str = "A4", with_nb: bool = False, variant: str = "office") -> bytes:
    """One poster. ``variant`` "office" prints on any printer (white margins); "printshop" is the
    trim size with bleed, crop marks and 100 % K text (see :mod:`.printshop`)."""
    doc = Document(ctx, size, title="Plakat", lang=lang, key="poster", print_shop=variant == "printshop")
    draw_poster(doc, ctx, lang, with_nb, 0, 0, doc.width, doc.height, "poster", size)
    doc.end_page()
    return doc.finish()


def flyer(ctx: PrintContext, lang: str, *, size: str = "A5", with_nb: bool = False, variant: str = "office",
          sheet: str = "sheet") -> bytes:
    """Flyers: ``sheet`` "sheet" prints 2 (A5) or 4 (A6) to an A4 sheet with cut marks, for the office
    printer; "single" is one flyer per page at its own size (A5 or A6), as a print shop or a
    printer with A5 paper wants it. The print-shop variant is always single, with bleed."""
    print_shop = variant == "printshop"
    if sheet == "single" or print_shop:
        doc = Document(ctx, size, title="Flygeblad", lang=lang, key="flyer", print_shop=print_shop)
        draw_poster(doc, ctx, lang, with_nb, 0, 0, doc.width, doc.height, "flyer", size)
    else:
        landscape_ = size == "A5"
        doc = Document(ctx, "A4", landscape_=landscape_, title="Flygeblad", lang=lang, key="flyer")
        columns, rows = (2, 1) if size == "A5" else (2, 2)
        w, h = doc.width / columns, doc.height / rows
        for col in range(columns):
            for row in range(rows):
                draw_poster(doc, ctx, lang, with_nb, col * w, row * h, w, h, "flyer", size)
        draw_cut_marks(doc.canvas, doc.width, doc.height, columns, rows)
    doc.end_page()
    return doc.finish()
