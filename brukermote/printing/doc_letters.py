"""Mail merge: invitation letters with a reply slip, envelopes and address labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask_babel import ngettext

from ..core import languages
from . import tagged
from .document import NB, Document, PrintContext, PrintError, direction, row_width
from .layout import GREY, MM, SAFE_MM, MeasuringPen, Pen, checkbox, draw_mark_row, record, set_stroke

# -- letters, envelopes, labels --------------------------------------------------------------------

#: Where the reply slip's cut line runs, from the bottom of the A4 sheet (points).
SLIP_TOP = 98 * MM


def _require_addresses(contacts: list) -> None:
    missing = [c for c in contacts if not c.has_postal_address]
    if missing:
        listed = ", ".join(f"#{c.id}" for c in missing[:10]) + (" …" if len(missing) > 10 else "")
        raise PrintError(ngettext(
            "%(num)d contact has no postal address (%(listed)s); no letters were made.",
            "%(num)d contacts have no postal address (%(listed)s); no letters were made.",
            len(missing), listed=listed))


def _letter_language(contact) -> str:
    return contact.language if contact.language in languages.LANGUAGES else NB


def _room(contact) -> int:
    """How much room a contact's name and address take (characters)."""
    return len(contact.name or "") + sum(len(line) for line in contact.address_lines())


def longest_per_language(contacts: list) -> dict:
    """For each letter language, the contact whose name and address take the most room: letters
    are sized on it (a longer name can only need a smaller size) and preflight's check of the drawn
    pages renders exactly these."""
    longest: dict = {}
    for contact in contacts:
        code = _letter_language(contact)
        best = longest.get(code)
        if best is None or _room(contact) > _room(best):
            longest[code] = contact
    return longest


def _letter_column(ctx: PrintContext, pen: Pen, lang: str, name: str, x: float, y_top: float, w: float,
                   size: float) -> float:
    t = ctx.t(lang)
    y = y_top
    y -= pen.text(t("letter.title"), lang, x, y, w, size * 1.45, bold=True) + 4
    y -= pen.text(t("letter.greeting", name=name) if name else t("letter.greeting_anonymous"), lang, x, y, w, size) + 3
    y -= pen.text(t("letter.body"), lang, x, y, w, size) + 5
    topic = ctx.field(lang, "topic")
    if topic:
        y -= pen.text(f"{t('doc.topic')}: {topic}", lang, x, y, w, size * 1.15, bold=True) + 3
    # The date stands on a line of its own: it is what people must read right, and a line that mixes
    # it with other words reads (and extracts) ambiguously when scripts and directions mix.
    y -= pen.text(t("doc.when"), lang, x, y, w, size, bold=True)
    y -= pen.text(ctx.date_line(lang), lang, x, y, w, size * 1.15, bold=True) + 1
    y -= pen.text(ctx.time_line(lang), lang, x, y, w, size) + 3
    venue = ctx.venue
    y -= pen.text(f"{t('doc.where')}: {venue.name}, {venue.address}", lang, x, y, w, size, bold=True) + 5
    y -= pen.text(t("doc.free_voluntary_title"), lang, x, y, w, size * 1.1, bold=True) + 1
    y -= pen.text(t("doc.free_voluntary"), lang, x, y, w, size) + 4
    names = ctx.interpreter_names()
    if names:
        y -= pen.text(t("doc.interpreters_present", languages=names), lang, x, y, w, size) + 2
    y -= pen.text(t("doc.order_interpreter", phone=ctx.phone), lang, x, y, w, size) + 2
    if ctx.meeting.childcare:
        y -= pen.text(t("letter.family") + " " + t("doc.childcare"), lang, x, y, w, size) + 2
    y -= pen.text(t("letter.regards"), lang, x, y - 4, w, size) + 6
    y -= pen.text(ctx.org.sender_line or "", lang, x, y, w, size * 0.9)
    return y_top - y


