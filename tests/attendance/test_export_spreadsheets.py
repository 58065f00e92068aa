"""The Table 1 export as a funder opens it: formulas typed into a topic never run, Norwegian Excel
splits the CSV into columns and reads decimal commas, and the XLSX keeps dates and numbers sortable."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from brukermote.attendance.models import Attendance
from brukermote.core.timeutil import to_utc
from brukermote.extensions import db
from brukermote.meetings.models import BudgetCategory, BudgetLine, Meeting, MeetingStatus, MeetingType

HYPERLINK = '=HYPERLINK("http://x","y")'
TOPICS = [HYPERLINK, "@SUM(1)", "+47 row", "-5 kroner", "\tindented", "Bolig"]


def _held(day: dt.date, topic: str, low: int = 12, high: int = 12, cost: str | None = None) -> Meeting:
    starts = to_utc(day, dt.time(17, 30))
    meeting = Meeting(type=MeetingType.user_meeting, topic=topic, starts_at=starts,
                      ends_at=starts + dt.timedelta(hours=2), status=MeetingStatus.held,
                      target_languages=["nb"], interpreter_languages=[])
    db.session.add(meeting)
    db.session.flush()
    db.session.add(Attendance(meeting_id=meeting.id, people_low=low, people_high=high))
    if cost is not None:
        db.session.add(BudgetLine(meeting_id=meeting.id, category=BudgetCategory.food, actual=Decimal(cost)))
    db.session.commit()
    return meeting


def _csv(client, lang: str, delimiter: str) -> list[list[str]]:
    response = client.get(f"/reports/overview?format=csv&lang={lang}")
    assert response.status_code == 200
    assert response.data.startswith("\ufeff".encode())  # UTF-8 with BOM
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=delimiter))


def _sheet(client, lang: str):
    from openpyxl import load_workbook

    response = client.get(f"/reports/overview?format=xlsx&lang={lang}")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.data)).active


def test_topics_that_look_like_formulas_are_neutralised_in_csv_and_xlsx(admin_client):
    for month, topic in enumerate(TOPICS, start=1):
        _held(dt.date(2008, month, 14), topic)
    for lang, delimiter in (("en", ","), ("nb", ";")):
        rows = _csv(admin_client, lang, delimiter)
        assert [row[3] for row in rows[1:]] == [
            "'" + HYPERLINK, "'@SUM(1)", "'+47 row", "'-5 kroner", "'\tindented", "Bolig"]
        # Nothing else in the file starts as a formula either.
        assert not [cell for row in rows for cell in row if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]

        sheet = _sheet(admin_client, lang)
        topics = [row[3] for row in sheet.iter_rows(min_row=2)]
        assert [cell.value for cell in topics] == TOPICS  # shown as the committee wrote it …
        assert all(cell.data_type == "s" for cell in topics)  # … as text, never a formula …
        assert [cell.quotePrefix for cell in topics] == [True] * 5 + [False]  # … and text when edited


def test_norwegian_csv_has_semicolons_and_decimal_commas_english_commas_and_points(admin_client):
    _held(dt.date(2008, 9, 14), "Bolig", low=15, high=20, cost="1234.50")
    _held(dt.date(2009, 2, 3), "Arbeid", low=18, high=18)  # nothing budgeted: no cost

    rows = _csv(admin_client, "nb", ";")
    header = rows[0]
    assert header[7:] == ["dag", "brukere til stede, lavest", "brukere til stede, høyest", "kostnad (kr)"]
    first, second = rows[1], rows[2]
    assert len(first) == 11 and first[4] == "15–20"
    assert first[7] == "14.09.2008"
    assert (first[8], first[9]) == ("15", "20")  # a count Excel reads as a number
    assert first[10] == "1234,50"  # Norwegian Excel reads a decimal comma
    assert (second[7], second[8], second[10]) == ("03.02.2009", "18", "")

    rows = _csv(admin_client, "en", ",")
    assert rows[0][7:] == ["day", "users present, lowest", "users present, highest", "cost (NOK)"]
    assert (rows[1][7], rows[1][8], rows[1][10]) == ("2008-09-14", "15", "1234.50")
    # Read with the wrong delimiter, the Norwegian file is one column per line: the delimiters differ.
    assert len(_csv(admin_client, "nb", ",")[1]) < 11


def test_xlsx_keeps_dates_counts_and_costs_as_real_values(admin_client):
    _held(dt.date(2008, 9, 14), "Bolig", low=15, high=20, cost="1234.50")
    _held(dt.date(2009, 2, 3), "Arbeid", low=18, high=18, cost="300")

    sheet = _sheet(admin_client, "nb")
    day, low, high, cost = sheet.cell(row=2, column=8), sheet.cell(row=2, column=9), \
        sheet.cell(row=2, column=10), sheet.cell(row=2, column=11)
    assert isinstance(day.value, dt.datetime | dt.date) and day.value.date() == dt.date(2008, 9, 14)
    assert day.number_format == "dd.mm.yyyy"
    assert isinstance(low.value, int) and isinstance(high.value, int) and (low.value, high.value) == (15, 20)
    assert isinstance(cost.value, float) and cost.value == 1234.5 and cost.number_format == "#,##0.00"
    assert low.data_type == "n" and cost.data_type == "n" and day.is_date
    # Funders can sum: the cost column holds numbers in every row.
    assert sum(sheet.cell(row=r, column=11).value for r in (2, 3)) == 1534.5
    # Table 1's own cells stay as the committee wrote them.
    assert sheet.cell(row=2, column=5).value == "15–20" and sheet.cell(row=2, column=1).value == "sep. 2008"

    english = _sheet(admin_client, "en")
    assert english.cell(row=2, column=8).number_format == "yyyy-mm-dd"


def test_cli_writes_the_norwegian_csv_too(admin_client, runner, tmp_path):
    _held(dt.date(2008, 9, 14), "=1+1", cost="99.90")
    target = tmp_path / "oversikt.csv"
    result = runner.invoke(args=["report", "overview", "--lang", "nb", "--format", "csv", "-o", str(target)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";"))
    assert rows[1][3] == "'=1+1" and rows[1][10] == "99,90"


def test_numbers_stay_numbers_text_is_neutralised():
    from brukermote.core import spreadsheets

    body = spreadsheets.to_csv(["a", "b", "c"], [[-5, Decimal("-2.50"), "-5"]], "nb").decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(body), delimiter=";"))[1] == ["-5", "-2,50", "'-5"]
