"""Told when a change matters (issue 17): moving or cancelling a published meeting first shows who and
what is affected; only the confirmation changes anything, and it sends the notice SMS in each
recipient's language (an SMS sender only, once), marks printed posters and flyers outdated, and flags
interpreter bookings the provider knows of."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from brukermote.extensions import db
from brukermote.interpreters import services as interpreters
from brukermote.interpreters.models import BookingStatus, InterpreterBooking, InterpreterProvider
from brukermote.meetings.models import Meeting, MeetingStatus
from brukermote.outreach import funnel
from brukermote.outreach.models import Channel, Mailing, PosterHanging, PosterLocation
from brukermote.printing import services as printing
from brukermote.printing.models import PrintRecord
from brukermote.printing.services import PrintRequest
from brukermote.sms.models import Audience, SendKind, SmsMessage, SmsSend
from tests.conftest import login
from tests.printing.helpers import make_meeting
from tests.sms.conftest import ACTOR, add_contacts, approve_language, manual_send


def _hidden(html: str) -> dict:
    """The hidden fields of the impact page's confirm form, as a browser would post them."""
    form = html[html.index('class="impact-confirm"'):]
    data: dict = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form):
        data.setdefault(name, []).append(value.replace("&#39;", "'").replace("&amp;", "&"))
    return data


def _edit_form(meeting: Meeting, **changes) -> dict:
    data = {"type": meeting.type.value, "topic": meeting.topic, "day": meeting.local_date.isoformat(),
            "start": meeting.local_start.strftime("%H:%M"), "end": meeting.local_end.strftime("%H:%M"),
            "venue_id": str(meeting.venue_id), "description": meeting.description or "", "catering": meeting.catering,
            "target_languages": list(meeting.target_languages), "interpreter_languages": list(meeting.interpreter_languages),
            "version": str(meeting.version)}
    data.update(changes)
    return data


@pytest.fixture
def affected(app):
    """A published meeting people know of: two registered (one reads Arabic), one more told by SMS,
    an ordered interpreter, a final Arabic poster hanging at the library, 120 letters sent."""
    app.config["PUBLIC_BASE_URL"] = "https://brukermote.bjerke.example"  # final prints refuse a loopback address
    meeting = make_meeting()
    approve_language("ar")
    registered = add_contacts(1, language="nb", start=1) + add_contacts(1, language="ar", start=2)
    registered[0].name, registered[1].name = "Kari Nordmann", "Layla Haddad"
    for contact in registered:
        funnel.add_registration(meeting, channel=Channel.sms, contact_id=contact.id, adults=2)
    add_contacts(1, language="so", start=3)
    db.session.commit()
    manual_send(meeting)  # everyone who agreed to SMS was told of the meeting …
    send = db.session.scalar(sa.select(SmsSend).where(SmsSend.meeting_id == meeting.id))
    from brukermote.sms import delivery

    delivery.run_pass([send.id], max_wait=0)  # … by the console backend, which records it as sent
    provider = InterpreterProvider(name="Tolketjenesten Oslo")
    db.session.add(provider)
    db.session.flush()
    booking = interpreters.book_language(meeting, "ar")
    booking.provider_id = provider.id
    interpreters.change_booking_status(booking, BookingStatus.ordered)
    printing.render(meeting, PrintRequest(document="poster", language="ar", size="A4"), actor=ACTOR)
    place = PosterLocation(name="Bjerke bibliotek", address="Trondheimsveien 235")
    db.session.add(place)
    db.session.flush()
    db.session.add(PosterHanging(meeting_id=meeting.id, location_id=place.id, languages=["ar"], count=2,
                                 hung_on=dt.date(2031, 2, 20), hung_by="Ada"))
    db.session.add(Mailing(meeting_id=meeting.id, channel=Channel.letter, count=120, sent_on=dt.date(2031, 2, 1)))
    db.session.commit()
    return meeting