def _reply_slip(ctx: PrintContext, pen: Pen, lang: str, contact, top: float, page_width: float,
                size: float = 10.0) -> float:
    """The tear-off reply slip below ``top``; returns its height. Each line is in the contact's
    language with the Norwegian under it (its own block: own direction, own punctuation, own
    /Lang). With a measuring pen nothing is drawn."""
    c = pen.canvas
    left, width = 18 * MM, page_width - 36 * MM
    t, tn = ctx.t(lang), ctx.t(NB)
    rtl = direction(lang) == "rtl"
    side = "right" if rtl else "left"
    k = size / 10.0

    def pair(key: str, x: float, y: float, w: float, suffix: str = "", bold: bool = False, scale: float = 1.0) -> float:
        used = pen.text(t(key) + suffix, lang, x, y, w, size * scale, bold=bold)
        if lang != NB:  # the Norwegian label under it, with its own colon where Norwegian puts it
            label = tn(key) + (":" if suffix.startswith(":") else "")
            used += pen.text(label, NB, x, y - used, w, size * scale * 0.8, colour=GREY, align=side)
        return used

    if c is not None:
        record(c, 8 * MM, top - 0.5, page_width - 8 * MM, top + 0.5, "cut line")
        with tagged.artifact(c):
            c.saveState()
            c.setDash(4, 3)
            set_stroke(c, GREY)
            c.line(8 * MM, top, page_width - 8 * MM, top)
            c.restoreState()
    cut = t("slip.cut_here") + ("" if lang == NB else " / " + tn("slip.cut_here"))
    pen.text(cut, lang, left, top + 9, width, 7, colour=GREY, role=None if c is None else "P")
    y = top - 5 * MM
    y -= pen.text(f"{t('slip.reply_title')} – {ctx.date_line(lang)}", lang, left, y, width, size * 1.2, bold=True)
    if lang != NB:
        y -= pen.text(tn("slip.reply_title"), NB, left, y, width, size * 0.8, colour=GREY, align=side)
    y -= 6 * k
    box_x = left + width - 4 * MM if rtl else left
    text_x, text_w = (left, width - 7 * MM) if rtl else (left + 7 * MM, width - 7 * MM)
    checkbox(c, box_x, y, 4 * MM)
    y -= max(pair("slip.yes_coming", text_x, y, text_w), 4 * MM) + 5 * k
    half = (width - 6 * MM) / 2
    columns = [left + width - half, left] if rtl else [left, left + half + 6 * MM]
    used = max(pair(key, x, y, half, ": ______") for key, x in zip(("slip.adults", "slip.children"), columns,
                                                                   strict=True))
    y -= used + 5 * k
    y -= pair("slip.need_interpreter", left, y, width, " ____________________") + 5 * k
    checkbox(c, box_x, y, 4 * MM)
    y -= max(pair("slip.need_childcare", text_x, y, text_w), 4 * MM) + 6 * k
    y -= pair("slip.name", left, y, width, f": {contact.name}") + 6 * k
    y -= pair("slip.phone", left, y, width, ": ____________________") + 6 * k
    y -= pair("slip.return", left, y, width, scale=0.85) + 2
    y -= pen.text((ctx.org.return_address or "").replace("\n", ", "), NB, left, y, width, size * 0.85, colour=GREY,
                  align=side)
    return top - y


