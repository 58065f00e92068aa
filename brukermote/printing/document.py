"""One printed document being made: its context, its tagged canvas, and what it drew where.

A :class:`Document` is a ReportLab canvas with a structure tree (:mod:`.tagged`) and, per page, the
boxes its blocks were drawn in (:class:`.inkcheck.PageLayout`). Two checks use those boxes:

* **geometry**, as the page is finished: a block outside the page's safe area, or a text block that
  runs into another block (the Urdu paragraph across the reply slip's cut line), is a
  :class:`LayoutProblem` naming the document, the language and the block;
* **ink** (:mod:`.inkcheck`), on the rendered PDF: preflight renders the page and looks for ink
  outside the safe area and outside every block, and reads the QR codes back.

:func:`fit` makes a document at the largest text scale (1.0 down to the document's limit) at which
the geometry holds; documents that may continue on another page (letters, briefing) do so instead.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from reportlab.pdfgen.canvas import Canvas

from ..core import languages
from ..core.models import Organisation
from ..core.phone import display_phone
from ..meetings.models import Meeting
from . import fonts, inkcheck, objstreams, printshop, texts
from .layout import MM, SAFE_MM, Pen, draw_draft, draw_mark_row, mark_row_mm, page_size
from .tagged import StructureTree

NB = "nb"
#: Scales tried by :func:`fit`, largest first.
SCALES = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7)
#: Boxes may touch or overlap by this much (points): line boxes include the font's full ascent and
#: descent, which neighbouring lines share.
TOLERANCE_PT = 1.0
#: Boxes that are not text: text may sit on them (a rule under a label) without that being a clash.
_NOT_TEXT = {"marks", "qr", "checkbox", "write line", "rule", "frame", "face"}
_BAND_PT = 24.0


@dataclass(frozen=True)
class LayoutProblem:
    document: str
    language: str
    block: str
    kind: str  # "outside_safe", "overlap" or "split_word"
    other: str = ""
    page: int = 1

    def message(self) -> str:
        if self.kind == "split_word":
            return (f"{self.document} ({self.language}), page {self.page}: «{self.block}» is too wide for its "
                    "box: a word, number or date would be split.")
        if self.kind == "overlap":
            return (f"{self.document} ({self.language}), page {self.page}: «{self.block}» runs into «{self.other}»; "
                    "shorten the text or print a larger size.")
        return (f"{self.document} ({self.language}), page {self.page}: «{self.block}» does not fit on the page; "
                "shorten the text or print a larger size.")


@dataclass
class _Sheet:
    """What one page declares it drew (the fields of :class:`.inkcheck.PageLayout`)."""

    blocks: list = field(default_factory=list)
    qr: list = field(default_factory=list)
    ignore: list = field(default_factory=list)
    #: text blocks in which a word, number or date had to be split because it is wider than its box
    split: list = field(default_factory=list)


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
    _fields: dict = field(default_factory=dict)
    #: what the last document made with this context drew, page by page, and what did not fit
    page_layouts: list = field(default_factory=list)
    layout_problems: list = field(default_factory=list)
    #: the last document's content digest, without its dates (see :mod:`.objstreams`)
    content_digest: str | None = None
    #: letters' (body size, slip size, continued) by language, found once per context (see doc_letters)
    letter_sizes: dict = field(default_factory=dict)
    #: date, time and phone lines by language: the same for every page of a job (a mail merge asked
    #: Babel and phonenumbers for them thousands of times)
    _facts: dict = field(default_factory=dict)

    def t(self, lang: str) -> texts.TextSet:
        if lang not in self._texts:
            self._texts[lang] = texts.text_set(lang)
        return self._texts[lang]

    def field(self, lang: str, name: str) -> str:
        """The meeting's topic or description in ``lang`` (looked up once per document run)."""
        key = (lang, name)
        if key not in self._fields:
            self._fields[key] = texts.meeting_text(self.meeting, lang, name)
        value, approved = self._fields[key]
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
        """The meeting's date as the participant's language writes it, never broken across lines."""
        key = ("date", lang)
        if key not in self._facts:
            self._facts[key] = texts.long_date(self.meeting.local_date, lang).replace(" ", "\u00a0")
        return self._facts[key]

    def time_line(self, lang: str) -> str:
        key = ("time", lang)
        if key not in self._facts:
            self._facts[key] = self.t(lang)("doc.time_range", start=texts.clock(self.meeting.local_start.time(), lang),
                                            end=texts.clock(self.meeting.local_end.time(), lang))
        return self._facts[key]

    def interpreter_names(self, codes: Iterable[str] | None = None) -> str:
        """Native names of ``codes``, by default the meeting's interpreter languages."""
        if codes is None:
            codes = self.meeting.interpreter_languages or []
        return ", ".join(languages.get(c).native_name for c in codes if c in languages.LANGUAGES)

    @property
    def phone(self) -> str:
        if "phone" not in self._facts:
            self._facts["phone"] = display_phone(self.org.interpreter_phone)
        return self._facts["phone"]

    @property
    def venue(self):
        if self.meeting.venue is None:
            raise PrintError("Møtet har ikke noe sted. / The meeting has no venue.")
        return self.meeting.venue


