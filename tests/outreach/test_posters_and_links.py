"""Poster places with priority and per-meeting hangings; registrations linked to a contact (only by
confidential members); the funnel across meetings."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from brukermote.core.timeutil import local_today
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus, MeetingType
from brukermote.outreach import posters, services
from brukermote.outreach.models import PosterHanging, PosterLocation, Registration


def _meeting(day, topic="Bolig"):
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic=topic, day=day, start=dt.time(13, 30), end=dt.time(15, 30)))
    db.session.commit()
    return meeting


def _warnings(meeting):
    return [w.message for w in posters.warnings(meeting)]


def test_places_are_listed_by_priority_and_names_are_unique(admin_client):
    for name, priority in [("Veitvet senter", 2), ("NAV Bjerke, venterommet", 1), ("Grorud kirke", 3)]:
        response = admin_client.post("/poster-locations", data={"name": name, "priority": str(priority), "active": "y"})
        assert response.status_code == 302
    page = admin_client.get("/poster-locations").get_data(as_text=True)
    assert page.index("NAV Bjerke, venterommet") < page.index("Veitvet senter") < page.index("Grorud kirke")
    response = admin_client.post("/poster-locations", data={"name": "veitvet SENTER", "priority": "1"})
    assert response.status_code == 422 and "Veitvet senter" in response.get_data(as_text=True)
    response = admin_client.post("/poster-locations", data={"name": "Ny plass", "priority": "0"})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(PosterLocation.id))) == 3


def test_retiring_a_place_keeps_where_posters_hung(admin_client):
    meeting = _meeting(local_today() + dt.timedelta(days=30))
    place = posters.save_location(None, name="Årvoll skole", priority=3)
    posters.hang(meeting, place, count=2, languages=["nb", "so"], hung_on=local_today(), hung_by="Kari")
    db.session.commit()
    response = admin_client.post(f"/poster-locations/{place.id}/edit", data={"name": "Årvoll skole", "priority": "3"})
    assert response.status_code == 302  # "active" unticked: out of use
    assert db.session.get(PosterLocation, place.id).active is False
    page = admin_client.get(f"/meetings/{meeting.id}/outreach").get_data(as_text=True)
    assert "Årvoll skole" in page and "Kari" in page
    # A retired place is not offered for new posters.
    assert f'<option value="{place.id}"' not in page


def test_hanging_posters_through_the_page_and_taking_them_down(admin_client):
    meeting = _meeting(local_today() + dt.timedelta(days=10))
    meeting_services.change_status(meeting, MeetingStatus.planned)
    top = posters.save_location(None, name="NAV Bjerke, venterommet", priority=1)
    second = posters.save_location(None, name="Veitvet senter", priority=1)
    db.session.commit()
    # Ten days ahead, both priority-1 places are still without posters: the committee is told.
    assert any("NAV Bjerke, venterommet" in m and "Veitvet senter" in m for m in _warnings(meeting))
    hung_on = (local_today() - dt.timedelta(days=1)).isoformat()
    response = admin_client.post(f"/meetings/{meeting.id}/outreach", data={
        "form": "poster", "p-location": str(top.id), "p-count": "3", "p-hung_on": hung_on, "p-hung_by": "Ole",
        "p-languages": ["nb", "ar"]})
    assert response.status_code == 302
    [hanging] = db.session.scalars(sa.select(PosterHanging)).all()
    assert (hanging.count, hanging.languages, hanging.hung_by) == (3, ["nb", "ar"], "Ole")
    assert any("Veitvet senter" in m and "venterommet" not in m for m in _warnings(meeting))
    # Hung after the meeting: refused, nothing saved, the form keeps what was typed.
    late = (meeting.local_date + dt.timedelta(days=1)).isoformat()
    response = admin_client.post(f"/meetings/{meeting.id}/outreach", data={
        "form": "poster", "p-location": str(second.id), "p-count": "2", "p-hung_on": late, "p-hung_by": "Per"})
    assert response.status_code == 422 and 'value="Per"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(PosterHanging.id))) == 1
    response = admin_client.post(f"/poster-hangings/{hanging.id}/down")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(PosterHanging, hanging.id).taken_down_on == local_today()


def test_posters_still_up_after_the_meeting_are_a_warning(app):
    meeting = _meeting(local_today() - dt.timedelta(days=3))
    meeting.status = MeetingStatus.held
    place = posters.save_location(None, name="Linderud senter", priority=1)
    hanging = posters.hang(meeting, place, hung_on=local_today() - dt.timedelta(days=20))
    db.session.commit()
    assert any("Linderud senter" in m for m in _warnings(meeting))
    posters.take_down(hanging)
    assert _warnings(meeting) == []


def test_a_confidential_member_links_a_registration_to_a_contact(app, admin_client, member_user):
    from tests.conftest import login

    member_client = app.test_client()
    assert login(member_client, member_user.email).status_code == 302
    meeting = _meeting(local_today() + dt.timedelta(days=20))
    contact = services.create_contact(services.ContactData(name="Hodan Warsame", phone="+4791234567", language="so"))
    db.session.commit()
    page = admin_client.get(f"/meetings/{meeting.id}/outreach").get_data(as_text=True)
    assert 'name="r-contact"' in page  # a search field: no list of every contact's name
    response = admin_client.post(f"/meetings/{meeting.id}/outreach", data={
        "form": "registration", "r-channel": "phone", "r-adults": "1", "r-children": "2",
        "r-interpreter_language": "so", "r-contact": str(contact.id)})
    assert response.status_code == 302
    registration = db.session.scalar(sa.select(Registration))
    assert registration.contact_id == contact.id
    assert "Hodan Warsame" in admin_client.get(f"/meetings/{meeting.id}/outreach").get_data(as_text=True)
    # A member without the confidential flag sees neither the list of names nor who registered.
    page = member_client.get(f"/meetings/{meeting.id}/outreach").get_data(as_text=True)
    assert "Hodan Warsame" not in page and 'name="r-contact"' not in page
    # … and cannot link one by posting the field anyway: the registration stays anonymous.
    member_client.post(f"/meetings/{meeting.id}/outreach", data={
        "form": "registration", "r-channel": "phone", "r-adults": "1", "r-children": "0",
        "r-interpreter_language": "", "r-contact": str(contact.id)})
    rows = db.session.scalars(sa.select(Registration).order_by(Registration.id)).all()
    assert [r.contact_id for r in rows] == [contact.id, None]


def test_funnel_across_meetings_in_a_period(admin_client):
    from brukermote.outreach import funnel
    from brukermote.outreach.models import Channel

    first = _meeting(dt.date(2031, 5, 21), "Kommunikasjon")
    second = _meeting(dt.date(2031, 9, 24), "Bolig")
    outside = _meeting(dt.date(2032, 1, 28), "Arbeid")
    funnel.add_mailing(first, channel=Channel.letter, count=313)
    funnel.add_mailing(second, channel=Channel.letter, count=200)
    funnel.add_mailing(outside, channel=Channel.letter, count=999)
    for meeting, channel, came in [(first, Channel.reply_slip, True), (first, Channel.phone, False),
                                   (second, Channel.reply_slip, True), (second, Channel.walk_in, True),
                                   (outside, Channel.reply_slip, True)]:
        funnel.add_registration(meeting, channel=channel, adults=1, came=came)
    db.session.commit()
    page = admin_client.get("/outreach/funnel?from=2031-01-01&to=2031-12-31").get_data(as_text=True)
    assert "513" in page and "999" not in page  # letters in the period only
    lines = funnel.funnel_by_meeting(funnel.meetings_between(dt.date(2031, 1, 1), dt.date(2031, 12, 31)))
    assert [(line.invited, line.registered, line.came, line.walk_ins) for line in lines] == [
        (313, 2, 1, 0), (200, 1, 1, 1)]
    total = funnel.funnel([first.id, second.id])
    assert (total.invited, total.registered, total.came, total.walk_ins) == (513, 3, 2, 1)
    bad = admin_client.get("/outreach/funnel?from=2031-13-01").get_data(as_text=True)
    assert "2031-13-01" in bad  # named as not a date, filter ignored
