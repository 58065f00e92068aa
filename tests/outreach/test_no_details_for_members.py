"""«A member without the confidential flag cannot reach any contact's details by any URL or export»:
walk every GET route of the app as such a member, with every kind of id filled in, and look for the
contact's name, address and phone number in whatever comes back (pages, JSON, CSV, PDF text)."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

from brukermote.core.timeutil import local_today, utcnow
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus, MeetingType, Venue
from brukermote.outreach import services
from brukermote.outreach.models import Channel, ConsentMethod, ConsentPurpose, Registration
from brukermote.sms.models import Audience, InboundMeaning, SendKind, SmsInbound, SmsMessage, SmsSend

NAME, STREET, PHONE = "Zahra Qoraxlow", "Hemmeligveien 77", "+4791357913"
SECRETS = [NAME, "Qoraxlow", STREET, PHONE, "91357913", "913 57 913", "91 35 79 13"]


def _world():
    venue = Venue(name="Årvoll Gård", address="Årvollveien 36")
    db.session.add(venue)
    db.session.flush()
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic="Bolig", day=local_today() + dt.timedelta(days=10),
        start=dt.time(13, 30), end=dt.time(15, 30), venue_id=venue.id, target_languages=["nb", "so"]))
    meeting.status, meeting.published_at = MeetingStatus.published, utcnow()
    contact = services.create_contact(services.ContactData(name=NAME, street=STREET, postcode="0596", city="Oslo",
                                                           phone=PHONE, language="so"))
    services.give_consent(contact, ConsentPurpose.news_sms, ConsentMethod.slip, "2026-1")
    db.session.add(Registration(meeting_id=meeting.id, channel=Channel.phone, contact_id=contact.id, adults=1))
    send = SmsSend(meeting_id=meeting.id, kind=SendKind.manual, audience=Audience.consented, send_at=utcnow())
    db.session.add(send)
    db.session.flush()
    db.session.add(SmsMessage(send_id=send.id, contact_id=contact.id, phone=PHONE, language="so",
                              body=f"Salaan {NAME}"))
    db.session.add(SmsInbound(phone=PHONE, contact_id=contact.id, body="Waan imanayaa", language="so",
                              meaning=InboundMeaning.other, meeting_id=meeting.id))
    db.session.commit()
    return meeting, contact


def _text(response) -> str:
    if response.mimetype == "application/pdf":
        return subprocess.run(["pdftotext", "-", "-"], input=response.data, capture_output=True, check=True).stdout.decode()
    if response.mimetype.startswith("image/") or response.mimetype == "application/octet-stream":
        return ""  # marks and QR images carry no personal data
    if "spreadsheetml" in response.mimetype:
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(response.data)).active
        return " ".join(str(c.value) for row in sheet.iter_rows() for c in row)
    return response.get_data(as_text=True)


def test_no_route_shows_a_contacts_details_to_a_member_without_the_flag(app, member_client):
    meeting, contact = _world()
    ids = {"meeting_id": meeting.id, "contact_id": contact.id, "uid": meeting.uid, "language": "so",
           "code": "so", "kind": "reminder"}
    visited = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static":
            continue
        values = {}
        for argument in rule.arguments:
            values[argument] = ids.get(argument, 1)
        url = rule.build(values, append_unknown=False)[1]
        for suffix in ("", "?format=csv", "?format=pdf&lang=en"):
            response = member_client.get(url + suffix)
            assert response.status_code < 500, (url + suffix, response.status_code)
            if response.status_code != 200:
                continue
            visited += 1
            text = _text(response)
            for secret in SECRETS:
                assert secret not in text, (url + suffix, secret)
            assert "91357913" not in re.sub(r"[\s\u00a0.-]", "", text), url + suffix  # any spacing
    assert visited > 60  # the walk reached the app, not just error pages


def test_the_walk_would_notice_a_leak(app, admin_client):
    """Control: a confidential member does see the details, so the strings above are the real ones."""
    meeting, contact = _world()
    assert NAME in admin_client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    messages = admin_client.get(f"/meetings/{meeting.id}/sms/messages").get_data(as_text=True)
    assert any(secret in messages for secret in SECRETS[3:])