def test_a_final_poster_is_recorded_and_a_draft_is_not(affected):
    printing.render(affected, PrintRequest(document="poster", language="nb", draft=True), actor=ACTOR)
    [record] = db.session.scalars(sa.select(PrintRecord)).all()
    assert (record.document, record.language, record.size, record.outdated_at) == ("poster", "ar", "A4", None)


def test_moving_shows_the_impact_first_and_changes_nothing(admin_client, affected):
    meeting = affected
    before = (meeting.starts_at, meeting.version)
    page = admin_client.post(f"/meetings/{meeting.id}/edit", data=_edit_form(meeting, day="2031-03-19"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'class="impact-confirm"' in html
    assert "Kari Nordmann" in html and "Layla Haddad" in html  # the admin is bound by secrecy
    from brukermote.core.models import AuditEntry

    assert db.session.scalar(sa.select(AuditEntry.detail).where(AuditEntry.action == "registration.list")) == (
        f"meeting:{meeting.id}: 2 names before it is moved")
    assert "Bjerke bibliotek" in html and "120" in html
    assert 'name="send_sms"' in html  # the admin may send SMS
    assert "onsdag 19. mars 2031 kl. 13:30" in html  # the Norwegian notice with the new date
    assert "merkes de som utdaterte" in html  # plural agreement: «de … utdaterte»
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert (meeting.starts_at, meeting.version) == before
    assert db.session.scalar(sa.select(PrintRecord.outdated_at)) is None
    assert db.session.scalar(sa.select(sa.func.count(SmsSend.id)).where(SmsSend.kind == SendKind.moved)) == 0


def test_confirming_the_move_sends_in_each_language_marks_prints_and_flags_the_interpreter(admin_client, affected):
    meeting = affected
    html = admin_client.post(f"/meetings/{meeting.id}/edit", data=_edit_form(meeting, day="2031-03-19")).get_data(
        as_text=True)
    confirm = _hidden(html) | {"send_sms": "yes"}
    response = admin_client.post(f"/meetings/{meeting.id}/edit", data=confirm)
    assert response.status_code == 302
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.local_date == dt.date(2031, 3, 19)
    [send] = db.session.scalars(sa.select(SmsSend).where(SmsSend.kind == SendKind.moved)).all()
    assert send.audience == Audience.affected
    bodies = {m.language: m.body for m in db.session.scalars(sa.select(SmsMessage).where(SmsMessage.send_id == send.id))}
    assert set(bodies) == {"nb", "ar"}  # the Somali reader gets Norwegian until a reader approves Somali
    assert bodies["ar"].startswith("تغيير") and "19" in bodies["ar"] and "مارس" in bodies["ar"]
    assert "19. mars 2031" in bodies["nb"]
    assert len(bodies) == 2 and db.session.scalar(sa.select(sa.func.count(SmsMessage.id))
                                                  .where(SmsMessage.send_id == send.id)) == 3
    record = db.session.scalar(sa.select(PrintRecord))
    assert record.outdated_at is not None and record.outdated_because == "moved"
    booking = db.session.scalar(sa.select(InterpreterBooking))
    assert booking.provider_must_be_told
    detail = admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Bjerke bibliotek" in detail  # reprint and re-hang: where
    # A reprint after the move clears the warning.
    printing.render(meeting, PrintRequest(document="poster", language="ar", size="A4"), actor=ACTOR)
    db.session.commit()
    assert "Bjerke bibliotek" not in admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)


def test_the_confirmation_counts_once(admin_client, affected):
    meeting = affected
    html = admin_client.post(f"/meetings/{meeting.id}/edit", data=_edit_form(meeting, day="2031-03-19")).get_data(
        as_text=True)
    confirm = _hidden(html) | {"send_sms": "yes"}
    admin_client.post(f"/meetings/{meeting.id}/edit", data=confirm)
    again = admin_client.post(f"/meetings/{meeting.id}/edit", data=confirm)  # a resubmitted page
    assert again.status_code in (302, 409)
    assert db.session.scalar(sa.select(sa.func.count(SmsSend.id)).where(SmsSend.kind == SendKind.moved)) == 1


def test_a_member_sees_counts_not_names_and_cannot_send(client, member_user, affected):
    meeting = affected
    login(client, member_user.email)
    html = client.post(f"/meetings/{meeting.id}/edit", data=_edit_form(meeting, start="14:00", end="16:00")).get_data(
        as_text=True)
    assert 'class="impact-confirm"' in html
    assert "Kari Nordmann" not in html and "Layla Haddad" not in html
    assert "2 påmeldinger (4 personer)" in html  # two registrations of two adults each
    assert 'name="send_sms"' not in html
    forged = _hidden(html) | {"send_sms": "yes"}
    assert client.post(f"/meetings/{meeting.id}/edit", data=forged).status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).local_start.hour == 14  # the move itself is the member's to make
    assert db.session.scalar(sa.select(sa.func.count(SmsSend.id)).where(SmsSend.kind == SendKind.moved)) == 0


