"""The Table 1 overview for funders: for the demo history it must equal the table in DOMAIN.md
(copied to table1.md beside this file), cell for cell, ranges and approximations included — on the
page, in CSV, XLSX and PDF, and from the command line."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

import pytest

from brukermote.demo import load_demo
from brukermote.extensions import db

TABLE = Path(__file__).with_name("table1.md")


def table1() -> tuple[list[str], list[list[str]]]:
    lines = [line.strip() for line in TABLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return cells[0], cells[2:]


@pytest.fixture
def history(app):
    load_demo()
    db.session.commit()


@pytest.fixture
def demo_client(history, client):
    from brukermote.demo import DEMO_ADMIN

    response = client.post("/login", data={"email": DEMO_ADMIN[0], "password": DEMO_ADMIN[2]})
    assert response.status_code == 302
    return client


def test_overview_equals_table_1_cell_for_cell(history):
    import datetime as dt

    from brukermote.attendance import reports

    headers, rows = reports.overview(dt.date(2007, 1, 1), dt.date(2009, 12, 31), "en")
    expected_headers, expected_rows = table1()
    assert headers == expected_headers
    assert rows == expected_rows


def test_overview_page_and_csv_and_xlsx_exports(demo_client):
    from openpyxl import load_workbook

    expected_headers, expected_rows = table1()
    page = demo_client.get("/reports/overview?from=2007-01-01&to=2009-12-31&lang=en").get_data(as_text=True)
    for row in expected_rows:
        for cell in row:
            assert cell.replace("'", "&#39;") in page
    response = demo_client.get("/reports/overview?from=2007-01-01&to=2009-12-31&lang=en&format=csv")
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    assert response.data.startswith("\ufeff".encode())  # Excel reads UTF-8 only with the BOM
    parsed = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [row[:7] for row in parsed] == [expected_headers, *expected_rows]
    response = demo_client.get("/reports/overview?from=2007-01-01&to=2009-12-31&lang=en&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [[cell.value for cell in row[:7]] for row in sheet.iter_rows()] == [expected_headers, *expected_rows]
    # The Norwegian table keeps the same shapes in Norwegian words.
    page = demo_client.get("/reports/overview?from=2007-01-01&to=2009-12-31&lang=nb").get_data(as_text=True)
    assert "ca. 20" in page and "18 voksne, 15 barn" in page and "norsk, somali, arabisk" in page
    assert "nei (en saksbehandler oversatte til engelsk)" in page and "Veitvet eldresenter" in page


def test_overview_pdf_is_landscape_a4_with_every_cell(demo_client, tmp_path):
    from pypdf import PdfReader

    response = demo_client.get("/reports/overview?from=2007-01-01&to=2009-12-31&lang=en&format=pdf")
    assert response.mimetype == "application/pdf"
    path = tmp_path / "overview.pdf"
    path.write_bytes(response.data)
    page = PdfReader(path).pages[0]
    width, height = float(page.mediabox.width), float(page.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape in points
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    _headers, rows = table1()
    for row in rows:
        for cell in row:
            for word in cell.split():
                assert word in text, word


def test_report_overview_cli_writes_each_format(history, runner, tmp_path):
    expected_headers, expected_rows = table1()
    for fmt in ("csv", "xlsx", "pdf"):
        target = tmp_path / f"overview.{fmt}"
        result = runner.invoke(args=["report", "overview", "--from", "2007-01-01", "--to", "2009-12-31",
                                     "--format", fmt, "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 0
    rows = list(csv.reader(io.StringIO((tmp_path / "overview.csv").read_text(encoding="utf-8-sig"))))
    assert [row[:7] for row in rows] == [expected_headers, *expected_rows]
    assert (tmp_path / "overview.pdf").read_bytes().startswith(b"%PDF")
    # A narrower period; a bad date is refused with a message and writes nothing.
    runner.invoke(args=["report", "overview", "--from", "2009-01-01", "--to", "2009-12-31", "-o",
                        str(tmp_path / "2009.csv")])
    assert len(list(csv.reader(io.StringIO((tmp_path / "2009.csv").read_text(encoding="utf-8-sig"))))) == 1 + 4
    bad = runner.invoke(args=["report", "overview", "--from", "2009-13-01", "-o", str(tmp_path / "bad.csv")])
    assert bad.exit_code != 0 and "not a date" in bad.output and not (tmp_path / "bad.csv").exists()
