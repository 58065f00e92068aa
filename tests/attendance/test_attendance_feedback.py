"""Attendance from the tally sheet, feedback from paper forms and the public page, follow-ups
(«you said, we did») and the topic backlog — through the pages a committee member uses."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from brukermote.attendance import services
from brukermote.attendance.counts import CountError, HeadCount, parse_count
from brukermote.attendance.models import Attendance, Feedback, FeedbackChannel, TopicStatus, TopicSuggestion
from brukermote.core.timeutil import local_today, utcnow
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import Meeting, MeetingStatus, MeetingType
from brukermote.printing.texts import text_set


@pytest.mark.parametrize("raw, expected", [
    ("18", HeadCount(18, 18)), ("15–20", HeadCount(15, 20)), ("15-20", HeadCount(15, 20)),
    ("15 - 20", HeadCount(15, 20)), ("ca. 20", HeadCount(20, 20, True)), ("about 20", HeadCount(20, 20, True)),
    ("omtrent 20", HeadCount(20, 20, True)), ("~20", HeadCount(20, 20, True)), ("ca 15-20", HeadCount(15, 20, True)),
    ("", None), ("  ", None),
])
def test_counts_as_the_committee_writes_them(raw, expected):
    assert parse_count(raw) == expected


@pytest.mark.parametrize("raw", ["18", "15–20", "ca. 20", "ca. 15–20"])
def test_counts_read_back_as_they_were_written(raw, app):
    count = parse_count(raw)
    assert count.plain() == raw and parse_count(count.plain()) == count
    with app.test_request_context():
        assert count.display() == {"ca. 20": "ca. 20", "ca. 15–20": "ca. 15–20"}.get(raw, raw)


@pytest.mark.parametrize("raw", ["20-15", "tjue", "-3", "15–", "ca."])
def test_unreadable_counts_are_refused(raw, app):
    with pytest.raises(CountError):
        parse_count(raw)


def _held(days_ago=2, topic="Bolig", publish=True) -> Meeting:
    day = local_today() - dt.timedelta(days=days_ago)
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic=topic, day=day, start=dt.time(13, 30), end=dt.time(15, 30),
        target_languages=["nb", "so", "fa"], interpreter_languages=["so"]))
    if publish:
        meeting.status = MeetingStatus.published
        meeting.published_at = utcnow() - dt.timedelta(days=30)
    db.session.commit()
    return meeting


def test_attendance_from_the_tally_sheet_in_one_form(admin_client):
    meeting = _held()
    page = admin_client.get(f"/meetings/{meeting.id}/attendance").get_data(as_text=True)
    assert 'value="NAV"' in page  # the usual organisation is already filled in
    assert '="None"' not in page  # no stray attributes from empty descriptions
    response = admin_client.post(f"/meetings/{meeting.id}/attendance", data={
        "adults": "15–20", "children": "ca. 8", "people": "", "walk_ins": "4", "organisers": "3", "speakers": "1",
        "staff-0-organisation": "NAV", "staff-0-count": "ca. 2", "staff-1-organisation": "Bydelen",
        "staff-1-count": "1", "interpreted_languages": ["so", "ar"], "interpreter_note": ""})
    assert response.status_code == 302
    record = db.session.scalar(sa.select(Attendance))
    assert record.adults == HeadCount(15, 20) and record.children == HeadCount(8, 8, True)
    assert record.participants == HeadCount(23, 28, True) and record.walk_ins == 4
    assert [(s.organisation, s.count) for s in record.staff] == [("NAV", HeadCount(2, 2, True)),
                                                                 ("Bydelen", HeadCount(1, 1))]
    assert record.interpreted_languages == ["so", "ar"]
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.held
    # Editing shows what was saved in the form the committee types.
    page = admin_client.get(f"/meetings/{meeting.id}/attendance").get_data(as_text=True)
    assert 'value="15–20"' in page and 'value="ca. 8"' in page and 'value="ca. 2"' in page


def test_bad_attendance_redisplays_with_messages_and_saves_nothing(admin_client):
    meeting = _held()
    response = admin_client.post(f"/meetings/{meeting.id}/attendance", data={
        "adults": "20-15", "children": "mange", "people": "", "walk_ins": "0", "organisers": "0", "speakers": "0"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "I et intervall kommer det minste tallet først (15–20)." in page
    assert 'value="20-15"' in page and 'value="mange"' in page
    response = admin_client.post(f"/meetings/{meeting.id}/attendance", data={
        "adults": "12", "people": "ca. 20", "walk_ins": "0", "organisers": "0", "speakers": "0"})
    assert response.status_code == 422 and "ikke begge deler" in response.get_data(as_text=True)
    response = admin_client.post(f"/meetings/{meeting.id}/attendance", data={
        "adults": "12", "walk_ins": "0", "organisers": "0", "speakers": "0", "staff-0-count": "3"})
    assert response.status_code == 422 and "Hvilken organisasjon?" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0
    future = _held(days_ago=-10)
    response = admin_client.post(f"/meetings/{future.id}/attendance", data={
        "adults": "12", "walk_ins": "0", "organisers": "0", "speakers": "0"})
    assert response.status_code == 422 and "ikke begynt" in response.get_data(as_text=True)


def test_paper_feedback_follow_up_and_you_said_we_did(admin_client):
    earlier = _held(days_ago=60, topic="Bolig")
    later = _held(days_ago=-20, topic="Arbeid")
    response = admin_client.post(f"/meetings/{earlier.id}/feedback", data={
        "rating": "2", "useful": "", "missing": "Barnepass", "topic_text": "Arbeid og kurs", "language": "so",
        "channel": "paper"})
    assert response.status_code == 302 and "language=so" in response.headers["Location"]
    item = db.session.scalar(sa.select(Feedback))
    assert (item.rating, item.missing, item.language, item.channel) == (2, "Barnepass", "so", FeedbackChannel.paper)
    # Empty form: refused, nothing saved.
    response = admin_client.post(f"/meetings/{earlier.id}/feedback", data={"rating": "", "language": "nb",
                                                                          "channel": "paper"})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(Feedback.id))) == 1
    # The follow-up, then reported back at the next meeting.
    done = (local_today() - dt.timedelta(days=10)).isoformat()
    response = admin_client.post(f"/feedback/{item.id}/follow-up", data={
        f"f{item.id}-action": "Barnepass ved alle møter", f"f{item.id}-done_on": done,
        f"f{item.id}-done_by": "Arbeidsutvalget"})
    assert response.status_code == 302
    page = admin_client.get(f"/meetings/{later.id}/you-said-we-did").get_data(as_text=True)
    assert "Barnepass ved alle møter" in page and "Barnepass" in page
    assert "Barnepass ved alle møter" not in admin_client.get(
        f"/meetings/{earlier.id}/you-said-we-did").get_data(as_text=True)  # not its own meeting
    admin_client.post(f"/meetings/{later.id}/you-said-we-did")
    db.session.expire_all()
    assert db.session.get(Feedback, item.id).follow_up.reported_at_meeting_id == later.id
    # A follow-up dated in the future is refused.
    future = (local_today() + dt.timedelta(days=30)).isoformat()
    admin_client.post(f"/feedback/{item.id}/follow-up", data={f"f{item.id}-action": "Senere",
                                                             f"f{item.id}-done_on": future})
    db.session.expire_all()
    assert db.session.get(Feedback, item.id).follow_up.action == "Barnepass ved alle møter"


def test_topic_backlog_counts_merges_and_plans(admin_client):
    meeting = _held()
    for text in ["Arbeid og kurs", "arbeid  og KURS!", "Helse", "Arbeid og kurs?"]:
        services.add_feedback(meeting, services.FeedbackData(topic_text=text, language="nb"))
    services.add_feedback(meeting, services.FeedbackData(topic_text="Jobb og kurs", language="nb"))
    db.session.commit()
    rows = services.backlog()
    assert [(r.topic.title, r.count) for r in rows] == [("Arbeid og kurs", 3), ("Helse", 1), ("Jobb og kurs", 1)]
    admin_client.post("/topics", data={"title": "Helse"})  # heard at the office
    keep = db.session.scalar(sa.select(TopicSuggestion).where(TopicSuggestion.title == "Arbeid og kurs"))
    other = db.session.scalar(sa.select(TopicSuggestion).where(TopicSuggestion.title == "Jobb og kurs"))
    admin_client.post("/topics/merge", data={"keep": keep.id, "other": other.id})
    db.session.expire_all()
    assert [(r.topic.title, r.count) for r in services.backlog()] == [("Arbeid og kurs", 4), ("Helse", 2)]
    page = admin_client.get("/topics").get_data(as_text=True)
    assert page.index("Arbeid og kurs") < page.index("Helse")
    # Planning from the backlog: the new-meeting form has the topic; creating it marks the topic planned.
    response = admin_client.get(f"/topics/{keep.id}/plan")
    target = response.headers["Location"]
    assert "topic=Arbeid+og+kurs" in target and f"from_topic={keep.id}" in target
    assert 'value="Arbeid og kurs"' in admin_client.get(target).get_data(as_text=True)
    day = (local_today() + dt.timedelta(days=40)).isoformat()
    response = admin_client.post(target, data={"type": "user_meeting", "topic": "Arbeid og kurs", "day": day,
                                               "start": "13:30", "end": "15:30", "target_languages": ["nb"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    db.session.expire_all()
    topic = db.session.get(TopicSuggestion, keep.id)
    assert topic.status == TopicStatus.planned and topic.meeting_id is not None


def test_public_feedback_page_is_anonymous_and_in_the_meetings_languages(client, app):
    meeting = _held(days_ago=1)
    page = client.get(f"/m/{meeting.uid}/feedback?lang=fa").get_data(as_text=True)
    t = text_set("fa")
    assert '<html lang="fa" dir="rtl">' in page and t("web.feedback_title") in page and t("web.rating_5") in page
    assert 'name="name"' not in page and 'name="phone"' not in page  # nothing that identifies anyone
    response = client.post(f"/m/{meeting.uid}/feedback", data={"lang": "fa", "rating": "5", "useful": "ترجمه خوب بود",
                                                               "next_topic": "مسکن"})
    assert response.status_code == 302
    item = db.session.scalar(sa.select(Feedback))
    assert (item.rating, item.language, item.channel, item.entered_by_id) == (5, "fa", FeedbackChannel.web, None)
    assert item.topic is not None and item.topic.title == "مسکن"
    # Empty: the message in Persian, nothing saved.
    response = client.post(f"/m/{meeting.uid}/feedback", data={"lang": "fa"})
    assert response.status_code == 422 and t("web.feedback_empty") in response.get_data(as_text=True)
    # Honeypot: looks fine, keeps nothing.
    client.post(f"/m/{meeting.uid}/feedback", data={"lang": "so", "rating": "1", "website": "x"})
    assert db.session.scalar(sa.select(sa.func.count(Feedback.id))) == 1


def test_public_feedback_is_closed_before_the_meeting_and_long_after(client, app):
    before = _held(days_ago=-3)
    long_after = _held(days_ago=services.FEEDBACK_OPEN_DAYS + 2)
    for meeting in (before, long_after):
        assert text_set("nb")("web.feedback_closed") in client.get(f"/m/{meeting.uid}/feedback").get_data(as_text=True)
        assert client.post(f"/m/{meeting.uid}/feedback", data={"rating": "4"}).status_code == 409
    unpublished = _held(publish=False)
    assert client.get(f"/m/{unpublished.uid}/feedback").status_code == 404
    assert db.session.scalar(sa.select(sa.func.count(Feedback.id))) == 0


def test_new_meeting_form_starts_from_the_most_asked_for_topics(admin_client):
    meeting = _held()
    for text in ["Bolig", "Bolig", "Helse"]:
        services.add_feedback(meeting, services.FeedbackData(topic_text=text, language="nb"))
    db.session.commit()
    page = admin_client.get("/meetings/new").get_data(as_text=True)
    assert page.index("Bolig</a> (2 ganger)") < page.index("Helse</a> (1 gang)") < page.index('name="topic"')
