"""The printed documents: poster, flyer, letters, envelopes, labels, slips, feedback form, tally sheet,
programme and interpreter briefing — each a function from a ``PrintContext`` to PDF bytes.

Nothing here decides *whether* something may be printed finally; ``services.render`` runs preflight
first and passes ``draft=True`` when it must be a draft.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from reportlab.lib.colors import Color, black
from reportlab.pdfgen.canvas import Canvas

from ..core import languages
from ..core.models import Organisation
from ..core.phone import display_phone
from ..meetings.models import Meeting, ProgrammeKind
from ..meetings.services import programme_clock
from . import fonts, texts
from .tagged import StructureTree
from .layout import (
    GREY,
    MM,
    MeasuringPen,
    Pen,
    checkbox,
    draw_cut_marks,
    draw_draft,
    draw_mark_row,
    draw_qr,
    margin_mm,
    mark_row_mm,
    page_size,
    write_line,
)

NB = "nb"


class PrintError(ValueError):
    """The document cannot be made at all (draft or final); the message says why."""


@dataclass
class PrintContext:
    meeting: Meeting
    org: Organisation
    marks: list
    draft: bool
    url: str
    _texts: dict[str, texts.TextSet] = field(default_factory=dict)
    _unapproved_meeting_texts: list[str] = field(default_factory=list)

    def t(self, lang: str) -> texts.TextSet:
        if lang not in self._texts:
            self._texts[lang] = texts.text_set(lang)
        return self._texts[lang]

    def field(self, lang: str, name: str) -> str:
        value, approved = texts.meeting_text(self.meeting, lang, name)
        if not approved:
            label = f"{lang}: {name}"
            if label not in self._unapproved_meeting_texts:
                self._unapproved_meeting_texts.append(label)
        return value

    def unreviewed_note(self) -> str:
        parts = [f"{lang}: {', '.join(ts.unreviewed)}" for lang, ts in self._texts.items() if ts.unreviewed]
        parts += self._unapproved_meeting_texts
        if not parts:
            return "Utkast – ikke kontrollert i preflight. / Draft – not checked by preflight."
        return "Ikke godkjent / not approved: " + "; ".join(parts)

    # -- facts every document prints, in one language -------------------------------------------
    def date_line(self, lang: str) -> str:
        return texts.long_date(self.meeting.local_date, lang)

    def time_line(self, lang: str) -> str:
        return self.t(lang)("doc.time_range", start=texts.clock(self.meeting.local_start.time(), lang),
                            end=texts.clock(self.meeting.local_end.time(), lang))

    def interpreter_names(self, codes: Iterable[str] | None = None) -> str:
        """Native names of ``codes``, by default the meeting's interpreter languages."""
        if codes is None:
            codes = self.meeting.interpreter_languages or []
        return ", ".join(languages.get(c).native_name for c in codes if c in languages.LANGUAGES)

    @property
    def phone(self) -> str:
        return display_phone(self.org.interpreter_phone)

    @property
    def venue(self):
        if self.meeting.venue is None:
            raise PrintError("Møtet har ikke noe sted. / The meeting has no venue.")
        return self.meeting.venue


class Document:
    """A tagged canvas (see :mod:`.tagged`) with the draft mark applied to every page when needed."""

    def __init__(self, ctx: PrintContext, size: str, *, landscape_: bool = False, title: str = "", lang: str = NB):
        self.ctx = ctx
        self.lang = lang
        self.width, self.height = page_size(size, landscape_)
        self.buffer = io.BytesIO()
        # The initial font is an embedded Noto face, so no unembedded Helvetica enters the PDF.
        self.canvas = Canvas(self.buffer, pagesize=(self.width, self.height), pageCompression=1,
                             initialFontName=fonts.initial_font_name(), initialFontSize=10)
        full_title = self._title(title)
        self.canvas.setTitle(full_title)
        self.canvas.setAuthor(ctx.org.name or "Brukermøte")
        self.canvas.setCreator("Brukermøte")
        self.canvas.setSubject(ctx.meeting.topic or "")
        self.tree = StructureTree(self.canvas, languages.get(lang).code if lang in languages.LANGUAGES else NB,
                                  full_title)
        self.pen = Pen(self.canvas)
        self.pages = 0

    def _title(self, kind: str) -> str:
        """What a viewer's title bar and a screen reader announce: the kind of document, the topic
        and the date (in Norwegian: the committee's filing language)."""
        meeting = self.ctx.meeting
        parts = [kind or "Brukermøte", meeting.topic or "", texts.long_date(meeting.local_date, NB)]
        return " – ".join(p for p in parts if p)

    def end_page(self) -> None:
        if self.ctx.draft:
            draw_draft(self.canvas, self.width, self.height, NB, self.ctx.unreviewed_note())
        self.canvas.showPage()
        self.tree.end_page()
        self.pages += 1

    def finish(self) -> bytes:
        self.tree.finish()
        self.canvas.save()
        return self.buffer.getvalue()


