"""After the meeting, a member types the tally sheet into one form with the keyboard only."""

import datetime as dt

import pytest
import sqlalchemy as sa

from brukermote.attendance.counts import HeadCount
from brukermote.attendance.models import Attendance
from brukermote.auth.services import create_user
from brukermote.core.timeutil import local_today
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingType
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_tally_sheet_typed_in_with_the_keyboard(page, live_server, live_app):
    create_user("ny@example.org", "Nora Ny", PASSWORD)
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic="Bolig", day=local_today() - dt.timedelta(days=1),
        start=dt.time(13, 30), end=dt.time(15, 30), interpreter_languages=["so", "ar"]))
    db.session.commit()
    sign_in(page, live_server, "ny@example.org")
    page.goto(f"{live_server.url}/meetings/{meeting.id}/attendance")
    page.get_by_label("Voksne").focus()
    # What the sheet says, field after field: adults, children, (everyone: empty), walk-ins.
    for value in ("15-20", "ca. 8", "", "4"):
        page.keyboard.press("Control+A")
        if value:
            page.keyboard.type(value)
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # saves; the interpreted languages are already ticked from the plan
    page.get_by_text("Oppmøtet er lagret.").wait_for()
    assert page.get_by_text("23–28").first.is_visible()  # the meeting page shows the range
    db.session.expire_all()
    record = db.session.scalar(sa.select(Attendance).where(Attendance.meeting_id == meeting.id))
    assert (record.adults, record.children, record.walk_ins) == (HeadCount(15, 20), HeadCount(8, 8, True), 4)
    assert record.interpreted_languages == ["so", "ar"]
