"""The public sign-up: no account, in the participant's language, consent recorded, abuse refused."""

import sqlalchemy as sa

from brukermote.extensions import db
from brukermote.meetings.models import MeetingStatus
from brukermote.outreach.models import Channel, ConsentPurpose, Contact, Registration
from brukermote.printing.texts import text_set
from tests.conftest import make_app, reset_database
from tests.printing.helpers import make_meeting


def registrations(meeting):
    return list(db.session.scalars(sa.select(Registration).where(Registration.meeting_id == meeting.id)))


def test_anonymous_signup_in_somali_records_a_web_registration_and_no_contact(client, app):
    meeting = make_meeting()
    page = client.get(f"/m/{meeting.uid}?lang=so").get_data(as_text=True)
    assert text_set("so")("web.signup_title") in page and 'name="website"' in page
    response = client.post(f"/m/{meeting.uid}/signup", data={
        "lang": "so", "adults": "2", "children": "3", "interpreter_language": "so", "childcare": "1"})
    assert response.status_code == 302 and "/thanks?lang=so" in response.headers["Location"]
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert text_set("so")("web.thanks_title") in thanks
    [registration] = registrations(meeting)
    assert (registration.channel, registration.adults, registration.children) == (Channel.web, 2, 3)
    assert registration.interpreter_language == "so" and registration.childcare_needed
    assert registration.contact_id is None
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0


def test_phone_with_consent_creates_a_contact_with_recorded_web_consent_in_arabic(client, app):
    meeting = make_meeting()
    response = client.post(f"/m/{meeting.uid}/signup", data={
        "lang": "ar", "adults": "1", "children": "0", "phone": "912 34 567", "sms_consent": "1"})
    assert response.status_code == 302
    contact = db.session.scalar(sa.select(Contact))
    assert contact.phone == "+4791234567" and contact.language == "ar" and contact.name == "–"
    [consent] = contact.consents
    assert consent.purpose == ConsentPurpose.news_sms and consent.method.value == "web"
    assert consent.wording_version.startswith("web-") and len(consent.wording_version) == 12
    # Same wording in another language is a different version: we know which sentence they saw.
    from brukermote.public.signup import consent_wording_version
    assert consent.wording_version == consent_wording_version(text_set("ar")("web.sms_consent"))
    assert consent.wording_version != consent_wording_version(text_set("nb")("web.sms_consent"))
    [registration] = registrations(meeting)
    assert registration.contact_id == contact.id
    # The same number for the same meeting again is the same person (issue 15): nothing is added.
    client.post(f"/m/{meeting.uid}/signup", data={"lang": "ar", "adults": "1", "phone": "+47 912 34 567",
                                                  "sms_consent": "1"})
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 1
    assert len(registrations(meeting)) == 1
    # For another meeting: a public form proves nothing about who typed the number, so it never links
    # to (or changes) an existing contact; the committee merges duplicates if it wants to.
    other = make_meeting()
    client.post(f"/m/{other.uid}/signup", data={"lang": "ar", "adults": "1", "phone": "+47 912 34 567",
                                                "sms_consent": "1"})
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 2
    assert registrations(other)[0].contact_id != contact.id


