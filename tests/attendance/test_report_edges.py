"""Reports at the edges: the calendar's first and last days, periods given backwards, the «you said,
we did» dates, binary exports to standard output, spreadsheet formulas and small wording details."""

from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa

from brukermote.attendance.models import Attendance, Feedback, FollowUp
from brukermote.core.timeutil import local_today, to_utc, utcnow
from brukermote.extensions import db
from brukermote.meetings.models import Meeting, MeetingStatus, MeetingType


def _held(day: dt.date, topic: str = "Bolig", start: dt.time = dt.time(13, 30), hours: float = 2) -> Meeting:
    starts = to_utc(day, start)
    meeting = Meeting(type=MeetingType.user_meeting, topic=topic, starts_at=starts,
                      ends_at=starts + dt.timedelta(hours=hours), status=MeetingStatus.held,
                      target_languages=["nb"], interpreter_languages=[])
    db.session.add(meeting)
    db.session.flush()
    db.session.add(Attendance(meeting_id=meeting.id, people_low=12, people_high=12))
    db.session.commit()
    return meeting


def test_reports_accept_the_first_and_last_days_of_the_calendar(admin_client, runner):
    _held(dt.date(2008, 5, 14), topic="Helse")
    for url in ("/reports?from=0001-01-01", "/reports?to=9999-12-31", "/reports?from=0001-01-01&to=9999-12-31",
                "/reports/overview?to=9999-12-31", "/reports/overview?from=0001-01-01&format=csv"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert "Helse" in response.get_data(as_text=True), url  # everything is inside such a period
    result = runner.invoke(args=["report", "overview", "--from", "0001-01-01", "--to", "9999-12-31", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert "Helse" in result.output


def test_a_period_given_backwards_is_explained_not_shown_empty(admin_client):
    _held(dt.date(2008, 5, 14), topic="Helse")
    response = admin_client.get("/reports?from=2009-12-31&to=2007-01-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Perioden slutter (1. jan. 2007) før den begynner (31. des. 2009)" in page
    assert "from=2007-01-01&amp;to=2009-12-31" in page  # a link to the period the user meant
    for fmt in ("csv", "xlsx", "pdf"):
        response = admin_client.get(f"/reports/overview?from=2009-12-31&to=2007-01-01&format={fmt}")
        assert response.status_code == 400 and response.mimetype == "text/html", fmt
        assert "Content-Disposition" not in response.headers  # no empty file to download
        assert "Perioden slutter (1. jan. 2007) før den begynner (31. des. 2009)" in response.get_data(as_text=True)


def test_you_said_we_did_shows_the_date_of_the_meeting_not_of_the_typing(app, admin_client):
    earlier = _held(dt.date(2024, 3, 12), topic="Bolig")
    later = _held(local_today() + dt.timedelta(days=20), topic="Arbeid")
    item = Feedback(meeting_id=earlier.id, missing="Barnepass", language="nb")
    db.session.add(item)
    db.session.flush()
    db.session.add(FollowUp(feedback_id=item.id, action="Barnepass ved alle møter"))
    db.session.commit()
    page = admin_client.get(f"/meetings/{later.id}/you-said-we-did").get_data(as_text=True)
    with app.test_request_context():
        local_date = app.jinja_env.filters["local_date"]
        assert local_date(earlier.starts_at) in page
        assert local_date(utcnow()) not in page


def test_report_overview_cli_writes_pdf_and_xlsx_to_standard_output(runner):
    from openpyxl import load_workbook

    _held(dt.date(2008, 5, 14), topic="Helse")
    result = runner.invoke(args=["report", "overview", "--format", "pdf", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith(b"%PDF")
    result = runner.invoke(args=["report", "overview", "--format", "xlsx", "-o", "-"])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(io.BytesIO(result.stdout_bytes)).active
    assert sheet.cell(row=2, column=4).value == "Helse"


def test_xlsx_cells_starting_with_equals_stay_text(admin_client):
    from openpyxl import load_workbook

    _held(dt.date(2008, 5, 14), topic="=1+1")
    _held(dt.date(2008, 6, 14), topic='=HYPERLINK("http://example.org","Klikk")')
    response = admin_client.get("/reports/overview?format=xlsx")
    book = load_workbook(io.BytesIO(response.data))
    topics = [row[3] for row in book.active.iter_rows(min_row=2)]
    assert [cell.value for cell in topics] == ["=1+1", '=HYPERLINK("http://example.org","Klikk")']
    assert all(cell.data_type == "s" for cell in topics)  # text, which Excel shows and never evaluates


def test_one_meeting_is_singular_and_csv_has_one_charset(admin_client):
    _held(dt.date(2008, 5, 14), topic="Helse")
    page = admin_client.get("/reports").get_data(as_text=True)
    assert "1 møte " in page and "1 møter" not in page
    response = admin_client.get("/reports/overview?format=csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def test_chart_labels_use_the_committees_clock(admin_client):
    # Half past midnight on New Year's Day in Oslo is still New Year's Eve in UTC.
    _held(dt.date(2020, 1, 1), topic="Nyttår", start=dt.time(0, 30), hours=1.5)
    assert db.session.scalar(sa.select(Meeting.starts_at)).date() == dt.date(2019, 12, 31)
    page = admin_client.get("/reports").get_data(as_text=True)
    assert ">jan. 2020<" in page and ">des. 2019<" not in page


def test_interpreted_languages_come_from_delivered_bookings_and_costs_add_up(admin_client):
    from decimal import Decimal

    from brukermote.attendance import reports
    from brukermote.interpreters.models import BookingStatus, InterpreterBooking, InterpreterProvider

    from .test_trends import generate

    [(meeting, *_rest), (other, *_more)] = generate(2)  # the first has a tally sheet saying so and ar
    provider = InterpreterProvider(name="Tolketjenesten", lead_time_days=14)
    db.session.add(provider)
    db.session.flush()
    for target, code, status, estimated, actual in [
            (meeting, "so", BookingStatus.delivered, "1200", None),
            (meeting, "ti", BookingStatus.delivered, "900", "950"),
            (meeting, "ta", BookingStatus.delivered, "800", None),
            (meeting, "ur", BookingStatus.cancelled, "700", "300"),  # a late cancellation's fee
            (other, "ti", BookingStatus.delivered, "900", None)]:
        db.session.add(InterpreterBooking(
            meeting_id=target.id, language=code, provider_id=provider.id, status=status,
            arrives_at=target.starts_at - dt.timedelta(minutes=15), estimated_cost=Decimal(estimated),
            actual_cost=Decimal(actual) if actual else None))
    db.session.commit()
    facts = reports.meeting_facts(reports.reported_meetings(None, None))
    years, used = reports.interpreter_use(facts)
    assert {"so", "ar", "ti", "ta"} <= set(used)
    counts = {code: sum(y.languages.get(code, (0, 0))[0] for y in years) for code in used}
    assert counts["ti"] == 2 and counts["ta"] == 1 and counts["ur"] == 0
    by_language = sum((cost for y in years for _n, cost in y.languages.values()), Decimal("0"))
    assert by_language == reports.totals(facts).interpreter_cost == Decimal("1200") + 950 + 800 + 300 + 900
    page = admin_client.get("/reports").get_data(as_text=True)
    assert "tigrinja" in page.lower() and "tamil" in page.lower()
