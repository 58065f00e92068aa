"""Tagged PDF for ReportLab canvases: a structure tree, marked content, languages and metadata.

A screen reader does not read a page's drawing order; it reads the structure tree (ISO 32000-1
§14.7–14.8): a Document element whose children are headings, paragraphs, lists and figures, each
pointing at the marked content (``/P <</MCID 3>> BDC … EMC``) that draws it. Every element in another
language than the document carries ``/Lang`` (§14.9.2), so the voice switches between, say, the
Arabic text of a poster and its Norwegian address; figures (logos, the QR code) carry ``/Alt``; what
is only decoration (rules, frames, cut marks, the draft stamp) is an ``/Artifact``.

A right-to-left line is its own ``Span`` element with ``/ActualText`` holding the line's logical
text: the reading order a screen reader needs, kept apart from the page's text (poppler reverses a
right-to-left ``/ActualText`` in marked content, so there it would spoil copy and paste).

The document also gets its ``/Lang``, ``/MarkInfo``, a title in the info dictionary and in XMP
metadata, and ``DisplayDocTitle`` so viewers show the title rather than the file name.

Use: ``tree = StructureTree(canvas, lang, title)``; draw inside ``tree.element(...)``,
``tree.artifact()`` or ``tree.figure(...)``; call :meth:`StructureTree.end_page` after each
``showPage`` and :meth:`StructureTree.finish` before ``save``. No Flask in here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfdoc

__all__ = ["StructureTree", "tree_of"]


@dataclass(eq=False)
class _Element:
    role: str
    parent: _Element | None
    lang: str | None = None
    alt: str | None = None
    actual_text: str | None = None
    #: children in reading order: elements, or (page index, MCID) for marked content
    kids: list = field(default_factory=list)


class StructureTree:
    def __init__(self, canvas, lang: str, title: str):
        self.canvas = canvas
        self.lang = lang
        self.title = title
        self.root = _Element("Document", None, lang)
        self._current = self.root
        self._page_index = 0
        self._page_mcids: list[_Element] = []  # MCID -> element, for the page being drawn
        self._pages: list[tuple[pdfdoc.PDFPage, list[_Element]]] = []
        canvas._brk_tree = self

    # -- while drawing -------------------------------------------------------------------------

    def _lang_of(self, lang: str | None) -> str | None:
        """``/Lang`` only where it differs from the enclosing language (inherited otherwise)."""
        node, inherited = self._current, None
        while node is not None and inherited is None:
            inherited = node.lang
            node = node.parent
        return lang if lang and lang != inherited else None

    @contextlib.contextmanager
    def group(self, role: str, lang: str | None = None):
        """An element that holds other elements (a list ``L``, a list item ``LI``, a ``Sect``)."""
        element = _Element(role, self._current, self._lang_of(lang))
        self._current.kids.append(element)
        parent, self._current = self._current, element
        try:
            yield element
        finally:
            self._current = parent

    def new_element(self, role: str, lang: str | None = None, alt: str | None = None,
                    actual_text: str | None = None) -> _Element:
        element = _Element(role, self._current, self._lang_of(lang), alt, actual_text)
        self._current.kids.append(element)
        return element

    def begin_content(self, element: _Element) -> str:
        """The operator opening a marked-content sequence that belongs to ``element``."""
        mcid = len(self._page_mcids)
        self._page_mcids.append(element)
        element.kids.append((self._page_index, mcid))
        return f"/{_tag_name(element.role)} <</MCID {mcid}>> BDC"

    @contextlib.contextmanager
    def element(self, role: str, lang: str | None = None, alt: str | None = None):
        """Everything drawn inside is one element's content (one marked-content sequence)."""
        element = self.new_element(role, lang, alt)
        self.canvas.addLiteral(self.begin_content(element))
        parent, self._current = self._current, element
        try:
            yield element
        finally:
            self._current = parent
            self.canvas.addLiteral("EMC")

    def figure(self, alt: str):
        return self.element("Figure", alt=alt)

    @contextlib.contextmanager
    def artifact(self):
        self.canvas.addLiteral("/Artifact BMC")
        try:
            yield
        finally:
            self.canvas.addLiteral("EMC")

    def line_marker(self, element: _Element, lang: str):
        """For :func:`.pdftext.draw`: each line of a text block becomes content of ``element``; a
        right-to-left line becomes a ``Span`` child carrying its logical text as ``/ActualText``."""

        def marker(line, rtl: bool) -> tuple[str, str]:
            if rtl:
                parent, self._current = self._current, element
                try:
                    span = self.new_element("Span", lang, actual_text=_logical(line.text))
                finally:
                    self._current = parent
                return self.begin_content(span), "EMC"
            return self.begin_content(element), "EMC"

        return marker

    def end_page(self) -> None:
        """Call right after ``canvas.showPage()``: ties this page's marked content to its page."""
        page = self.canvas._doc.Pages.pages[-1]
        page.__NoDefault__ = [*page.__NoDefault__, "StructParents", "Tabs"]
        page.StructParents = self._page_index
        page.Tabs = pdfdoc.PDFName("S")  # tab order follows the structure
        self._pages.append((page, self._page_mcids))
        self._page_mcids = []
        self._page_index += 1

    # -- at the end ------------------------------------------------------------------------------

    def finish(self) -> None:
        """Write the structure tree, parent tree, /Lang, /MarkInfo, XMP and viewer preferences."""
        doc = self.canvas._doc
        page_refs = [doc.Reference(page) for page, _ in self._pages]
        objects: dict[int, _StructObject] = {}
        refs: dict[int, pdfdoc.PDFObjectReference] = {}

        def register(element: _Element) -> None:
            objects[id(element)] = _StructObject(element)
            refs[id(element)] = doc.Reference(objects[id(element)])
            for kid in element.kids:
                if isinstance(kid, _Element):
                    register(kid)

        register(self.root)
        root_ref = doc.Reference(pdfdoc.PDFDictionary({}))  # filled below: the StructTreeRoot

        def fill(element: _Element) -> None:
            target = objects[id(element)]
            target.parent = refs[id(element.parent)] if element.parent else root_ref
            pages = [kid[0] for kid in element.kids if not isinstance(kid, _Element)]
            target.page = page_refs[pages[0]] if pages else None
            for kid in element.kids:
                if isinstance(kid, _Element):
                    fill(kid)
                    target.kids.append(refs[id(kid)])
                elif kid[0] == pages[0]:
                    target.kids.append(kid[1])
                else:
                    target.kids.append((page_refs[kid[0]], kid[1]))

        fill(self.root)
        nums = []
        for index, (_page, mcids) in enumerate(self._pages):
            nums += [index, pdfdoc.PDFArray([refs[id(element)] for element in mcids])]
        parent_tree = pdfdoc.PDFDictionary({"Nums": pdfdoc.PDFArray(nums)})
        doc.idToObject[root_ref.name].dict.update({
            "Type": pdfdoc.PDFName("StructTreeRoot"),
            "K": pdfdoc.PDFArray([refs[id(self.root)]]),
            "ParentTree": doc.Reference(parent_tree),
            "ParentTreeNextKey": len(self._pages),
        })
        catalog = doc.Catalog
        catalog.StructTreeRoot = root_ref
        catalog.MarkInfo = pdfdoc.PDFDictionary({"Marked": "true"})
        catalog.Lang = pdfdoc.PDFString(self.lang)
        catalog.ViewerPreferences = pdfdoc.PDFDictionary({"DisplayDocTitle": "true"})
        metadata = pdfdoc.PDFStream(content=_xmp(self.title, self.lang))
        metadata.dictionary["Type"] = pdfdoc.PDFName("Metadata")
        metadata.dictionary["Subtype"] = pdfdoc.PDFName("XML")
        metadata.filters = []  # XMP stays uncompressed so any tool can find it
        metadata._brk_volatile = True  # holds the creation time: not part of the content digest
        catalog.Metadata = doc.Reference(metadata)