def _row_width(document: str, size: str) -> float:
    row = mark_row_mm(document, size)
    return row[1] * MM if row else 0.0


def _direction(lang: str) -> str:
    return languages.get(lang).direction


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
        blocks.append(Block(topic, lang, 42 * k, True, black, 10))
    blocks.append(Block(ctx.date_line(lang), lang, 44 * k, True, black, 12))
    blocks.append(Block(ctx.time_line(lang), lang, 34 * k, False, black, 2))
    blocks.append(Block(venue.name, lang, 26 * k, True, black, 12))
    if venue.address:
        blocks.append(Block(venue.address, lang, 16 * k, False, black, 2))
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
                          bold=block.bold, colour=block.colour)
        if block.boxed == "end" and box_top is not None:
            y -= 3 * MM
            doc.canvas.saveState()
            doc.canvas.setLineWidth(2.2 * factor)
            doc.canvas.roundRect(x, y, width, box_top - y, 3 * MM, stroke=1, fill=0)
            doc.canvas.restoreState()
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

    row = draw_mark_row(c, ctx.marks, document, size, inner_x + (inner_w - _row_width(document, size)) / 2, top)
    top -= row + 4 * MM * scale

    # Footer: QR code at the end side, sign-up and interpreter ordering beside it, sender below.
    t = ctx.t(lang)
    qr = max(26 * MM * scale, 20 * MM)
    sender = t("doc.sent_by", sender=ctx.org.sender_line or "")
    sender_h = doc.pen.height(sender, lang, inner_w, 10 * scale)
    footer_text_w = inner_w - qr - 5 * MM
    rtl = _direction(lang) == "rtl"
    qr_x = inner_x if rtl else inner_x + inner_w - qr
    text_x = inner_x + qr + 5 * MM if rtl else inner_x
    footer_lines = [t("doc.sign_up", phone=ctx.phone), t("doc.order_interpreter", phone=ctx.phone)]
    if with_nb and lang != NB:
        footer_lines.append(ctx.t(NB)("doc.order_interpreter", phone=ctx.phone))
    footer_h = max(qr, sum(doc.pen.height(s, lang, footer_text_w, 13 * scale, bold=i == 0) + 3
                           for i, s in enumerate(footer_lines)))
    qr_y = bottom + sender_h + 3 * MM
    draw_qr(c, ctx.url, qr_x, qr_y, qr)
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
        c.saveState()
        c.setStrokeColor(GREY)
        c.setLineWidth(0.8)
        c.line(inner_x, yy, inner_x + inner_w, yy)
        c.restoreState()
        _draw_blocks(doc, secondary, inner_x, top - used - separator, inner_w, factor)


def poster(ctx: PrintContext, lang: str, *, size: str = "A4", with_nb: bool = False) -> bytes:
    doc = Document(ctx, size, title="Plakat", lang=lang)
    draw_poster(doc, ctx, lang, with_nb, 0, 0, doc.width, doc.height, "poster", size)
    doc.end_page()
    return doc.finish()