def letters(ctx: PrintContext, contacts: list, *, progress: Callable[[int, int], None] | None = None) -> bytes:
    """One A4 letter per contact: address in the envelope window, the invitation in the contact's
    language with Norwegian alongside, and a tear-off reply slip."""
    if not contacts:
        raise PrintError("Ingen mottakere valgt. / No recipients chosen.")
    _require_addresses(contacts)
    _ = ctx.venue  # raises PrintError before any page is made
    doc = Document(ctx, "A4", title="Invitasjonsbrev", key="letters")
    total = len(contacts)
    measuring, sizes = MeasuringPen(), ctx.letter_sizes
    sized_on = longest_per_language(contacts)
    for index, contact in enumerate(contacts, start=1):
        lang = _letter_language(contact)
        c = doc.canvas
        draw_mark_row(c, ctx.marks, "letters", "A4", 18 * MM, doc.height - 10 * MM)
        # Return address above the window, recipient inside it (window envelopes C5/DL: 20 mm from
        # the left, 50 mm from the top).
        doc.pen.text((ctx.org.return_address or "").replace("\n", ", "), NB, 20 * MM, doc.height - 44 * MM,
                     85 * MM, 7, colour=GREY)
        y = doc.height - 50 * MM
        for line in contact.address_lines():
            y -= doc.pen.text(line, NB, 20 * MM, y, 85 * MM, 11)
        body_top = doc.height - 92 * MM
        slip_top = SLIP_TOP
        available = body_top - slip_top - 6 * MM
        if lang == NB:
            columns = [(NB, 18 * MM, doc.width - 36 * MM)]
        else:
            half = (doc.width - 36 * MM - 8 * MM) / 2
            own, norwegian = (lang, 18 * MM + half + 8 * MM), (NB, 18 * MM)
            if direction(lang) == "ltr":
                own, norwegian = (lang, 18 * MM), (NB, 18 * MM + half + 8 * MM)
            columns = [(own[0], own[1], half), (norwegian[0], norwegian[1], half)]
        # The largest sizes at which both columns fit above the slip and the slip above the page's
        # bottom; found once per language and context, on the language's longest name and address
        # (the one preflight draws), so 500 letters are not measured 500 times and preflight's
        # sample letters reuse the sizes. A letter whose text does not fit even at 7 pt continues:
        # the reply slip goes on a second page of its own.
        key = (lang, sized_on[lang].name)  # the name is the only part of the contact the letter's text holds
        fitted = sizes.get(key)
        if fitted is None:
            fitted = sizes[key] = _letter_sizes(ctx, measuring, lang, sized_on[lang], columns, available, doc.width)
        size, slip_size, continued = fitted
        for col_lang, x, w in columns:
            _letter_column(ctx, doc.pen, col_lang, contact.name, x, body_top, w, size)
        if continued:
            doc.end_page()
            slip_top = doc.height - 30 * MM
            draw_mark_row(c, ctx.marks, "letters", "A4", 18 * MM, doc.height - 10 * MM)
        _reply_slip(ctx, doc.pen, lang, contact, slip_top, doc.width, slip_size)
        doc.end_page()
        if progress is not None and (index % 10 == 0 or index == total):
            progress(index, total)
    return doc.finish()


def _letter_sizes(ctx: PrintContext, pen: Pen, lang: str, contact, columns, available: float,
                  page_width: float) -> tuple[float, float, bool]:
    """(body size, slip size, slip on its own page) for a letter in ``lang``."""
    slip_room = SLIP_TOP - (SAFE_MM + 3) * MM
    slip_size = 10.0
    while slip_size > 7 and _reply_slip(ctx, pen, lang, contact, 0, page_width, slip_size) > slip_room:
        slip_size -= 0.5
    size = 10.5
    while size > 7 and max(_letter_column(ctx, pen, col_lang, contact.name, 0, 0, w, size)
                           for col_lang, _x, w in columns) > available:
        size -= 0.5
    def height(size: float) -> float:
        return max(_letter_column(ctx, pen, col_lang, contact.name, 0, 0, w, size) for col_lang, _x, w in columns)

    if height(size) <= available:
        return size, slip_size, False
    # The slip goes on a page of its own; the letter takes its page down to the bottom margin.
    room = available + SLIP_TOP - (SAFE_MM + 10) * MM
    size = 10.5
    while size > 7 and height(size) > room:
        size -= 0.5
    return size, slip_size, True


