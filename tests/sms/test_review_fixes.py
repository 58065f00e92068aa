"""Moves after a reminder went out, double submits, times already passed, unpublished meetings, a
wrong Twilio configuration, lost delivery reports and a shared phone's yes (found in review)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from babel.dates import format_date

from brukermote.core.timeutil import to_local, utcnow
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus
from brukermote.outreach.models import Consent, ConsentMethod, ConsentPurpose, Contact, Registration
from brukermote.sms import backends, delivery, services
from brukermote.sms.models import MessageStatus, SendKind, SendStatus, SmsMessage, SmsSend
from tests.printing.helpers import FIXED_DAY, make_meeting

from .conftest import add_contacts, confirm_send, confirmation_token, due_reminder

NEW_DAY = dt.date(2031, 4, 2)


def _move(meeting, day=NEW_DAY, start=dt.time(17, 30), end=dt.time(19, 30)):
    data = meeting_services.MeetingData(type=meeting.type, topic=meeting.topic, day=day, start=start, end=end,
                                        venue_id=meeting.venue_id)
    meeting_services.update_meeting(meeting, data, meeting.version)
    db.session.commit()


def _nb_date(day):
    return format_date(day, "full", locale="nb_NO")


def _sends(**where):
    query = sa.select(SmsSend).order_by(SmsSend.id)
    for key, value in where.items():
        query = query.where(getattr(SmsSend, key) == value)
    return list(db.session.scalars(query))


def test_moving_a_meeting_after_its_reminder_went_out_warns_rearms_and_offers_a_notice(
        admin_client, twilio_app, fake):
    meeting = make_meeting()
    add_contacts(2)
    sent_reminder = due_reminder(meeting)
    delivery.run_pass()
    assert len(fake.posts) == 2 and _nb_date(FIXED_DAY) in fake.posts[0].form["Body"]
    _move(meeting)
    # A fresh reminder with the same offset, for the new date (still ahead), so people hear it again.
    rearmed = [s for s in _sends(kind=SendKind.reminder, status=SendStatus.scheduled)]
    assert len(rearmed) == 1 and rearmed[0].id != sent_reminder.id
    assert rearmed[0].days_before == 2 and rearmed[0].audience == sent_reminder.audience
    assert to_local(rearmed[0].send_at).replace(tzinfo=None) == dt.datetime(2031, 3, 31, 10, 0)
    # The committee is told, on the SMS page and among the meeting's warnings, with a way to tell people now.
    page = admin_client.get(f"/meetings/{meeting.id}/sms").get_data(as_text=True)
    assert "2 personer fikk en SMS" in page
    assert "audience=reminded" in page
    from brukermote.sms.views import warnings

    with twilio_app.test_request_context():
        found = [w for w in warnings(meeting) if "2 " in w.message and "audience=reminded" in (w.url or "")]
    assert found and found[0].level == "warning"
    # The link preselects those who got the old date.
    notice_page = admin_client.get(found[0].url.split("#")[0]).get_data(as_text=True)
    assert '<option selected value="reminded">' in notice_page or 'value="reminded" selected' in notice_page
    assert '<option selected value="moved">' in notice_page or 'value="moved" selected' in notice_page  # "new time"
    confirm_send(admin_client, meeting.id, audience="reminded")
    notices = fake.posts[2:]
    assert len(notices) == 2
    assert all(_nb_date(NEW_DAY) in p.form["Body"] and "17:30" in p.form["Body"] for p in notices)
    # Told: the warning is gone.
    page = admin_client.get(f"/meetings/{meeting.id}/sms").get_data(as_text=True)
    assert "audience=reminded" not in page


def test_moving_the_meeting_back_does_not_repeat_the_reminder_that_went_out(admin_client, twilio_app, fake):
    meeting = make_meeting()
    add_contacts(1)
    first = due_reminder(meeting)
    delivery.run_pass()
    original = (to_local(meeting.starts_at).date(), dt.time(13, 30), dt.time(15, 30))
    _move(meeting)
    assert len(_sends(status=SendStatus.scheduled)) == 1
    day, start, end = original
    data = meeting_services.MeetingData(type=meeting.type, topic=meeting.topic, day=day, start=start, end=end,
                                        venue_id=meeting.venue_id)
    meeting_services.update_meeting(meeting, data, meeting.version)
    # In real life the first reminder went out at its time for the original date (the fixture only
    # made it due early): with that time recorded, the move back is seen again.
    first.send_at = services.reminder_time(meeting, 2, dt.time(10, 0))
    services.move_reminders(meeting)
    db.session.commit()
    assert _sends(status=SendStatus.scheduled) == []
    delivery.run_pass()
    assert len(fake.posts) == 1
    assert "audience=reminded" not in admin_client.get(f"/meetings/{meeting.id}/sms").get_data(as_text=True)


def test_a_reminder_whose_new_time_has_passed_is_not_rearmed_but_still_warned_about(admin_client, twilio_app, fake):
    meeting = make_meeting()
    add_contacts(1)
    due_reminder(meeting)
    delivery.run_pass()
    # Moved to tomorrow: "2 days before at 10:00" for the new date has passed, so it is not re-armed.
    _move(meeting, day=(utcnow() + dt.timedelta(days=1)).date())
    assert _sends(status=SendStatus.scheduled) == []
    page = admin_client.get(f"/meetings/{meeting.id}/sms").get_data(as_text=True)
    assert "audience=reminded" in page


def test_messages_waiting_when_the_meeting_moves_go_out_with_the_new_date(twilio_app, fake):
    meeting = make_meeting()
    waiting, retrying = add_contacts(2)
    send = due_reminder(meeting)
    delivery.start_due_sends([send.id])  # materialised with the old date, nothing sent yet
    row = db.session.scalar(sa.select(SmsMessage).where(SmsMessage.phone == retrying.phone))
    row.next_attempt_at = utcnow() - dt.timedelta(seconds=1)  # as after a transient error
    db.session.commit()
    _move(meeting)
    delivery.run_pass([send.id])
    assert len(fake.posts) == 2
    for post in fake.posts:
        assert _nb_date(NEW_DAY) in post.form["Body"] and "17:30" in post.form["Body"]
        assert _nb_date(FIXED_DAY) not in post.form["Body"]


def test_scheduling_the_same_reminder_twice_is_refused(admin_client):
    meeting = make_meeting()
    form = {"days_before": "2", "local_time": "10:00", "audience": "consented"}
    admin_client.post(f"/meetings/{meeting.id}/sms/reminders", data=form)
    page = admin_client.post(f"/meetings/{meeting.id}/sms/reminders", data=form,
                             follow_redirects=True).get_data(as_text=True)
    assert len(_sends()) == 1
    assert "allerede planlagt" in page
    # Another time or another audience is a different reminder.
    admin_client.post(f"/meetings/{meeting.id}/sms/reminders", data={**form, "audience": "registered"})
    assert len(_sends()) == 2


def test_confirming_send_now_twice_sends_once_and_points_to_the_first_send(admin_client, twilio_app, fake):
    meeting = make_meeting()
    add_contacts(3)
    form = {"kind": "manual", "audience": "consented"}
    confirmed = {**form, "confirm": "yes", "send_token": confirmation_token(admin_client, meeting.id, form)}
    admin_client.post(f"/meetings/{meeting.id}/sms/send", data=confirmed)
    response = admin_client.post(f"/meetings/{meeting.id}/sms/send", data=confirmed)  # a double click
    (send,) = _sends()
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#send-{send.id}")
    assert len(fake.posts) == 3
    page = admin_client.get(f"/meetings/{meeting.id}/sms").get_data(as_text=True)
    assert "sendes ikke på nytt" in page
    # Another tab's confirmation page (its own token) within the window: the same decision.
    confirm_send(admin_client, meeting.id)
    assert len(_sends()) == 1 and len(fake.posts) == 3
    # After the window, a new confirmation is a new decision; the old page's token still is not.
    send.created_at = utcnow() - dt.timedelta(minutes=3)
    db.session.commit()
    admin_client.post(f"/meetings/{meeting.id}/sms/send", data=confirmed)
    assert len(_sends()) == 1
    confirm_send(admin_client, meeting.id)
    assert len(_sends()) == 2 and len(fake.posts) == 6


def test_a_confirmation_without_its_token_only_shows_the_confirmation_again(admin_client, twilio_app, fake):
    meeting = make_meeting()
    add_contacts(2)
    for token in (None, "short", "x" * 200, "<script>" * 5):
        data = {"kind": "manual", "audience": "consented", "confirm": "yes"}
        if token is not None:
            data["send_token"] = token
        page = admin_client.post(f"/meetings/{meeting.id}/sms/send", data=data)
        assert page.status_code == 200 and "Send 2 SMS" in page.get_data(as_text=True)
    assert _sends() == [] and fake.posts == []


def test_a_reminder_whose_time_has_passed_is_refused_and_points_to_send_now(admin_client):
    meeting = make_meeting(day=(utcnow() + dt.timedelta(days=3)).date())
    page = admin_client.post(f"/meetings/{meeting.id}/sms/reminders", data={
        "days_before": "30", "local_time": "10:00", "audience": "consented"}, follow_redirects=True
    ).get_data(as_text=True)
    assert _sends() == []
    assert "Send nå" in page
    assert "allerede passert" in page


def test_reminders_for_an_unpublished_meeting_are_held_until_it_is_published(admin_client, twilio_app, fake):
    meeting = make_meeting()
    meeting.status = MeetingStatus.planned
    db.session.commit()
    add_contacts(2)
    send = due_reminder(meeting)
    delivery.run_pass()
    assert fake.posts == []
    db.session.refresh(send)
    assert send.status == SendStatus.scheduled  # held, neither sent nor failed
    assert db.session.scalar(sa.select(sa.func.count(SmsMessage.id))) == 0
    page = admin_client.get(f"/meetings/{meeting.id}/sms").get_data(as_text=True)
    assert "først når det er publisert" in page
    # Send now is refused too.
    response = admin_client.post(f"/meetings/{meeting.id}/sms/send", data={
        "kind": "manual", "audience": "consented", "confirm": "yes",
        "send_token": confirmation_token(admin_client, meeting.id, {"kind": "manual", "audience": "consented"})})
    assert response.status_code == 302
    assert len(_sends()) == 1 and fake.posts == []
    meeting_services.change_status(meeting, MeetingStatus.published)
    db.session.commit()
    delivery.run_pass()
    assert len(fake.posts) == 2


def test_a_held_reminder_of_a_meeting_that_started_unpublished_is_stopped_not_kept_forever(twilio_app, fake):
    meeting = make_meeting()
    meeting.status = MeetingStatus.planned
    add_contacts(1)
    send = due_reminder(meeting)
    meeting.starts_at = utcnow() - dt.timedelta(hours=1)
    meeting.ends_at = utcnow() + dt.timedelta(hours=1)
    db.session.commit()
    delivery.run_pass()
    db.session.refresh(send)
    assert fake.posts == [] and send.status == SendStatus.cancelled


def test_a_draft_without_a_venue_sends_nothing(twilio_app, fake):
    meeting = make_meeting(venue=False)
    meeting.status = MeetingStatus.draft
    db.session.commit()
    add_contacts(1)
    due_reminder(meeting)
    delivery.run_pass()
    assert fake.posts == []


def test_wrong_credentials_stop_the_batch_without_failing_anyone(admin_client, twilio_app, fake):
    meeting = make_meeting()
    people = add_contacts(3)
    fake.scripts = {people[0].phone: [(401, 20003)]}
    due_reminder(meeting)
    delivery.run_pass()
    assert len(fake.posts) == 1  # stopped at the first refusal
    rows = list(db.session.scalars(sa.select(SmsMessage)))
    assert {r.status for r in rows} == {MessageStatus.pending}
    page = admin_client.get(f"/meetings/{meeting.id}/sms").get_data(as_text=True)
    assert "20003" in page and "TWILIO_ACCOUNT_SID" in page
    assert "20003" in admin_client.get("/sms").get_data(as_text=True)
    # Fixed: everyone gets the reminder, once.
    delivery.run_pass()
    db.session.expire_all()
    assert len(fake.posts) == 4 and {r.status for r in db.session.scalars(sa.select(SmsMessage))} == {
        MessageStatus.sent}
    assert "20003" not in admin_client.get(f"/meetings/{meeting.id}/sms").get_data(as_text=True)


def test_forbidden_and_not_found_are_configuration_errors_not_the_recipients():
    for status, code in ((401, 20003), (403, None), (404, 20404), (404, None)):
        assert isinstance(backends.classify(status, code), backends.ConfigurationError), status
    assert isinstance(backends.classify(400, 21211), backends.PermanentError)
    assert not isinstance(backends.classify(400, 21211), backends.ConfigurationError)


def test_a_lost_message_found_at_twilio_takes_twilios_status(twilio_app, fake):
    twilio_app.config.update(TWILIO_TIMEOUT="0.3", SMS_STALE_AFTER="0")
    meeting = make_meeting()
    delivered, failed = add_contacts(2)
    fake.scripts = {delivered.phone: [("slow", 1.0)], failed.phone: [("slow", 1.0)]}
    due_reminder(meeting)
    delivery.start_due_sends()
    delivery.deliver()
    # Twilio delivered one and failed the other while we had no SID to match their reports to.
    for message in fake.created:
        message["status"] = "delivered" if message["to"] == delivered.phone else "undelivered"
        if message["to"] == failed.phone:
            message["error_code"] = 30005
    delivery.recover_stale(backends.get_backend())
    db.session.expire_all()
    by_phone = {m.phone: m for m in db.session.scalars(sa.select(SmsMessage))}
    assert by_phone[delivered.phone].status == MessageStatus.delivered
    assert by_phone[failed.phone].status == MessageStatus.undelivered
    assert by_phone[failed.phone].error_code == "30005"


def test_a_yes_from_a_shared_phone_registers_the_person_the_reminder_was_sent_to(client, twilio_app, fake):
    from .test_webhooks import inbound

    meeting = make_meeting()
    parent = Contact(name="Forelder", phone="+4791555555", language="nb")  # no SMS consent
    db.session.add(parent)
    db.session.commit()
    child = Contact(name="Voksent barn", phone="+4791555555", language="nb")
    child.consents.append(Consent(purpose=ConsentPurpose.news_sms, method=ConsentMethod.slip))
    db.session.add(child)
    db.session.commit()
    due_reminder(meeting)
    delivery.run_pass()
    assert db.session.scalar(sa.select(SmsMessage.contact_id)) == child.id
    inbound(client, "+4791555555", "JA")
    registration = db.session.scalar(sa.select(Registration))
    assert registration.contact_id == child.id
