"""Forms filled in by hand at the meeting: sign-up slips, the feedback form, the attendance tally."""

from __future__ import annotations

from ..core import languages
from .document import NB, Document, PrintContext, both, direction, fit, fit_document, row_width, sheet
from .layout import (
    GREY,
    MM,
    checkbox,
    draw_cut_marks,
    draw_mark_row,
    draw_qr,
    record,
    write_line,
)


def slips(ctx: PrintContext, lang: str, *, pages: int = 1) -> bytes:
    """Sign-up slips, each on its own so nobody sees another person's details: three to a page,
    or two where the language and its Norwegian translation need the room."""
    doc = fit_document(lambda scale: _slips(ctx, lang, pages, scale, 3), min_scale=0.85)
    if doc.problems:
        doc = fit_document(lambda scale: _slips(ctx, lang, pages, scale, 2))
    return doc.finish()


def _slips(ctx: PrintContext, lang: str, pages: int, scale: float, per_page: int) -> Document:
    doc = Document(ctx, "A4", title="Påmeldingslapper", lang=lang, key="slips", scale=scale)
    slip_h = doc.height / per_page
    rtl = direction(lang) == "rtl"
    for _page in range(max(1, pages)):
        for index in range(per_page):
            top = doc.height - index * slip_h - 8 * MM
            x, w = 15 * MM, doc.width - 30 * MM
            k = doc.scale
            y = top - draw_mark_row(doc.canvas, ctx.marks, "slips", "A4", x + w - row_width("slips", "A4"), top) - 3 * MM
            y -= doc.pen.parts(both(ctx, lang, "slip.signup_title"), x, y, w, 15, bold=True, role="H2") + 2 * k
            y -= doc.pen.text(f"{ctx.field(lang, 'topic')} – {ctx.date_line(lang)}".strip(" –"), lang, x, y, w, 9,
                              colour=GREY) + 5 * k
            box_x = x + w - 5 * MM if rtl else x
            tx = x if rtl else x + 8 * MM
            for key in ("slip.want_news", "slip.want_help"):
                checkbox(doc.canvas, box_x, y, 5 * MM)
                y -= max(doc.pen.parts(both(ctx, lang, key), tx, y, w - 8 * MM, 11), 5 * MM) + 3 * k
            for key in ("slip.name", "slip.phone_or_address", "slip.language"):
                label_h = doc.pen.parts(both(ctx, lang, key), x, y, w, 9)
                y -= label_h + 11 * k
                write_line(doc.canvas, x, y, w)
                y -= 3 * k
            doc.pen.parts(both(ctx, lang, "slip.privacy"), x, y - 2, w, 7.5, colour=GREY)
            if index:  # each slip must end above the cut that separates it from the one above
                record(doc.canvas, 0, doc.height - index * slip_h - 0.3, doc.width, doc.height - index * slip_h + 0.3,
                       "cut line")
        draw_cut_marks(doc.canvas, doc.width, doc.height, 1, per_page)
        doc.end_page()
    return doc


def _face(canvas, cx: float, cy: float, r: float, mood: int) -> None:
    """A face for ratings: mood 2 = very happy … -2 = very unhappy (drawn, so no font is needed)."""
    record(canvas, cx - r - 1, cy - r - 1, cx + r + 1, cy + r + 1, "face")
    canvas.saveState()
    canvas.setLineWidth(r * 0.09)
    canvas.circle(cx, cy, r, stroke=1, fill=0)
    canvas.circle(cx - r * 0.35, cy + r * 0.25, r * 0.09, stroke=0, fill=1)
    canvas.circle(cx + r * 0.35, cy + r * 0.25, r * 0.09, stroke=0, fill=1)
    path = canvas.beginPath()
    mouth_y = cy - r * 0.35
    curve = r * 0.22 * mood / 2
    path.moveTo(cx - r * 0.45, mouth_y + curve * 0.3)
    path.curveTo(cx - r * 0.15, mouth_y - curve, cx + r * 0.15, mouth_y - curve, cx + r * 0.45, mouth_y + curve * 0.3)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.restoreState()


def feedback_form(ctx: PrintContext, lang: str) -> bytes:
    return fit(ctx, lambda scale: _feedback_form(ctx, lang, scale))


