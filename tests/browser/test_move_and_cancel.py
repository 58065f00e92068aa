"""Moving and cancelling a published meeting in the browser (issue 17): the committee member sees who
and what is affected first, nothing changes until they confirm, and the confirmation sends the notice,
marks the posters outdated and says where they hang."""

import datetime as dt

import pytest
import sqlalchemy as sa

from brukermote.auth.capabilities import grant_all
from brukermote.auth.services import create_user
from brukermote.extensions import db
from brukermote.meetings.models import Meeting, MeetingStatus
from brukermote.outreach import funnel
from brukermote.outreach.models import Channel, PosterHanging, PosterLocation
from brukermote.printing.models import PrintRecord
from brukermote.sms.models import SendKind, SmsSend
from tests.browser.axe import axe_violations
from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.printing.helpers import make_meeting
from tests.sms.conftest import add_contacts, approve_language

pytestmark = pytest.mark.browser


@pytest.fixture
def page(browser, live_server):
    # bypass_csp only so the test can inject axe-core; the app's CSP stays as it is.
    context = browser.new_context(locale="nb-NO", viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10000)
    yield page
    context.close()


@pytest.fixture
def known_meeting(live_app):
    """A published meeting with a registered Arabic reader, an Arabic poster printed and hung."""
    user = create_user("leder@example.org", "Lene Leder", PASSWORD, admin=True, confidential=True)
    grant_all(user)
    meeting = make_meeting()
    approve_language("ar")
    [reader] = add_contacts(1, language="ar", start=7)
    reader.name = "Layla Haddad"
    funnel.add_registration(meeting, channel=Channel.web, contact_id=reader.id, adults=1)
    db.session.add(PrintRecord(meeting_id=meeting.id, document="poster", language="ar", size="A4"))
    place = PosterLocation(name="Veitvet senter")
    db.session.add(place)
    db.session.flush()
    db.session.add(PosterHanging(meeting_id=meeting.id, location_id=place.id, languages=["ar"], count=3,
                                 hung_on=dt.date(2031, 2, 20)))
    db.session.commit()
    return meeting


def _meeting(meeting_id):
    db.session.expire_all()
    return db.session.get(Meeting, meeting_id)


def test_move_then_cancel_after_seeing_the_impact(page, live_server, known_meeting):
    meeting_id = known_meeting.id
    sign_in(page, live_server, "leder@example.org")
    page.goto(f"{live_server.url}/meetings/{meeting_id}")
    page.get_by_role("link", name="Rediger", exact=True).click()
    page.get_by_label("Dato").fill("2031-03-19")
    page.get_by_role("button", name="Lagre").click()

    page.get_by_role("heading", name="Flytte møtet?").wait_for()
    text = page.inner_text("main")
    assert "Layla Haddad" in text and "Veitvet senter" in text and "arabisk: 1" in text
    assert "onsdag 19. mars 2031 kl. 13:30" in text  # the Norwegian notice with the new date
    assert "Før: onsdag 12. mars 2031 13:30, Årvoll Gård. Etter: onsdag 19. mars 2031 13:30, Årvoll Gård." in text
    assert "1 påmelding (1 person)" in text
    assert axe_violations(page) == []
    assert _meeting(meeting_id).local_date == dt.date(2031, 3, 12)  # nothing changed yet

    page.get_by_label("Send SMS om ny tid til 1 person, på personens eget språk").check()
    page.get_by_role("button", name="Flytt møtet").click()
    page.get_by_text("Møtet er flyttet.").wait_for()
    assert "Veitvet senter" in page.inner_text("main")  # where to re-hang the reprinted posters
    assert _meeting(meeting_id).local_date == dt.date(2031, 3, 19)
    assert db.session.scalar(sa.select(sa.func.count(SmsSend.id)).where(SmsSend.kind == SendKind.moved)) == 1

    page.locator("summary", has_text="Avlys møtet").click()  # opens the form
    page.get_by_label("Begrunnelse (vises for deltakerne)").fill("Lokalet er stengt")
    page.get_by_role("button", name="Avlys møtet").click()
    page.get_by_role("heading", name="Avlyse møtet?").wait_for()
    assert _meeting(meeting_id).status == MeetingStatus.published
    page.get_by_role("link", name="Gå tilbake uten å endre noe").click()
    page.get_by_role("link", name="Rediger", exact=True).wait_for()
    assert _meeting(meeting_id).status == MeetingStatus.published

    page.locator("summary", has_text="Avlys møtet").click()
    page.get_by_label("Begrunnelse (vises for deltakerne)").fill("Lokalet er stengt")
    page.get_by_role("button", name="Avlys møtet").click()
    page.get_by_role("heading", name="Avlyse møtet?").wait_for()
    page.get_by_role("button", name="Avlys møtet").click()
    page.get_by_text("Møtet er avlyst.").wait_for()
    meeting = _meeting(meeting_id)
    assert meeting.status == MeetingStatus.cancelled and meeting.cancel_reason == "Lokalet er stengt"
    assert db.session.scalar(sa.select(sa.func.count(SmsSend.id)).where(SmsSend.kind == SendKind.cancellation)) == 1
    assert "Veitvet senter" in page.inner_text("main")  # take the posters down