def test_cancelling_shows_the_impact_then_sends_the_cancellation_and_lists_the_posters_to_take_down(
        admin_client, affected):
    meeting = affected
    page = admin_client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Lokalet brant"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'class="impact-confirm"' in html and "Avlyst:" in html
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.published
    admin_client.post(f"/meetings/{meeting.id}/cancel", data=_hidden(html) | {"send_sms": "yes"})
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.status == MeetingStatus.cancelled and meeting.cancel_reason == "Lokalet brant"
    [send] = db.session.scalars(sa.select(SmsSend).where(SmsSend.kind == SendKind.cancellation)).all()
    bodies = [m.body for m in db.session.scalars(sa.select(SmsMessage).where(SmsMessage.send_id == send.id))]
    assert len(bodies) == 3 and any(b.startswith("إلغاء") for b in bodies)
    assert db.session.scalar(sa.select(PrintRecord.outdated_because)) == "cancelled"
    assert db.session.scalar(sa.select(InterpreterBooking)).provider_must_be_told  # tell the provider
    detail = admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Bjerke bibliotek" in detail


def test_a_meeting_nobody_knows_of_yet_is_saved_at_once(admin_client, app):
    meeting = make_meeting()
    meeting.status, meeting.published_at = MeetingStatus.planned, None
    db.session.commit()
    response = admin_client.post(f"/meetings/{meeting.id}/edit", data=_edit_form(meeting, day="2031-03-19"))
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).local_date == dt.date(2031, 3, 19)


def test_a_second_move_minutes_later_is_saved_and_sends_the_new_time(admin_client, affected):
    """Moved to the 19th with SMS, then corrected to the 20th with SMS a minute later: a new decision,
    not a double submit of the first (the "same text lately" window must not swallow it)."""
    meeting = affected
    first = _hidden(admin_client.post(f"/meetings/{meeting.id}/edit", data=_edit_form(meeting, day="2031-03-19"))
                    .get_data(as_text=True)) | {"send_sms": "yes"}
    assert admin_client.post(f"/meetings/{meeting.id}/edit", data=first).status_code == 302
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    second = _hidden(admin_client.post(f"/meetings/{meeting.id}/edit", data=_edit_form(meeting, day="2031-03-20"))
                     .get_data(as_text=True)) | {"send_sms": "yes"}
    response = admin_client.post(f"/meetings/{meeting.id}/edit", data=second, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "allerede bekreftet" not in html and "Møtet er flyttet" in html
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).local_date == dt.date(2031, 3, 20)
    sends = db.session.scalars(sa.select(SmsSend).where(SmsSend.kind == SendKind.moved).order_by(SmsSend.id)).all()
    assert len(sends) == 2
    latest = db.session.scalars(sa.select(SmsMessage.body).where(SmsMessage.send_id == sends[1].id,
                                                                 SmsMessage.language == "nb")).all()
    assert latest and all("20. mars 2031" in body for body in latest)
    # The very same confirmation posted again is still recognised, and sends nothing more.
    again = admin_client.post(f"/meetings/{meeting.id}/edit", data=second, follow_redirects=True)
    assert "allerede bekreftet" in again.get_data(as_text=True) or again.status_code == 409
    assert db.session.scalar(sa.select(sa.func.count(SmsSend.id)).where(SmsSend.kind == SendKind.moved)) == 2