class Document:
    """A tagged canvas (see :mod:`.tagged`) that records its page layouts, with the draft mark
    applied to every page when needed."""

    def __init__(self, ctx: PrintContext, size: str, *, landscape_: bool = False, title: str = "", lang: str = NB,
                 key: str = "", scale: float = 1.0, print_shop: bool = False, safe_mm: float = SAFE_MM):
        self.ctx = ctx
        self.lang = lang
        self.key = key or title
        self.scale = scale
        self.print_shop = print_shop
        self.safe_mm = safe_mm
        #: the trim size: what the document draws on (a print-shop page adds bleed and crop marks)
        self.width, self.height = page_size(size, landscape_)
        self.origin = printshop.origin() if print_shop else 0.0
        media = printshop.page_size(self.width, self.height) if print_shop else (self.width, self.height)
        self.buffer = io.BytesIO()
        # The initial font is an embedded Noto face, so no unembedded Helvetica enters the PDF.
        self.canvas = Canvas(self.buffer, pagesize=media, pageCompression=1,
                             initialFontName=fonts.initial_font_name(), initialFontSize=10)
        # the structure tree's many small dictionaries go into compressed object streams
        objstreams.install(self.canvas._doc)
        if print_shop:
            printshop.setup(self.canvas, self.width, self.height)
        full_title = self._title(title)
        self.canvas.setTitle(full_title)
        self.canvas.setAuthor(ctx.org.name or "Brukermøte")
        self.canvas.setCreator("Brukermøte")
        self.canvas.setSubject(ctx.meeting.topic or "")
        self.tree = StructureTree(self.canvas, languages.get(lang).code if lang in languages.LANGUAGES else NB,
                                  full_title)
        self.pen = Pen(self.canvas, scale)
        self.pages = 0
        self.layouts: list[inkcheck.PageLayout] = []
        self.problems: list[LayoutProblem] = []
        self.canvas._brk_sheet = _Sheet()

    @property
    def safe(self) -> inkcheck.Box:
        inset = self.safe_mm * MM
        return inkcheck.Box(inset, inset, self.width - inset, self.height - inset, "safe area")

    def _title(self, kind: str) -> str:
        """What a viewer's title bar and a screen reader announce: the kind of document, the topic
        and the date (in Norwegian: the committee's filing language)."""
        meeting = self.ctx.meeting
        parts = [kind or "Brukermøte", meeting.topic or "", texts.long_date(meeting.local_date, NB)]
        return " – ".join(p for p in parts if p)

    def end_page(self) -> None:
        sheet = self.canvas._brk_sheet
        self.canvas._brk_sheet = None  # the draft stamp is meant to cross everything
        if self.ctx.draft:
            draw_draft(self.canvas, self.width, self.height, NB, self.ctx.unreviewed_note())
        if self.print_shop:
            with self.tree.artifact():
                printshop.crop_marks(self.canvas, self.width, self.height)
        self.canvas.showPage()
        self.tree.end_page()
        self.pages += 1
        layout = self._page_layout(sheet)
        self.layouts.append(layout)
        self.problems += _geometry(layout, self.key, self.lang, self.pages)
        self.problems += [LayoutProblem(self.key, box.lang or self.lang, box.name, "split_word", page=self.pages)
                          for box in sheet.split]
        self.canvas._brk_sheet = _Sheet()

    def _page_layout(self, sheet: _Sheet) -> inkcheck.PageLayout:
        """The page's layout in the page's coordinates (a print-shop page is drawn in the trim's)."""
        o = self.origin

        def moved(box: inkcheck.Box) -> inkcheck.Box:
            return inkcheck.Box(box.x0 + o, box.y0 + o, box.x1 + o, box.y1 + o, box.name, box.lang)

        ignore = [moved(b) for b in sheet.ignore]
        if self.print_shop:  # everything outside the trim: bleed, slug, crop marks
            w, h = printshop.page_size(self.width, self.height)
            ignore += [inkcheck.Box(0, 0, w, o, "slug"), inkcheck.Box(0, h - o, w, h, "slug"),
                       inkcheck.Box(0, 0, o, h, "slug"), inkcheck.Box(w - o, 0, w, h, "slug")]
            width, height = w, h
        else:
            width, height = self.width, self.height
        return inkcheck.PageLayout(width, height, moved(self.safe), [moved(b) for b in sheet.blocks],
                                   [inkcheck.QRExpectation(moved(q.box), q.url) for q in sheet.qr], ignore)

    def finish(self) -> bytes:
        """The PDF; the context keeps what its pages drew and what did not fit (for preflight)."""
        self.ctx.page_layouts, self.ctx.layout_problems = self.layouts, self.problems
        if self.print_shop:
            printshop.output_intent(self.canvas._doc)
        self.tree.finish()
        self.canvas.save()
        self.ctx.content_digest = getattr(self.canvas._doc, "_brk_digest", None)
        return self.buffer.getvalue()




