"""The committee's pages: template editor with length and cost, send now with a confirmation, figures."""

from __future__ import annotations

import re

import sqlalchemy as sa

from brukermote.extensions import db
from brukermote.sms import delivery, services
from brukermote.sms.models import SendKind, SendStatus, SmsMessage, SmsSend, SmsTemplate, TemplateKind
from tests.printing.helpers import make_meeting

from .conftest import add_contacts, confirm_send, due_reminder


def _dd(html, name):
    match = re.search(rf"<dd data-{name}>([^<]*)</dd>", html)
    assert match, name
    return match.group(1).strip()


def test_overview_lists_languages_with_their_approval(admin_client):
    html = admin_client.get("/sms").get_data(as_text=True)
    assert admin_client.get("/sms").status_code == 200
    assert "/sms/templates/reminder/ar" in html and "/sms/templates/reminder/nb" in html
    approved = {t.language for t in db.session.scalars(sa.select(SmsTemplate).where(SmsTemplate.approved))}
    assert approved == {"nb", "en"}


def test_the_editor_counts_characters_encoding_segments_and_cost(admin_client, app):
    app.config["SMS_PRICE_PER_SEGMENT"] = "0.50"
    make_meeting()
    html = admin_client.post("/sms/templates/reminder/en", data={
        "body": "Hi {date} {time}", "action": "preview"}).get_data(as_text=True)
    assert _dd(html, "encoding") == "GSM-7" and _dd(html, "segments") == "1"
    assert "Wednesday, 12 March 2031" in html  # the preview uses the next meeting
    html = admin_client.post("/sms/templates/reminder/ar", data={
        "body": "تذكير {date} {time} " + "ن" * 60, "action": "preview"}).get_data(as_text=True)
    assert _dd(html, "encoding") == "UCS-2" and _dd(html, "segments") == "2"
    assert "1,00" in _dd(html, "cost")  # 2 × 0.50
    html = admin_client.post("/sms/templates/reminder/en", data={
        "body": "Hi {navn} {date} {time}", "action": "save"}).get_data(as_text=True)
    assert "{navn}" in html
    assert services.get_template(TemplateKind.reminder, "en").body != "Hi {navn} {date} {time}"


def test_editing_an_approved_translation_withdraws_the_approval_until_approved_again(admin_client):
    services.ensure_templates()
    db.session.commit()
    admin_client.post("/sms/templates/reminder/so", data={
        "body": "Xusuusin {topic} {date} {time} {stop}", "approve": "y", "action": "save"})
    template = services.get_template(TemplateKind.reminder, "so")
    assert template.approved and template.approved_by == "Ada Admin"
    admin_client.post("/sms/templates/reminder/so", data={"body": "Xusuusin {date} {time}", "action": "save"})
    db.session.expire_all()
    assert not services.get_template(TemplateKind.reminder, "so").approved


def test_send_now_shows_count_and_cost_and_sends_only_after_confirmation(admin_client, twilio_app, fake):
    meeting = make_meeting()
    add_contacts(3)
    add_contacts(1, language="so", start=10)
    html = admin_client.post(f"/meetings/{meeting.id}/sms/send", data={"kind": "manual", "audience": "consented"}
                             ).get_data(as_text=True)
    assert "4 personer" in html
    assert "8 segmenter, omtrent kr 6,40" in html and "Send 4 SMS" in html  # two segments each, kr 0,80 a segment
    assert "somali" in html.lower()  # told that Somali readers get Norwegian
    assert db.session.scalar(sa.select(sa.func.count(SmsSend.id))) == 0 and fake.posts == []
    response = confirm_send(admin_client, meeting.id)
    assert response.status_code == 302
    # Tests run huey in immediate mode: the queued task has run.
    assert len(fake.posts) == 4
    assert db.session.scalar(sa.select(SmsSend.status)) == SendStatus.done
    page = admin_client.get(f"/meetings/{meeting.id}/sms").get_data(as_text=True)
    assert "Sendt manuelt" in page


def test_reminders_are_added_and_removed_on_the_meeting_page(admin_client):
    meeting = make_meeting()
    response = admin_client.post(f"/meetings/{meeting.id}/sms/reminders", data={
        "days_before": "2", "local_time": "10:00", "audience": "consented"})
    assert response.status_code == 302
    send = db.session.scalar(sa.select(SmsSend))
    assert send.kind == SendKind.reminder and send.days_before == 2
    admin_client.post(f"/sms/sends/{send.id}/delete")
    assert db.session.scalar(sa.select(sa.func.count(SmsSend.id))) == 0


def test_numbers_only_for_confidential_members_and_the_panel_on_the_meeting_page(member_client, twilio_app, fake):
    meeting = make_meeting()
    add_contacts(2)
    due_reminder(meeting)
    delivery.run_pass()
    assert member_client.get(f"/meetings/{meeting.id}/sms/messages").status_code == 403
    assert member_client.get("/sms/inbox").status_code == 403
    page = member_client.get(f"/meetings/{meeting.id}/sms").get_data(as_text=True)
    assert "91 00 00 00" not in page and "+4791000000" not in page and "/messages" not in page
    # The panel on the meeting page (rendered alone: the page holds other domains' panels too).
    from flask import render_template

    from brukermote.core.hooks import registry

    panel = next(p for p in registry.panels if p.key == "sms")
    with twilio_app.test_request_context():
        html = render_template(panel.template, meeting=meeting, panel_context=panel.context(meeting))
    assert 'id="sms"' in html and "2" in html


def test_a_confidential_member_sees_each_message_and_it_is_audited(admin_client, twilio_app, fake):
    from brukermote.core.models import AuditEntry

    meeting = make_meeting()
    add_contacts(1)
    due_reminder(meeting)
    delivery.run_pass()
    html = admin_client.get(f"/meetings/{meeting.id}/sms/messages").get_data(as_text=True)
    assert "910 00 000" in html or "91000000" in html.replace(" ", "")
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "sms.list_numbers")) is not None
    assert db.session.scalar(sa.select(SmsMessage.cost)) is not None


def test_webhooks_need_no_login_but_every_other_page_does(client):
    for url in ("/sms", "/sms/inbox", "/sms/templates/reminder/nb"):
        assert client.get(url).status_code == 302
    assert client.post("/sms/twilio/inbound", data={"Body": "JA"}).status_code == 403


def test_console_backend_is_the_default_and_sends_nothing_out(app, caplog):
    meeting = make_meeting()
    add_contacts(1)
    due_reminder(meeting)
    with caplog.at_level("INFO", logger="brukermote.sms"):
        delivery.run_pass()
    row = db.session.scalar(sa.select(SmsMessage))
    assert row.provider_sid.startswith("console-") and row.status.value == "sent"
    assert "console" in caplog.text and "+4791000000" not in caplog.text


def test_the_cli_does_one_pass(app, runner):
    meeting = make_meeting()
    add_contacts(2)
    due_reminder(meeting)
    result = runner.invoke(args=["sms", "send-due"])
    assert result.exit_code == 0 and "sent: 2" in result.output