def flyer(ctx: PrintContext, lang: str, *, size: str = "A5", with_nb: bool = False) -> bytes:
    """Flyers printed 2 (A5) or 4 (A6) to an A4 sheet, with cut marks."""
    landscape_ = size == "A5"
    doc = Document(ctx, "A4", landscape_=landscape_, title="Flygeblad", lang=lang)
    columns, rows = (2, 1) if size == "A5" else (2, 2)
    w, h = doc.width / columns, doc.height / rows
    for col in range(columns):
        for row in range(rows):
            draw_poster(doc, ctx, lang, with_nb, col * w, row * h, w, h, "flyer", size)
    draw_cut_marks(doc.canvas, doc.width, doc.height, columns, rows)
    doc.end_page()
    return doc.finish()


# -- letters, envelopes, labels --------------------------------------------------------------------

def _require_addresses(contacts: list) -> None:
    missing = [c for c in contacts if not c.has_postal_address]
    if missing:
        listed = ", ".join(f"#{c.id}" for c in missing[:10]) + (" …" if len(missing) > 10 else "")
        raise PrintError(
            f"{len(missing)} kontakt(er) mangler postadresse ({listed}); ingen brev er laget. "
            f"/ {len(missing)} contact(s) have no postal address ({listed}); no letters were made."
        )


def _letter_language(contact) -> str:
    return contact.language if contact.language in languages.LANGUAGES else NB


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


def _reply_slip(ctx: PrintContext, doc: Document, lang: str, contact, top: float) -> None:
    c, pen = doc.canvas, doc.pen
    left, width = 18 * MM, doc.width - 36 * MM
    t, tn = ctx.t(lang), ctx.t(NB)

    def both(key: str, **values) -> str:
        own = t(key, **values)
        return own if lang == NB else f"{own} / {tn(key, **values)}"

    c.saveState()
    c.setDash(4, 3)
    c.setStrokeColor(GREY)
    c.line(8 * MM, top, doc.width - 8 * MM, top)
    c.restoreState()
    pen.text(both("slip.cut_here"), lang, left, top + 9, width, 7, colour=GREY)
    y = top - 5 * MM
    y -= pen.text(both("slip.reply_title") + f" – {ctx.date_line(lang)}", lang, left, y, width, 12, bold=True) + 6
    rtl = _direction(lang) == "rtl"
    box_x = left + width - 4 * MM if rtl else left
    text_x, text_w = (left, width - 7 * MM) if rtl else (left + 7 * MM, width - 7 * MM)
    checkbox(c, box_x, y, 4 * MM)
    y -= pen.text(both("slip.yes_coming"), lang, text_x, y, text_w, 10) + 6
    for key in ("slip.adults", "slip.children"):
        pen.text(both(key) + ": ______", lang, left, y, width, 10)
        y -= 16
    y -= pen.text(both("slip.need_interpreter") + " ____________________", lang, left, y, width, 10) + 6
    checkbox(c, box_x, y, 4 * MM)
    y -= pen.text(both("slip.need_childcare"), lang, text_x, y, text_w, 10) + 8
    y -= pen.text(f"{both('slip.name')}: {contact.name}", lang, left, y, width, 10) + 8
    y -= pen.text(both("slip.phone") + ": ____________________", lang, left, y, width, 10) + 8
    y -= pen.text(both("slip.return"), lang, left, y, width, 8.5, colour=GREY) + 2
    pen.text((ctx.org.return_address or "").replace("\n", ", "), NB, left, y, width, 8.5, colour=GREY)


