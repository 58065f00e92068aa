"""The Table 1 overview as CSV (UTF-8 with BOM, so Excel opens it right), XLSX and a landscape A4 PDF."""

from __future__ import annotations

import csv
import datetime as dt
import io

FORMATS = {
    # Flask adds "; charset=utf-8" to text types itself; writing it here doubled it.
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


def filename(start: dt.date | None, end: dt.date | None, fmt: str) -> str:
    span = "-".join(d.isoformat() for d in (start, end) if d) or "all"
    return f"brukermoter-oversikt-{span}.{fmt}"


def to_csv(headers: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: list[str], rows: list[list[str]], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    # Excel forbids : \ / ? * [ ] in sheet names and allows 31 characters.
    sheet.title = "".join(" " if ch in ':\\/?*[]' else ch for ch in title).strip()[:31] or "Sheet"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # Text, not numbers: "15–20" and "about 20" must stay as the committee wrote them.
        sheet.append([str(value) for value in row])
        # Text, not formulas either: openpyxl makes any string starting with "=" a formula, so a
        # topic like "=1+1" (or a crafted "=HYPERLINK(…)") would run in the funder's Excel.
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                cell.value = str(cell.value)
                cell.data_type = "s"
    widths = [10, 20, 26, 44, 22, 28, 30]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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