def test_a_stranger_cannot_undo_a_stop_through_the_sign_up_form(client, app):
    from brukermote.outreach import services
    from brukermote.outreach.models import ConsentMethod

    meeting = make_meeting()
    owner = services.create_contact(services.ContactData(name="Hodan", phone="+4791234567", language="so"))
    services.give_consent(owner, ConsentPurpose.news_sms, ConsentMethod.slip, "2026-1")
    services.opt_out_phone("+4791234567")  # she texted STOP
    db.session.commit()
    response = client.post(f"/m/{meeting.uid}/signup", data={"lang": "nb", "adults": "1", "phone": "91234567",
                                                             "sms_consent": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Contact, owner.id).sms_opted_out_at is not None
    assert not db.session.get(Contact, owner.id).consents_to(ConsentPurpose.news_sms)
    newcomer = db.session.scalar(sa.select(Contact).where(Contact.id != owner.id))
    assert newcomer.sms_opted_out_at is not None  # the number's STOP stands for the new record too
    assert [r.contact_id for r in registrations(meeting)] == [newcomer.id]


def test_bad_input_redisplays_in_the_participants_language_and_saves_nothing(client, app):
    meeting = make_meeting()
    response = client.post(f"/m/{meeting.uid}/signup", data={
        "lang": "ar", "name": "Fatima", "adults": "0", "children": "x", "phone": "12", "interpreter_language": "ar"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    t = text_set("ar")
    for key in ("web.error_summary", "web.error_nobody", "web.error_count", "web.error_phone"):
        assert t(key) in page
    assert '<html lang="ar" dir="rtl">' in page
    assert 'value="Fatima"' in page and 'value="12"' in page  # nothing the person typed is lost
    assert 'value="x"' in page and 'value="0"' in page  # the refused counts, as typed
    assert 'aria-invalid="true"' in page
    # A valid number without the consent box ticked: the number is not kept without consent.
    response = client.post(f"/m/{meeting.uid}/signup", data={"lang": "nb", "adults": "1", "phone": "91234567"})
    assert response.status_code == 422 and text_set("nb")("web.error_consent") in response.get_data(as_text=True)
    assert registrations(meeting) == [] and db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0


def test_honeypot_looks_like_success_but_keeps_nothing(client, app):
    meeting = make_meeting()
    response = client.post(f"/m/{meeting.uid}/signup", data={"lang": "nb", "adults": "1", "website": "http://spam"})
    assert response.status_code == 302 and "/thanks" in response.headers["Location"]
    assert registrations(meeting) == []


def test_signup_closed_for_cancelled_and_past_meetings(client, app):
    from brukermote.meetings import services

    meeting = make_meeting()
    services.change_status(meeting, MeetingStatus.cancelled, "Sykdom")
    db.session.commit()
    page = client.get(f"/m/{meeting.uid}").get_data(as_text=True)
    assert text_set("nb")("web.closed") in page and 'name="adults"' not in page
    assert client.post(f"/m/{meeting.uid}/signup", data={"adults": "1"}).status_code == 409
    assert registrations(meeting) == []


def test_rate_limit_per_address_answers_in_the_participants_language(tmp_path):

    url = f"sqlite:///{tmp_path / 'rate.db'}"
    app = make_app(url, RATELIMIT_ENABLED=True, PUBLIC_FORM_RATE_LIMIT="3 per hour")
    with app.app_context():
        db.create_all()
        reset_database(app)
        meeting = make_meeting()
        client = app.test_client()
        codes = [client.post(f"/m/{meeting.uid}/signup", data={"lang": "so", "adults": "1"},
                             environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code for _ in range(4)]
        assert codes == [302, 302, 302, 429]
        refused = client.post(f"/m/{meeting.uid}/signup", data={"lang": "so", "adults": "1"},
                              environ_base={"REMOTE_ADDR": "10.0.0.1"})
        assert text_set("so")("web.too_many") in refused.get_data(as_text=True)
        # Another address is not affected.
        assert client.post(f"/m/{meeting.uid}/signup", data={"lang": "so", "adults": "1"},
                           environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 302
        assert len(registrations(meeting)) == 4
        # A limited address posting to a meeting that does not exist gets "not found", not a server error.
        assert client.post("/m/nonexistent/signup", data={"adults": "1"},
                           environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 404


def test_meeting_page_links_to_the_feedback_page_once_the_meeting_has_begun(client, app):
    import datetime as dt

    from brukermote.core.timeutil import utcnow

    meeting = make_meeting()
    link = f"/m/{meeting.uid}/feedback?lang=so"
    assert link not in client.get(f"/m/{meeting.uid}?lang=so").get_data(as_text=True)
    meeting.starts_at = utcnow() - dt.timedelta(hours=1)
    meeting.ends_at = utcnow() + dt.timedelta(hours=1)
    db.session.commit()
    page = client.get(f"/m/{meeting.uid}?lang=so").get_data(as_text=True)
    assert link in page and text_set("so")("web.feedback_title") in page


def test_behind_a_proxy_each_participant_has_their_own_limit(tmp_path):
    """With TRUSTED_PROXIES=1 the limit counts the address the proxy forwards, not the proxy's own."""
    app = make_app(f"sqlite:///{tmp_path / 'proxy.db'}", RATELIMIT_ENABLED=True, PUBLIC_FORM_RATE_LIMIT="2 per hour",
                   TRUSTED_PROXIES=1)
    with app.app_context():
        db.create_all()
        reset_database(app)
        meeting = make_meeting()
        client = app.test_client()

        def post(forwarded_for):
            return client.post(f"/m/{meeting.uid}/signup", data={"adults": "1"},
                               headers={"X-Forwarded-For": forwarded_for},
                               environ_base={"REMOTE_ADDR": "127.0.0.1"}).status_code

        assert [post("203.0.113.5") for _ in range(3)] == [302, 302, 429]
        assert [post(f"203.0.113.{n}") for n in range(10, 14)] == [302] * 4  # others unaffected


def test_a_browser_that_blocks_cookies_can_sign_up_and_give_feedback_and_no_page_sets_one(tmp_path):
    import datetime as dt

    from brukermote.attendance.models import Feedback
    from brukermote.core.timeutil import utcnow

    app = make_app(f"sqlite:///{tmp_path / 'csrf.db'}", WTF_CSRF_ENABLED=True)  # as in production
    with app.app_context():
        db.create_all()
        reset_database(app)
        meeting = make_meeting()
        browser = app.test_client(use_cookies=False)
        page = browser.get(f"/m/{meeting.uid}?lang=ar")
        assert "Set-Cookie" not in page.headers
        response = browser.post(f"/m/{meeting.uid}/signup", data={"lang": "ar", "adults": "1"})
        assert response.status_code == 302 and "Set-Cookie" not in response.headers
        assert len(registrations(meeting)) == 1

        meeting.starts_at = utcnow() - dt.timedelta(hours=3)
        meeting.ends_at = utcnow() - dt.timedelta(hours=1)
        db.session.commit()
        page = browser.get(f"/m/{meeting.uid}/feedback?lang=ar")
        assert page.status_code == 200 and "Set-Cookie" not in page.headers
        response = browser.post(f"/m/{meeting.uid}/feedback", data={"lang": "ar", "rating": "4"})
        assert response.status_code == 302 and "Set-Cookie" not in response.headers
        assert db.session.scalar(sa.select(sa.func.count(Feedback.id))) == 1


def test_a_landline_for_the_sms_reminder_is_refused_in_the_participants_language(client, app):
    meeting = make_meeting()
    response = client.post(f"/m/{meeting.uid}/signup", data={"lang": "so", "adults": "1", "phone": "22 33 44 55",
                                                             "sms_consent": "1"})
    assert response.status_code == 422 and text_set("so")("web.error_phone") in response.get_data(as_text=True)
    assert registrations(meeting) == []
