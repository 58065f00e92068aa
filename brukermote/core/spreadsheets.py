"""CSV and XLSX writing shared by every export: safe from formula injection, right for Norwegian Excel.

* **Formulas**: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is what
  a spreadsheet runs as a formula (``=HYPERLINK(…)`` leaks data, ``@SUM(…)`` runs in older Excel).
  In CSV such a cell gets a leading apostrophe (OWASP's advice on CSV injection); in XLSX it is stored
  as text with Excel's "quote prefix", so Excel shows it as written and keeps it text when edited.
  Only text is touched: a number, even a negative one, stays a number.
* **Norwegian Excel** splits CSV on semicolons and reads decimal commas; English Excel wants commas and
  decimal points. ``lang="nb"`` writes ``;`` and ``1234,50`` and dates as ``dd.mm.yyyy``; ``"en"``
  writes ``,``, ``1234.50`` and ISO dates. Always UTF-8 with a BOM, which Excel needs to read UTF-8.
* **XLSX keeps types**: numbers are numbers (costs with two decimals), dates are dates shown as
  ``dd.mm.yyyy`` (Norwegian) or ``yyyy-mm-dd`` (English), so funders can sort and sum.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from decimal import Decimal

#: What a spreadsheet may take for the start of a formula (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

DATE_FORMATS = {"nb": "dd.mm.yyyy", "en": "yyyy-mm-dd"}
MONEY_FORMAT = "#,##0.00"


class Money(Decimal):
    """A Decimal to be shown with two decimals (costs in NOK)."""


def neutralise(text: str) -> str:
    """The text as a spreadsheet shows it and never runs it."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _norwegian(lang: str) -> bool:
    return (lang or "nb").split("_")[0].split("-")[0] in {"nb", "nn", "no"}


def delimiter(lang: str) -> str:
    return ";" if _norwegian(lang) else ","


def _number_text(value, lang: str) -> str:
    if isinstance(value, Money):
        text = f"{value:.2f}"
    elif isinstance(value, Decimal):
        text = format(value, "f")
    elif isinstance(value, float):
        text = repr(int(value)) if value.is_integer() else repr(value)
    else:
        text = str(value)
    return text.replace(".", ",") if _norwegian(lang) else text


def csv_cell(value, lang: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return neutralise(str(value))
    if isinstance(value, int | float | Decimal):
        return _number_text(value, lang)
    if isinstance(value, dt.datetime | dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        return day.strftime("%d.%m.%Y") if _norwegian(lang) else day.isoformat()
    return neutralise(str(value))


def to_csv(headers: Sequence, rows: Sequence[Sequence], lang: str = "en") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter(lang), lineterminator="\r\n")
    writer.writerow([csv_cell(h, lang) for h in headers])
    for row in rows:
        writer.writerow([csv_cell(value, lang) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def set_cell(cell, value, lang: str = "en") -> None:
    """Write ``value`` into an openpyxl cell with its type kept, text never a formula."""
    if value is None:
        cell.value = None
    elif isinstance(value, bool):
        set_cell(cell, str(value), lang)
    elif isinstance(value, int | float | Decimal):
        cell.value = float(value) if isinstance(value, Decimal) else value
        if isinstance(value, Money):
            cell.number_format = MONEY_FORMAT
    elif isinstance(value, dt.datetime | dt.date):
        cell.value = value
        cell.number_format = DATE_FORMATS["nb" if _norwegian(lang) else "en"]
    else:
        text = str(value)
        cell.value = text
        cell.data_type = "s"  # openpyxl makes any string starting with "=" a formula
        if text.startswith(FORMULA_STARTS):
            cell.quotePrefix = True


def to_xlsx(headers: Sequence, rows: Sequence[Sequence], title: str, lang: str = "en",
            widths: Sequence[int] = (), wrap: bool = True) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    book = Workbook()
    sheet = book.active
    # Excel forbids : \ / ? * [ ] in sheet names and allows 31 characters.
    sheet.title = "".join(" " if ch in ':\\/?*[]' else ch for ch in title).strip()[:31] or "Sheet"
    for column, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=column)
        set_cell(cell, header, lang)
        cell.font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for column, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column)
            set_cell(cell, value, lang)
            if wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