def _feedback_form(ctx: PrintContext, lang: str, scale: float) -> Document:
    doc, x, w, y = sheet(ctx, "feedback-form", "Tilbakemeldingsskjema", lang, scale)
    c, pen = doc.canvas, doc.pen
    y -= pen.text(ctx.t(lang)("feedback.title"), lang, x, y, w, 24, bold=True) + 2
    if lang != NB:
        y -= pen.text(ctx.t(NB)("feedback.title"), NB, x, y, w, 12, colour=GREY,
                      align="right" if direction(lang) == "rtl" else "left") + 2
    topic = ctx.field(lang, "topic")
    y -= pen.text(f"{topic} – {ctx.date_line(lang)}".strip(" –"), lang, x, y, w, 11) + 10
    y -= pen.parts(both(ctx, lang, "feedback.rating"), x, y, w, 12) + 8
    r = 11 * MM
    moods = [2, 1, 0, -1, -2]
    if direction(lang) == "rtl":
        moods.reverse()  # the happiest face comes first in reading order
    for index, mood in enumerate(moods):
        cx = x + w * (index + 0.5) / 5
        _face(c, cx, y - r, r, mood)
        checkbox(c, cx - 3 * MM, y - 2 * r - 4 * MM, 6 * MM)
    y -= 2 * r + 16 * MM
    for key in ("feedback.useful", "feedback.missing", "feedback.next_topic"):
        y -= pen.parts(both(ctx, lang, key), x, y, w, 13, bold=True) + 4
        for _ in range(3):
            y -= 11 * MM * scale
            write_line(c, x, y, w)
        y -= 6 * MM * scale
    # The same questions on a phone, in the participant's language: a QR code at the end of the line.
    qr = 24 * MM
    rtl = direction(lang) == "rtl"
    text_x, text_w = (x + qr + 6 * MM if rtl else x), w - qr - 6 * MM
    draw_qr(c, f"{ctx.url}/feedback?lang={lang}", x if rtl else x + w - qr, y - qr, qr)
    y -= pen.text(ctx.t(lang)("feedback.qr"), lang, text_x, y, text_w, 11, bold=True) + 3
    y -= pen.parts(both(ctx, lang, "feedback.anonymous"), text_x, y, text_w, 10, colour=GREY) + 4
    pen.parts(both(ctx, lang, "feedback.thanks"), text_x, y, text_w, 16, bold=True)
    doc.end_page()
    return doc


def tally(ctx: PrintContext, lang: str = NB) -> bytes:
    return fit(ctx, lambda scale: _tally(ctx, lang, scale))


def _tally(ctx: PrintContext, lang: str, scale: float) -> Document:
    doc, x, w, y = sheet(ctx, "tally", "Telleark", lang, scale, margin_mm_=15.0)
    c, pen = doc.canvas, doc.pen
    y += 2 * MM
    y -= pen.parts(both(ctx, lang, "tally.title"), x, y, w, 20, bold=True) + 2
    venue = ctx.meeting.venue.name if ctx.meeting.venue else ""
    topic = ctx.field(lang, "topic")
    if topic:
        y -= pen.text(topic, lang, x, y, w, 12, bold=True) + 2
    y -= pen.text(ctx.date_line(lang), lang, x, y, w, 11) + 2
    y -= pen.text(f"{ctx.time_line(lang)} – {venue}".strip(" –"), lang, x, y, w, 11) + 4
    y -= pen.parts(both(ctx, lang, "tally.instructions"), x, y, w, 10, colour=GREY) + 8
    label_w, total_w = 42 * MM, 28 * MM
    rows = [("tally.adults", 52 * MM * scale), ("tally.children", 42 * MM * scale), ("tally.staff", 26 * MM * scale)]
    rtl = direction(lang) == "rtl"
    for key, height in rows:
        # the frame's edges, not its inside: the labels are drawn in it
        label_x = x + w - label_w if rtl else x
        total_x = x if rtl else x + w - total_w
        for x0, y0, x1, y1 in ((x, y - height, x + w, y - height), (x, y, x + w, y), (x, y - height, x, y),
                               (x + w, y - height, x + w, y),
                               (label_x + (0 if rtl else label_w), y - height, label_x + (0 if rtl else label_w), y),
                               (total_x + (total_w if rtl else 0), y - height, total_x + (total_w if rtl else 0), y)):
            record(c, min(x0, x1) - 0.6, min(y0, y1) - 0.6, max(x0, x1) + 0.6, max(y0, y1) + 0.6, "frame")
        c.rect(x, y - height, w, height, stroke=1, fill=0)
        c.line(label_x + (0 if rtl else label_w), y, label_x + (0 if rtl else label_w), y - height)
        c.line(total_x + (total_w if rtl else 0), y, total_x + (total_w if rtl else 0), y - height)
        pen.parts(both(ctx, lang, key), label_x + 2 * MM, y - 2 * MM, label_w - 4 * MM, 12, bold=True)
        pen.text(ctx.t(lang)("tally.total"), lang, total_x + 2 * MM, y - 2 * MM, total_w - 4 * MM, 9, colour=GREY)
        y -= height
    y -= 8 * MM
    y -= pen.parts(both(ctx, lang, "tally.interpreted"), x, y, w, 12, bold=True) + 4
    codes = list(ctx.meeting.interpreter_languages or [])
    for code in codes + ["", ""]:
        checkbox(c, x + w - 5 * MM if rtl else x, y, 5 * MM)
        label = f"{languages.get(code).native_name} ({languages.get(code).name_nb})" if code else ""
        if label:
            # Each language name in its own script, laid out in the sheet's direction so the name
            # comes first on the sheet's side ("العربية (arabisk)" beside its box on a Norwegian sheet).
            pen.text(label, lang, x if rtl else x + 8 * MM, y, w - 8 * MM, 11, align="right" if rtl else "left")
        else:
            write_line(c, x + w - 8 * MM - 70 * MM if rtl else x + 8 * MM, y - 5 * MM, 70 * MM)
        y -= 8 * MM
    doc.end_page()
    return doc