def envelopes(ctx: PrintContext, contacts: list, *, size: str = "C5") -> bytes:
    if not contacts:
        raise PrintError("Ingen mottakere valgt. / No recipients chosen.")
    _require_addresses(contacts)
    doc = Document(ctx, size, title="Konvolutter", key="envelopes")
    for contact in contacts:
        lang = _letter_language(contact)
        draw_mark_row(doc.canvas, ctx.marks, "envelopes", size, doc.width - 8 * MM - row_width("envelopes", size),
                      doc.height - 7 * MM)
        ret = [ctx.org.sender_line or ""] + (ctx.org.return_address or "").splitlines()
        y = doc.height - 10 * MM
        for line in ret:
            y -= doc.pen.text(line, NB, 12 * MM, y, 90 * MM, 8)
        y -= doc.pen.text(ctx.t(lang)("letter.title"), lang, 12 * MM, y - 3, 110 * MM, 7, colour=GREY) + 3
        doc.pen.text(ctx.date_line(lang), lang, 12 * MM, y, 110 * MM, 7, colour=GREY)
        x = doc.width * (0.45 if size == "C5" else 0.42)
        y = doc.height * 0.52
        for line in contact.address_lines():
            y -= doc.pen.text(line, NB, x, y, doc.width - x - 15 * MM, 12)
        doc.end_page()
    return doc.finish()


@dataclass(frozen=True)
class LabelLayout:
    """An A4 label sheet; defaults fit the common 3 × 8 sheets of 70 × 36 mm labels."""

    columns: int = 3
    rows: int = 8
    width_mm: float = 70.0
    height_mm: float = 36.0
    left_mm: float = 0.0
    top_mm: float = 4.5
    gap_x_mm: float = 0.0
    gap_y_mm: float = 0.0

    @classmethod
    def parse(cls, spec: str) -> LabelLayout:
        """``COLSxROWS:WxH[:LEFT:TOP]`` in millimetres, e.g. ``3x8:70x36:0:4.5``."""
        try:
            parts = spec.split(":")
            cols, rows = (int(v) for v in parts[0].lower().split("x"))
            width, height = (float(v) for v in parts[1].lower().split("x"))
            left = float(parts[2]) if len(parts) > 2 else 0.0
            top = float(parts[3]) if len(parts) > 3 else (297 - rows * height) / 2
        except (ValueError, IndexError):
            raise PrintError(f"Ugyldig etikettoppsett «{spec}»; bruk f.eks. 3x8:70x36:0:4.5") from None
        layout = cls(cols, rows, width, height, left, top)
        if left + cols * width > 210.5 or top + rows * height > 297.5 or cols < 1 or rows < 1:
            raise PrintError(f"Etikettene «{spec}» går utenfor et A4-ark.")
        return layout


def labels(ctx: PrintContext, contacts: list, *, layout: LabelLayout | None = None) -> bytes:
    if not contacts:
        raise PrintError("Ingen mottakere valgt. / No recipients chosen.")
    _require_addresses(contacts)
    layout = layout or LabelLayout()
    # Label stock is printed almost to the edge (its own margins are the sheet's); the header line
    # sits in the sheet's top margin, above the first row of labels.
    doc = Document(ctx, "A4", title="Adresseetiketter", key="labels", safe_mm=1.0)
    per_page = layout.columns * layout.rows
    pages = [contacts[i:i + per_page] for i in range(0, len(contacts), per_page)]
    header_lang = _letter_language(contacts[0])
    for page in pages:
        header = f"{ctx.t(NB)('letter.title')} – {ctx.date_line(NB)}"
        if header_lang != NB:
            header += f" · {ctx.t(header_lang)('letter.title')} – {ctx.date_line(header_lang)}"
        doc.pen.text(header, header_lang, 5 * MM, doc.height - 1.2 * MM, doc.width - 10 * MM, 5, colour=GREY)
        for index, contact in enumerate(page):
            col, row = index % layout.columns, index // layout.columns
            x = (layout.left_mm + col * (layout.width_mm + layout.gap_x_mm) + 5) * MM
            y = doc.height - (layout.top_mm + row * (layout.height_mm + layout.gap_y_mm) + 6) * MM
            for line in contact.address_lines():
                y -= doc.pen.text(line, NB, x, y, (layout.width_mm - 10) * MM, 10)
        doc.end_page()
    return doc.finish()