def letters(ctx: PrintContext, contacts: list, *, progress: Callable[[int, int], None] | None = None) -> bytes:
    """One A4 letter per contact: address in the envelope window, the invitation in the contact's
    language with Norwegian alongside, and a tear-off reply slip."""
    if not contacts:
        raise PrintError("Ingen mottakere valgt. / No recipients chosen.")
    _require_addresses(contacts)
    _ = ctx.venue  # raises PrintError before any page is made
    doc = Document(ctx, "A4", title="Invitasjonsbrev")
    total = len(contacts)
    measuring, sizes = MeasuringPen(), {}
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
        slip_top = 98 * MM
        available = body_top - slip_top - 6 * MM
        if lang == NB:
            columns = [(NB, 18 * MM, doc.width - 36 * MM)]
        else:
            half = (doc.width - 36 * MM - 8 * MM) / 2
            own, norwegian = (lang, 18 * MM + half + 8 * MM), (NB, 18 * MM)
            if _direction(lang) == "ltr":
                own, norwegian = (lang, 18 * MM), (NB, 18 * MM + half + 8 * MM)
            columns = [(own[0], own[1], half), (norwegian[0], norwegian[1], half)]
        # The largest size at which both columns fit above the slip; found once per language
        # (names hardly move line breaks) so 500 letters are not measured 500 times.
        size = sizes.get(lang)
        if size is None:
            size = 10.5
            while size > 7 and max(_letter_column(ctx, measuring, col_lang, contact.name, 0, 0, w, size)
                                   for col_lang, _x, w in columns) > available:
                size -= 0.5
            sizes[lang] = size
        for col_lang, x, w in columns:
            _letter_column(ctx, doc.pen, col_lang, contact.name, x, body_top, w, size)
        _reply_slip(ctx, doc, lang, contact, slip_top)
        doc.end_page()
        if progress is not None and (index % 10 == 0 or index == total):
            progress(index, total)
    return doc.finish()