def _inside(box: inkcheck.Box, area: inkcheck.Box) -> bool:
    t = TOLERANCE_PT
    return box.x0 >= area.x0 - t and box.y0 >= area.y0 - t and box.x1 <= area.x1 + t and box.y1 <= area.y1 + t


def _overlap(a: inkcheck.Box, b: inkcheck.Box) -> bool:
    t = TOLERANCE_PT
    return min(a.x1, b.x1) - max(a.x0, b.x0) > t and min(a.y1, b.y1) - max(a.y0, b.y0) > t


def _ignored(box: inkcheck.Box, layout: inkcheck.PageLayout) -> bool:
    return any(_inside(box, area) for area in layout.ignore)


def _geometry(layout: inkcheck.PageLayout, document: str, lang: str, page: int) -> list[LayoutProblem]:
    problems = []
    blocks = list(layout.blocks)
    for box in blocks:
        if not _inside(box, layout.safe) and not _ignored(box, layout):
            problems.append(LayoutProblem(document, box.lang or lang, box.name, "outside_safe", page=page))
    # Text against everything else, compared only within shared horizontal bands: a letter page has
    # some eighty boxes and a mail merge five hundred pages.
    is_text = [b.name not in _NOT_TEXT for b in blocks]
    bands: dict[int, list[int]] = {}
    for index, box in enumerate(blocks):
        for band in range(int(box.y0 // _BAND_PT), int(box.y1 // _BAND_PT) + 1):
            bands.setdefault(band, []).append(index)
    seen: set[tuple[int, int]] = set()
    for members in bands.values():
        for i in members:
            if not is_text[i]:
                continue
            for j in members:
                pair = (min(i, j), max(i, j))
                if i == j or pair in seen or (is_text[j] and j < i):
                    continue
                seen.add(pair)
                if _overlap(blocks[i], blocks[j]):
                    problems.append(LayoutProblem(document, blocks[i].lang or lang, blocks[i].name, "overlap",
                                                  blocks[j].name, page))
    return problems


def fit_document(build: Callable[[float], Document], min_scale: float = 0.7) -> Document:
    """The document drawn at the largest scale whose pages hold together (not yet finished); if
    none does, the smallest try, whose problems preflight turns into errors."""
    doc = None
    for scale in SCALES:
        if scale < min_scale - 1e-9:
            break
        doc = build(scale)
        if not doc.problems:
            break
    return doc


def fit(ctx: PrintContext, build: Callable[[float], Document], min_scale: float = 0.7) -> bytes:
    """:func:`fit_document`, finished (its layouts and problems go to ``ctx``)."""
    return fit_document(build, min_scale).finish()


def row_width(document: str, size: str) -> float:
    """Width of the document's marks row in points (0 where it carries none)."""
    row = mark_row_mm(document, size)
    return row[1] * MM if row else 0.0


def direction(lang: str) -> str:
    return languages.get(lang).direction


def both(ctx: PrintContext, lang: str, key: str, **values) -> list[tuple[str, str]]:
    """A phrase in the document's language and, below it, in Norwegian: separate blocks, so each
    keeps its own direction and punctuation («Telefon:», not «:Telefon») and its own /Lang."""
    own = ctx.t(lang)(key, **values)
    return [(own, lang)] if lang == NB else [(own, lang), (ctx.t(NB)(key, **values), NB)]


def sheet(ctx: PrintContext, document: str, title: str, lang: str, scale: float = 1.0,
          margin_mm_: float = 18.0) -> tuple[Document, float, float, float]:
    """An A4 sheet with the marks row at the top: returns (doc, x, width, y where content starts)."""
    doc = Document(ctx, "A4", title=title, lang=lang, key=document, scale=scale)
    x, w = margin_mm_ * MM, doc.width - 2 * margin_mm_ * MM
    draw_mark_row(doc.canvas, ctx.marks, document, "A4", x, doc.height - 10 * MM)
    return doc, x, w, doc.height - 30 * MM


class Flow:
    """Blocks placed top-down on a document's pages, continuing on a new page where the document
    allows it (``new_page`` draws the next page's head and returns where its content starts)."""

    def __init__(self, doc: Document, y: float, bottom: float, new_page: Callable[[], float] | None = None):
        self.doc, self.y, self.bottom, self.new_page = doc, y, bottom, new_page

    def room(self, height: float) -> None:
        """Make sure ``height`` points fit below ``y``, starting a new page if they do not and may."""
        if self.y - height < self.bottom and self.new_page is not None:
            self.doc.end_page()
            self.y = self.new_page()

    def text(self, text: str, lang: str, x: float, width: float, size: float, after: float = 0.0, **kw) -> None:
        pen = self.doc.pen
        self.room(pen.height(text, lang, width, size, bold=kw.get("bold", False)))
        self.y -= pen.text(text, lang, x, self.y, width, size, **kw) + after

    def space(self, points: float) -> None:
        self.y -= points

    def items(self, items: list[str], lang: str, x: float, width: float, size: float, after: float = 0.0) -> None:
        """A bulleted list, tagged as a list (L / LI / Lbl + LBody) for screen readers."""
        tree = self.doc.tree
        pen = self.doc.pen
        indent = size * pen.scale * 1.1
        rtl = languages.get(lang).rtl
        with tree.group("L", lang):
            for item in items:
                self.room(pen.height(item, lang, width - indent, size))
                with tree.group("LI"):
                    bullet_x = x + width - indent if rtl else x
                    pen.text("•", lang, bullet_x, self.y, indent, size, role="Lbl")
                    self.y -= pen.text(item, lang, x if rtl else x + indent, self.y, width - indent, size,
                                       role="LBody") + after