def test_a_published_meeting_set_back_to_planned_still_shows_the_impact_before_it_moves(admin_client, affected):
    meeting = affected
    admin_client.post(f"/meetings/{meeting.id}/status", data={"status": "planned"})
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.status == MeetingStatus.planned
    page = admin_client.post(f"/meetings/{meeting.id}/edit", data=_edit_form(meeting, day="2031-03-19"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'class="impact-confirm"' in html and "Bjerke bibliotek" in html
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).local_date != dt.date(2031, 3, 19)  # nothing saved yet
    # Confirmed with "Send SMS": the move is saved; the SMS service holds notices of an unpublished
    # meeting, and the user is told plainly rather than told the change was "already confirmed".
    done = admin_client.post(f"/meetings/{meeting.id}/edit", data=_hidden(html) | {"send_sms": "yes"},
                             follow_redirects=True).get_data(as_text=True)
    assert "Møtet er flyttet" in done and "SMS-en om endringen ble ikke sendt" in done
    assert "allerede bekreftet" not in done
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).local_date == dt.date(2031, 3, 19)
    assert db.session.scalar(sa.select(PrintRecord.outdated_because)) == "moved"


def test_cancelling_a_planned_meeting_people_registered_for_shows_the_impact(admin_client, app):
    meeting = make_meeting()
    meeting.status, meeting.published_at = MeetingStatus.planned, None
    funnel.add_registration(meeting, channel=Channel.phone, adults=1)
    db.session.commit()
    page = admin_client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Lokalet brant"})
    assert page.status_code == 200 and 'class="impact-confirm"' in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.planned


def test_a_double_submitted_move_says_it_is_done_not_that_someone_else_saved(admin_client, affected):
    meeting = affected
    confirm = _hidden(admin_client.post(f"/meetings/{meeting.id}/edit", data=_edit_form(meeting, day="2031-03-19"))
                      .get_data(as_text=True))
    admin_client.post(f"/meetings/{meeting.id}/edit", data=confirm)
    again = admin_client.post(f"/meetings/{meeting.id}/edit", data=confirm)
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/meetings/{meeting.id}")
    html = admin_client.get(again.headers["Location"]).get_data(as_text=True)
    assert "allerede bekreftet" in html and "Noen andre" not in html
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).local_date == dt.date(2031, 3, 19)


def test_a_double_submitted_cancellation_says_it_is_done(admin_client, affected):
    meeting = affected
    html = admin_client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Lokalet brant"}).get_data(as_text=True)
    admin_client.post(f"/meetings/{meeting.id}/cancel", data=_hidden(html))
    again = admin_client.post(f"/meetings/{meeting.id}/cancel", data=_hidden(html), follow_redirects=True)
    page = again.get_data(as_text=True)
    assert "allerede bekreftet" in page


def test_a_venue_only_move_does_not_announce_a_new_time(admin_client, affected):
    from brukermote.meetings.models import Venue

    meeting = affected
    other = Venue(name="Veitvet senter", address="Veitvetveien 8")
    db.session.add(other)
    db.session.commit()
    html = admin_client.post(f"/meetings/{meeting.id}/edit", data=_edit_form(meeting, venue_id=str(other.id))) \
        .get_data(as_text=True)
    assert 'class="impact-confirm"' in html
    assert "Endret: Brukermøtet" in html and "Veitvet senter" in html and "Ny tid" not in html