def envelopes(ctx: PrintContext, contacts: list, *, size: str = "C5") -> bytes:
    if not contacts:
        raise PrintError("Ingen mottakere valgt. / No recipients chosen.")
    _require_addresses(contacts)
    doc = Document(ctx, size, title="Konvolutter")
    for contact in contacts:
        lang = _letter_language(contact)
        draw_mark_row(doc.canvas, ctx.marks, "envelopes", size, doc.width - 8 * MM - _row_width("envelopes", size),
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
    doc = Document(ctx, "A4", title="Adresseetiketter")
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


# -- slips, feedback form, tally, programme, briefing ------------------------------------------------

def _both(ctx: PrintContext, lang: str, key: str, **values) -> str:
    own = ctx.t(lang)(key, **values)
    return own if lang == NB else f"{own} / {ctx.t(NB)(key, **values)}"


def slips(ctx: PrintContext, lang: str, *, pages: int = 1) -> bytes:
    """Sign-up slips, three to a page, each on its own so nobody sees another person's details."""
    doc = Document(ctx, "A4", title="Påmeldingslapper", lang=lang)
    slip_h = doc.height / 3
    for _page in range(max(1, pages)):
        for index in range(3):
            top = doc.height - index * slip_h - 8 * MM
            x, w = 15 * MM, doc.width - 30 * MM
            y = top - draw_mark_row(doc.canvas, ctx.marks, "slips", "A4", x + w - _row_width("slips", "A4"), top) - 3 * MM
            y -= doc.pen.text(_both(ctx, lang, "slip.signup_title"), lang, x, y, w, 15, bold=True) + 2
            y -= doc.pen.text(f"{ctx.field(lang, 'topic')} – {ctx.date_line(lang)}".strip(" –"), lang, x, y, w, 9,
                              colour=GREY) + 6
            rtl = _direction(lang) == "rtl"
            box_x = x + w - 5 * MM if rtl else x
            tx = x if rtl else x + 8 * MM
            for key in ("slip.want_news", "slip.want_help"):
                checkbox(doc.canvas, box_x, y, 5 * MM)
                y -= max(doc.pen.text(_both(ctx, lang, key), lang, tx, y, w - 8 * MM, 11), 5 * MM) + 4
            for key in ("slip.name", "slip.phone_or_address", "slip.language"):
                label_h = doc.pen.text(_both(ctx, lang, key), lang, x, y, w, 9)
                y -= label_h + 12
                write_line(doc.canvas, x, y, w)
                y -= 4
            doc.pen.text(_both(ctx, lang, "slip.privacy"), lang, x, y - 2, w, 7.5, colour=GREY)
        draw_cut_marks(doc.canvas, doc.width, doc.height, 1, 3)
        doc.end_page()
    return doc.finish()


def _face(canvas, cx: float, cy: float, r: float, mood: int) -> None:
    """A face for ratings: mood 2 = very happy … -2 = very unhappy (drawn, so no font is needed)."""
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


def _sheet(ctx: PrintContext, document: str, title: str, lang: str, margin_mm_: float = 18.0):
    """An A4 sheet with the marks row at the top: returns (doc, x, width, y where content starts)."""
    doc = Document(ctx, "A4", title=title, lang=lang)
    x, w = margin_mm_ * MM, doc.width - 2 * margin_mm_ * MM
    draw_mark_row(doc.canvas, ctx.marks, document, "A4", x, doc.height - 10 * MM)
    return doc, x, w, doc.height - 30 * MM


def feedback_form(ctx: PrintContext, lang: str) -> bytes:
    doc, x, w, y = _sheet(ctx, "feedback-form", "Tilbakemeldingsskjema", lang)
    c, pen = doc.canvas, doc.pen
    y -= pen.text(ctx.t(lang)("feedback.title"), lang, x, y, w, 24, bold=True) + 2
    if lang != NB:
        y -= pen.text(ctx.t(NB)("feedback.title"), NB, x, y, w, 12, colour=GREY) + 2
    topic = ctx.field(lang, "topic")
    y -= pen.text(f"{topic} – {ctx.date_line(lang)}".strip(" –"), lang, x, y, w, 11) + 10
    y -= pen.text(_both(ctx, lang, "feedback.rating"), lang, x, y, w, 12) + 8
    r = 11 * MM
    moods = [2, 1, 0, -1, -2]
    if _direction(lang) == "rtl":
        moods.reverse()  # the happiest face comes first in reading order
    for index, mood in enumerate(moods):
        cx = x + w * (index + 0.5) / 5
        _face(c, cx, y - r, r, mood)
        checkbox(c, cx - 3 * MM, y - 2 * r - 4 * MM, 6 * MM)
    y -= 2 * r + 16 * MM
    for key in ("feedback.useful", "feedback.missing", "feedback.next_topic"):
        y -= pen.text(_both(ctx, lang, key), lang, x, y, w, 13, bold=True) + 4
        for _ in range(3):
            y -= 11 * MM
            write_line(c, x, y, w)
        y -= 6 * MM
    # The same questions on a phone, in the participant's language: a QR code at the end of the line.
    qr = 24 * MM
    rtl = _direction(lang) == "rtl"
    text_x, text_w = (x + qr + 6 * MM if rtl else x), w - qr - 6 * MM
    draw_qr(c, f"{ctx.url}/feedback?lang={lang}", x if rtl else x + w - qr, y - qr, qr)
    y -= pen.text(ctx.t(lang)("feedback.qr"), lang, text_x, y, text_w, 11, bold=True) + 3
    y -= pen.text(_both(ctx, lang, "feedback.anonymous"), lang, text_x, y, text_w, 10, colour=GREY) + 4
    pen.text(_both(ctx, lang, "feedback.thanks"), lang, text_x, y, text_w, 16, bold=True)
    doc.end_page()
    return doc.finish()


def tally(ctx: PrintContext, lang: str = NB) -> bytes:
    doc, x, w, y = _sheet(ctx, "tally", "Telleark", lang, margin_mm_=15.0)
    c, pen = doc.canvas, doc.pen
    y += 2 * MM
    y -= pen.text(_both(ctx, lang, "tally.title"), lang, x, y, w, 20, bold=True) + 2
    venue = ctx.meeting.venue.name if ctx.meeting.venue else ""
    topic = ctx.field(lang, "topic")
    if topic:
        y -= pen.text(topic, lang, x, y, w, 12, bold=True) + 2
    y -= pen.text(ctx.date_line(lang), lang, x, y, w, 11) + 2
    y -= pen.text(f"{ctx.time_line(lang)} – {venue}".strip(" –"), lang, x, y, w, 11) + 4
    y -= pen.text(_both(ctx, lang, "tally.instructions"), lang, x, y, w, 10, colour=GREY) + 8
    label_w, total_w = 42 * MM, 28 * MM
    rows = [("tally.adults", 52 * MM), ("tally.children", 42 * MM), ("tally.staff", 26 * MM)]
    rtl = _direction(lang) == "rtl"
    for key, height in rows:
        c.rect(x, y - height, w, height, stroke=1, fill=0)
        label_x = x + w - label_w if rtl else x
        total_x = x if rtl else x + w - total_w
        c.line(label_x + (0 if rtl else label_w), y, label_x + (0 if rtl else label_w), y - height)
        c.line(total_x + (total_w if rtl else 0), y, total_x + (total_w if rtl else 0), y - height)
        pen.text(_both(ctx, lang, key), lang, label_x + 2 * MM, y - 2 * MM, label_w - 4 * MM, 12, bold=True)
        pen.text(ctx.t(lang)("tally.total"), lang, total_x + 2 * MM, y - 2 * MM, total_w - 4 * MM, 9, colour=GREY)
        y -= height
    y -= 8 * MM
    y -= pen.text(_both(ctx, lang, "tally.interpreted"), lang, x, y, w, 12, bold=True) + 4
    codes = list(ctx.meeting.interpreter_languages or [])
    for code in codes + ["", ""]:
        checkbox(c, x + w - 5 * MM if rtl else x, y, 5 * MM)
        label = f"{languages.get(code).native_name} ({languages.get(code).name_nb})" if code else ""
        if label:
            # Each language name in its own script, but beside its box on the sheet's side.
            pen.text(label, code, x if rtl else x + 8 * MM, y, w - 8 * MM, 11, align="right" if rtl else "left")
        else:
            write_line(c, x + 8 * MM, y - 5 * MM, 70 * MM)
        y -= 8 * MM
    doc.end_page()
    return doc.finish()


def _kind_label(ctx: PrintContext, lang: str, kind: ProgrammeKind) -> str:
    key = {"break": "programme.break"}.get(kind.value, f"programme.{kind.value}")
    return ctx.t(lang)(key)


def programme(ctx: PrintContext, lang: str = NB) -> bytes:
    doc, x, w, y = _sheet(ctx, "programme", "Program", lang)
    pen = doc.pen
    y -= pen.text(_both(ctx, lang, "programme.title"), lang, x, y, w, 22, bold=True) + 4
    topic = ctx.field(lang, "topic")
    if topic:
        y -= pen.text(topic, lang, x, y, w, 16, bold=True) + 2
    y -= pen.text(ctx.date_line(lang), lang, x, y, w, 13, bold=True) + 1
    y -= pen.text(ctx.time_line(lang), lang, x, y, w, 12) + 2
    venue = ctx.venue
    y -= pen.text(f"{ctx.t(lang)('doc.where')}: {venue.name}, {venue.address}", lang, x, y, w, 12) + 10
    rtl = _direction(lang) == "rtl"
    time_w = 32 * MM
    for row in programme_clock(ctx.meeting):
        times = f"{texts.clock(row.starts.time(), lang)}–{texts.clock(row.ends.time(), lang)}"
        tx = x + w - time_w if rtl else x
        bx = x if rtl else x + time_w
        pen.text(times, lang, tx, y, time_w, 12, bold=True)
        used = pen.text(_kind_label(ctx, lang, row.item.kind), lang, bx, y, w - time_w, 12, bold=True)
        detail = row.item.title + (f" – {row.item.speaker.name}" if row.item.speaker else "")
        if detail.strip():
            # Norwegian detail under a right-to-left label keeps to the same (right) edge.
            used += pen.text(detail, NB, bx, y - used, w - time_w, 11, align="end" if rtl else "start")
        y -= max(used, 14) + 8
    doc.end_page()
    return doc.finish()


#: When the booked interpreters are to arrive: ``fn(meeting) -> aware datetime | None`` (the
#: interpreter bookings register one); without any, the briefing says 15 minutes before the start.
briefing_arrival_sources: list[Callable] = []


def _briefing_arrival(meeting) -> dt.datetime:
    from ..core.timeutil import local_zone

    for source in briefing_arrival_sources:
        moment = source(meeting)
        if moment is not None:
            return moment.astimezone(local_zone())
    return meeting.starts_at.astimezone(local_zone()) - dt.timedelta(minutes=15)


#: The languages interpreters are actually booked in: ``fn(meeting) -> [language code]`` (the
#: interpreter bookings register one); when none says any, the meeting's interpreter languages.
briefing_language_sources: list[Callable] = []


def _briefing_languages(meeting) -> list[str] | None:
    for source in briefing_language_sources:
        codes = source(meeting)
        if codes:
            return list(codes)
    return None


def briefing(ctx: PrintContext, lang: str = NB) -> bytes:
    doc, x, w, y = _sheet(ctx, "briefing", "Tolkeorientering", lang)
    pen, t = doc.pen, ctx.t(lang)
    y -= pen.text(t("briefing.title"), lang, x, y, w, 22, bold=True) + 6
    arrival = _briefing_arrival(ctx.meeting)
    # The usual 15 minutes has its own sentence; any other arrival time only names the time.
    usual = ctx.meeting.starts_at - arrival == dt.timedelta(minutes=15)
    y -= pen.text(t("briefing.arrive" if usual else "briefing.arrive_at", time=texts.clock(arrival.time(), lang)),
                  lang, x, y, w, 14, bold=True) + 4
    y -= pen.text(ctx.date_line(lang), lang, x, y, w, 13, bold=True) + 1
    y -= pen.text(ctx.time_line(lang), lang, x, y, w, 12) + 2
    venue = ctx.venue
    y -= pen.text(f"{t('doc.where')}: {venue.name}, {venue.address}", lang, x, y, w, 12) + 2
    contact = (ctx.meeting.created_by.name if getattr(ctx.meeting, "created_by", None) else "") or (ctx.org.sender_line or "")
    y -= pen.text(t("briefing.contact", contact=f"{contact}, {ctx.phone}".strip(", ")), lang, x, y, w, 12) + 2
    # The interpreters reading this need the languages booked, not the committee's usual defaults.
    names = ctx.interpreter_names(_briefing_languages(ctx.meeting))
    if names:
        y -= pen.text(t("doc.interpreters_present", languages=names), lang, x, y, w, 12) + 10
    y -= pen.text(t("briefing.speakers"), lang, x, y, w, 14, bold=True) + 3
    speakers = {row.item.speaker.id: row.item.speaker for row in programme_clock(ctx.meeting) if row.item.speaker}
    for speaker in speakers.values():
        y -= pen.text(f"• {speaker.name}" + (f" ({speaker.organisation})" if speaker.organisation else ""),
                      NB, x, y, w, 12) + 2
    y -= 8
    y -= pen.text(t("programme.title"), lang, x, y, w, 14, bold=True) + 3
    for row in programme_clock(ctx.meeting):
        line = (f"{texts.clock(row.starts.time(), lang)}–{texts.clock(row.ends.time(), lang)}  "
                f"{_kind_label(ctx, lang, row.item.kind)}")
        y -= pen.text(line, lang, x, y, w, 11, bold=True)
        if row.item.title:
            rtl = _direction(lang) == "rtl"
            y -= pen.text(row.item.title, NB, x if rtl else x + 6 * MM, y, w - 6 * MM, 10.5,
                          align="end" if rtl else "start")
        y -= 3
    y -= 8
    y -= pen.text(t("briefing.advice_title"), lang, x, y, w, 14, bold=True) + 3
    for index in range(1, 6):
        y -= pen.text(f"• {t(f'briefing.advice_{index}')}", lang, x, y, w, 11.5) + 3
    doc.end_page()
    return doc.finish()


SINGLE_LANGUAGE: dict[str, Callable] = {
    "poster": poster, "flyer": flyer, "slips": slips, "feedback-form": feedback_form, "tally": tally,
    "programme": programme, "briefing": briefing,
}
PER_CONTACT: dict[str, Callable] = {"letters": letters, "envelopes": envelopes, "labels": labels}


def iter_languages(codes: Iterable[str]) -> list[str]:
    return [c for c in codes if c in languages.LANGUAGES]