class _StructObject(pdfdoc.PDFObject):
    """A structure element written straight to bytes: a letter merge has tens of thousands of them,
    and ReportLab's generic dictionary formatting would take most of the time of the whole file."""

    def __init__(self, element: _Element):
        self.element = element
        self.parent = None
        self.page = None
        self.kids: list = []  # MCIDs, references to child elements, or (page reference, MCID)

    def format(self, document) -> bytes:
        numbers = document.idToObjectNumberAndVersion

        def ref(reference) -> bytes:
            return b"%d %d R" % numbers[reference.name]

        element = self.element
        out = [b"<< /Type /StructElem /S /", element.role.encode("ascii"), b" /P ", ref(self.parent)]
        if self.page is not None:
            out += [b" /Pg ", ref(self.page)]
        out.append(b" /K [")
        for kid in self.kids:
            if isinstance(kid, int):
                out.append(b" %d" % kid)
            elif isinstance(kid, tuple):
                out += [b" << /Type /MCR /Pg ", ref(kid[0]), b" /MCID %d >>" % kid[1]]
            else:
                out += [b" ", ref(kid)]
        out.append(b" ]")
        for key, value in ((b"Lang", element.lang), (b"Alt", element.alt), (b"ActualText", element.actual_text)):
            if value:
                out += [b" /", key, b" ", pdfdoc.PDFString(value).format(document)]
        out.append(b" >>")
        return b"".join(out)


def tree_of(canvas) -> StructureTree | None:
    """The canvas's structure tree, if the document is tagged."""
    return getattr(canvas, "_brk_tree", None) if canvas is not None else None


@contextlib.contextmanager
def artifact(canvas):
    """Decoration drawn inside is marked as an artifact (no-op on an untagged canvas)."""
    tree = tree_of(canvas)
    if tree is None:
        yield
        return
    with tree.artifact():
        yield


@contextlib.contextmanager
def figure(canvas, alt: str):
    tree = tree_of(canvas)
    if tree is None:
        yield
        return
    with tree.figure(alt):
        yield


_STANDARD_TAGS = {"Document", "P", "H1", "H2", "H3", "L", "LI", "Lbl", "LBody", "Figure", "Span", "Table", "TR",
                  "TH", "TD", "Sect", "Caption", "Note"}


def _tag_name(role: str) -> str:
    return role if role in _STANDARD_TAGS else "Span"


_LAYOUT_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def _logical(text: str) -> str:
    return text.translate(_LAYOUT_CONTROLS)


def _xmp(title: str, lang: str) -> bytes:
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    title = escape(title)
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:language><rdf:Bag><rdf:li>{escape(lang)}</rdf:li></rdf:Bag></dc:language>
   <dc:format>application/pdf</dc:format>
   <xmp:CreatorTool>Brukermøte</xmp:CreatorTool>
   <xmp:CreateDate>{now}</xmp:CreateDate>
   <pdf:Producer>ReportLab</pdf:Producer>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()
