"""The funnel: May 2008 — 313 letters, 21 registered (10 reply slips, 7 by phone, 4 at the stand,
0 by SMS), 6 came — must come out exactly as those numbers when entered through the pages."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingType
from brukermote.outreach import funnel as funnel_service
from brukermote.outreach import services
from brukermote.outreach.models import Channel, Contact, Registration


def _meeting(day=dt.date(2031, 5, 21)):
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic="Kommunikasjon", day=day, start=dt.time(17, 30), end=dt.time(19, 30)))
    db.session.commit()
    return meeting


def _register(client, meeting, channel, came=False, adults=1):
    data = {"form": "registration", "r-channel": channel, "r-adults": str(adults), "r-children": "0",
            "r-interpreter_language": ""}
    if came:
        data["r-came"] = "y"
    response = client.post(f"/meetings/{meeting.id}/outreach", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def test_may_2008_funnel_comes_out_exactly(admin_client, app):
    meeting = _meeting()
    response = admin_client.post(f"/meetings/{meeting.id}/outreach", data={
        "form": "mailing", "m-channel": "letter", "m-count": "313", "m-sent_on": "2031-04-30",
        "m-languages": ["nb"], "m-done_by": "Arbeidsutvalget"})
    assert response.status_code == 302
    plan = [("reply_slip", 10, 3), ("phone", 7, 2), ("stand", 4, 1)]
    for channel, registered, came in plan:
        for index in range(registered):
            _register(admin_client, meeting, channel, came=index < came)
    result = funnel_service.funnel([meeting.id])
    rows = {row.channel: row for row in result.rows}
    assert (result.invited, result.registered, result.came) == (313, 21, 6)
    assert (rows[Channel.reply_slip].invited, rows[Channel.reply_slip].registered, rows[Channel.reply_slip].came) == (313, 10, 3)
    assert (rows[Channel.phone].registered, rows[Channel.stand].registered, rows[Channel.sms].registered) == (7, 4, 0)
    page = admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert ">313<" in page and ">21<" in page and ">6<" in page


def test_walk_ins_are_counted_beside_registrations(admin_client, app):
    meeting = _meeting()
    _register(admin_client, meeting, "walk_in", came=True, adults=3)
    _register(admin_client, meeting, "reply_slip", came=True)
    result = funnel_service.funnel([meeting.id])
    assert result.walk_ins == 3 and result.registered == 1 and result.came == 1


def test_bad_registration_and_mailing_input_saves_nothing(admin_client, app):
    meeting = _meeting()
    response = admin_client.post(f"/meetings/{meeting.id}/outreach", data={
        "form": "registration", "r-channel": "phone", "r-adults": "-1", "r-children": "0", "r-interpreter_language": ""})
    assert response.status_code == 422 and "Mellom 0 og 50" in response.get_data(as_text=True)
    response = admin_client.post(f"/meetings/{meeting.id}/outreach", data={
        "form": "mailing", "m-channel": "letter", "m-count": "-5"})
    assert response.status_code == 422 and "Antallet kan ikke være negativt" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0


def test_enclosure_stop_date_defaults_to_a_week_before_and_late_stops_warn(admin_client, app):
    meeting = _meeting()
    admin_client.post(f"/meetings/{meeting.id}/outreach", data={"form": "mailing", "m-channel": "enclosure",
                                                               "m-count": "150", "m-sent_on": "2031-04-20"})
    [mailing] = funnel_service.mailings(meeting)
    assert mailing.stop_on == dt.date(2031, 5, 14)
    assert funnel_service.warnings(meeting) == []
    admin_client.post(f"/meetings/{meeting.id}/outreach", data={"form": "mailing", "m-channel": "enclosure",
                                                               "m-count": "50", "m-stop_on": "2031-05-19"})
    [warning] = funnel_service.warnings(meeting)
    assert "etter møtet" in warning.message
    # Where the mailing is entered, the warning is there too.
    assert "etter møtet" in admin_client.get(f"/meetings/{meeting.id}/outreach").get_data(as_text=True)
    response = admin_client.post(f"/meetings/{meeting.id}/outreach", data={
        "form": "mailing", "m-channel": "enclosure", "m-count": "50", "m-sent_on": "2031-05-10",
        "m-stop_on": "2031-05-01"})
    assert response.status_code == 422 and "Stoppdatoen er før startdatoen." in response.get_data(as_text=True)
    assert len(funnel_service.mailings(meeting)) == 2


def test_erasing_a_contact_keeps_the_registration_anonymous(admin_client, app):
    meeting = _meeting()
    contact = Contact(name="Hodan Abdi", phone="+4791234567", language="so")
    db.session.add(contact)
    db.session.flush()
    funnel_service.add_registration(meeting, channel=Channel.phone, contact_id=contact.id, adults=1)
    db.session.commit()
    services.erase_contact(contact)
    db.session.commit()
    [registration] = funnel_service.registrations(meeting)
    assert registration.contact_id is None and registration.adults == 1


def test_erasure_drops_the_registrations_free_text(admin_client, app):
    meeting = _meeting()
    contact = Contact(name="Hodan Abdi", phone="+4791234567", language="so")
    db.session.add(contact)
    db.session.flush()
    funnel_service.add_registration(meeting, channel=Channel.reply_slip, contact_id=contact.id, adults=1,
                                    dietary="glutenfri, diabetes")
    db.session.commit()
    services.erase_contact(contact)
    db.session.commit()
    [registration] = funnel_service.registrations(meeting)
    assert registration.dietary == "" and registration.adults == 1


def test_a_subject_access_export_holds_registrations_sms_and_replies(admin_client, app):
    from brukermote.sms.models import InboundMeaning, SendKind, SmsInbound, SmsMessage, SmsSend

    meeting = _meeting()
    contact = Contact(name="Hodan Abdi", phone="+4791234567", language="so")
    db.session.add(contact)
    db.session.flush()
    funnel_service.add_registration(meeting, channel=Channel.reply_slip, contact_id=contact.id, adults=1,
                                    interpreter_language="so", dietary="halal, glutenfri")
    send = SmsSend(meeting_id=meeting.id, kind=SendKind.reminder, send_at=meeting.starts_at)
    db.session.add(send)
    db.session.flush()
    db.session.add(SmsMessage(send_id=send.id, phone=contact.phone, language="so", body="Xusuusin: shir"))
    db.session.add(SmsInbound(phone=contact.phone, body="Ma keeni karaa carruurta?", language="so",
                              meaning=InboundMeaning.other, meeting_id=meeting.id))
    db.session.commit()
    data = admin_client.get(f"/contacts/{contact.id}/export").get_json()
    [registration] = data["registrations"]
    assert (registration["meeting_id"], registration["dietary"], registration["interpreter_language"]) == (
        meeting.id, "halal, glutenfri", "so")
    assert [m["text"] for m in data["sms_messages"]] == ["Xusuusin: shir"]
    assert [r["text"] for r in data["sms_replies"]] == ["Ma keeni karaa carruurta?"]


def test_walk_ins_from_the_attendance_tally_appear_in_the_funnel(admin_client, app):
    from brukermote.attendance.models import Attendance

    meeting = _meeting()
    other = _meeting(day=dt.date(2031, 9, 17))
    _register(admin_client, meeting, "walk_in", came=True, adults=2)  # two checked in at the door
    db.session.add(Attendance(meeting_id=meeting.id, walk_ins=12))  # the tally sheet says twelve came unregistered
    db.session.add(Attendance(meeting_id=other.id, walk_ins=3))
    db.session.commit()
    page = admin_client.get(f"/meetings/{meeting.id}/outreach").get_data(as_text=True)
    assert funnel_service.funnel([meeting.id]).walk_ins == 12  # the same people, not 14
    assert 'Kom uten påmelding</th><td></td><td></td><td class="num">12<' in page.replace("\n", "")
    assert funnel_service.funnel([meeting.id, other.id]).walk_ins == 15
    by_meeting = {row.meeting.id: row.walk_ins for row in funnel_service.funnel_by_meeting([meeting, other])}
    assert by_meeting == {meeting.id: 12, other.id: 3}


def test_a_mistyped_mailing_or_registration_can_be_deleted(admin_client, app):
    meeting = _meeting()
    admin_client.post(f"/meetings/{meeting.id}/outreach", data={"form": "mailing", "m-channel": "letter",
                                                                "m-count": "3130", "m-languages": ["nb"]})
    _register(admin_client, meeting, "phone")
    _register(admin_client, meeting, "phone")  # the same call typed twice
    assert funnel_service.funnel([meeting.id]).invited == 3130
    [mailing] = funnel_service.mailings(meeting)
    first, _second = funnel_service.registrations(meeting)
    assert admin_client.post(f"/mailings/{mailing.id}/delete").status_code == 302
    response = admin_client.post(f"/registrations/{first.id}/delete", follow_redirects=True)
    assert "Påmeldingen er slettet." in response.get_data(as_text=True)
    result = funnel_service.funnel([meeting.id])
    assert (result.invited, result.registered) == (0, 1)


def test_the_funnel_overview_takes_the_first_and_last_days_there_are(admin_client, app):
    _meeting()
    for query in ("to=9999-12-31", "from=0001-01-01", "from=0001-01-01&to=9999-12-31"):
        assert admin_client.get(f"/outreach/funnel?{query}").status_code == 200, query


def test_conversion_is_written_the_norwegian_way(admin_client, app):
    meeting = _meeting()
    admin_client.post(f"/meetings/{meeting.id}/outreach", data={"form": "mailing", "m-channel": "letter",
                                                                "m-count": "313", "m-languages": ["nb"]})
    for _ in range(10):
        _register(admin_client, meeting, "reply_slip")
    page = admin_client.get(f"/meetings/{meeting.id}/outreach").get_data(as_text=True)
    assert "3,2\u00a0%" in page and "3.2 %" not in page  # 10 of 313
