"""The Table 1 overview as CSV (UTF-8 with BOM, so Excel opens it right), XLSX and a landscape A4 PDF.

CSV and XLSX carry, after Table 1's seven columns, the day, the head count (lowest and highest) and
the cost as a date and numbers for funders to sort and sum; the PDF is Table 1 as printed."""

from __future__ import annotations

import datetime as dt
import io

from ..core import spreadsheets

FORMATS = {
    # Flask adds "; charset=utf-8" to text types itself; writing it here doubled it.
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def filename(start: dt.date | None, end: dt.date | None, fmt: str) -> str:
    span = "-".join(d.isoformat() for d in (start, end) if d) or "all"
    return f"brukermoter-oversikt-{span}.{fmt}"


#: Column widths of the spreadsheet: Table 1's seven, then the day, the head counts and the cost.
WIDTHS = (10, 20, 26, 44, 22, 28, 30, 12, 12, 12, 12)


def to_csv(headers: list[str], rows: list[list], lang: str = "en") -> bytes:
    """Semicolons and decimal commas for Norwegian Excel, commas and points for English; text that
    a spreadsheet would run as a formula starts with an apostrophe."""
    return spreadsheets.to_csv(headers, rows, lang)


def to_xlsx(headers: list[str], rows: list[list], title: str, lang: str = "en") -> bytes:
    """Table 1's cells as text ("15–20" and "about 20" stay as the committee wrote them, and a topic
    like "=HYPERLINK(…)" is never a formula); the day, head counts and cost as a date and numbers."""
    return spreadsheets.to_xlsx(headers, rows, title, lang, widths=WIDTHS)


def to_pdf(headers: list[str], rows: list[list[str]], title: str, subtitle: str, lang: str) -> bytes:
    """Landscape A4 with the header row repeated on every page; text through the printing engine so
    every script the committee writes in prints (and stays searchable)."""
    from reportlab.lib.colors import Color, black
    from reportlab.pdfgen.canvas import Canvas

    from ..printing import fonts
    from ..printing.layout import MM, Pen, page_size

    width, height = page_size("A4", True)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(width, height), pageCompression=1,
                    initialFontName=fonts.initial_font_name(), initialFontSize=9)
    canvas.setTitle(title)
    canvas.setCreator("Brukermøte")
    pen = Pen(canvas)
    margin = 14 * MM
    usable = width - 2 * margin
    shares = [0.09, 0.13, 0.15, 0.24, 0.13, 0.13, 0.13]
    columns = [usable * share for share in shares]
    pad, size = 1.6 * MM, 9
    grey = Color(0.93, 0.93, 0.93)
    page = 0

    def start_page() -> float:
        nonlocal page
        page += 1
        y = height - margin
        y -= pen.text(title, lang, margin, y, usable, 16, bold=True) + 2
        y -= pen.text(subtitle, lang, margin, y, usable, 10) + 4 * MM
        return draw_row(headers, y, bold=True)

    def row_height(cells, bold=False) -> float:
        return max(pen.height(cell, lang, col - 2 * pad, size, bold=bold) for cell, col in zip(cells, columns,
                                                                                               strict=True)) + 2 * pad

    def draw_row(cells, y, bold=False) -> float:
        h = row_height(cells, bold)
        if bold:
            canvas.setFillColor(grey)
            canvas.rect(margin, y - h, usable, h, stroke=0, fill=1)
            canvas.setFillColor(black)
        x = margin
        for cell, col in zip(cells, columns, strict=True):
            pen.text(cell, lang, x + pad, y - pad, col - 2 * pad, size, bold=bold)
            x += col
        canvas.setLineWidth(0.4)
        canvas.line(margin, y - h, margin + usable, y - h)
        return y - h

    def footer() -> None:
        pen.text(f"{page}", lang, margin, 9 * MM, usable, 8, align="end")

    y = start_page()
    for cells in rows:
        if y - row_height(cells) < 14 * MM:
            footer()
            canvas.showPage()
            y = start_page()
        y = draw_row(cells, y)
    footer()
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
