"""Correcting feedback entries and the head count (issue 17): edit, delete, undo; the average follows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from brukermote.attendance import services
from brukermote.attendance.counts import HeadCount
from brukermote.attendance.models import Attendance, Feedback, FeedbackChannel, FollowUp, StaffCount
from brukermote.core.timeutil import local_today, utcnow
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import Meeting, MeetingStatus, MeetingType


def _held() -> Meeting:
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic="Bolig", day=local_today() - dt.timedelta(days=3), start=dt.time(13, 30),
        end=dt.time(15, 30), target_languages=["nb", "so"]))
    meeting.status, meeting.published_at = MeetingStatus.published, utcnow() - dt.timedelta(days=20)
    db.session.commit()
    return meeting


def _undo_id(html: str) -> int:
    return int(re.search(r'action="/undo/(\d+)"', html).group(1))


def _average(page: str) -> str:
    # A decimal point or comma: the number's writing is the UI language's business, not this test's.
    return re.search(r"Gjennomsnittlig fjes: ([\d.,]+) / 5", page).group(1).replace(",", ".")


def _paper(meeting, rating, **values) -> Feedback:
    item = services.add_feedback(meeting, services.FeedbackData(rating=rating, language="nb", **values))
    db.session.commit()
    return item


def test_correct_a_mistyped_face_and_the_average_follows(admin_client):
    meeting = _held()
    wrong = _paper(meeting, 1, missing="Mer tid")
    _paper(meeting, 4)
    assert _average(admin_client.get(f"/meetings/{meeting.id}/feedback").get_data(as_text=True)) == "2.5"
    page = admin_client.get(f"/feedback/{wrong.id}/edit").get_data(as_text=True)
    assert 'checked id="rating-5" name="rating" type="radio" value="1"' in page and "Mer tid" in page
    response = admin_client.post(f"/feedback/{wrong.id}/edit", data={
        "rating": "5", "useful": "", "missing": "Mer tid", "topic_text": "Arbeid", "language": "so",
        "channel": "paper"})
    assert response.status_code == 302
    db.session.expire_all()
    item = db.session.get(Feedback, wrong.id)
    assert (item.rating, item.language, item.topic.title) == (5, "so", "Arbeid")
    assert _average(admin_client.get(f"/meetings/{meeting.id}/feedback").get_data(as_text=True)) == "4.5"
    assert re.search(r"gjennomsnittlig fjes 4[.,]5 / 5", admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True))


@pytest.mark.parametrize("data, message", [
    ({"rating": "", "useful": "", "missing": ""}, "Tom tilbakemelding"),
    ({"rating": "7"}, "Ikke et gyldig valg"),
    ({"rating": "3", "language": "xx"}, "Ikke et gyldig valg"),
    ({"rating": "3", "channel": "web"}, "Ikke et gyldig valg"),
    ({"rating": "3", "useful": "x" * 5001}, "5000"),
])
def test_bad_feedback_corrections_are_shown_again_and_nothing_saved(admin_client, data, message):
    meeting = _held()
    item = _paper(meeting, 2, useful="Bra")
    form = {"rating": "2", "useful": "Bra", "missing": "", "topic_text": "", "language": "nb", "channel": "paper"}
    form.update(data)
    response = admin_client.post(f"/feedback/{item.id}/edit", data=form)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    item = db.session.get(Feedback, item.id)
    assert (item.rating, item.useful, item.language, item.channel) == (2, "Bra", "nb", FeedbackChannel.paper)


def test_the_participants_own_words_are_not_reworded(admin_client):
    meeting = _held()
    item = services.add_feedback(meeting, services.FeedbackData(rating=3, useful="Fint", language="so",
                                                                channel=FeedbackChannel.web))
    db.session.commit()
    page = admin_client.get(f"/meetings/{meeting.id}/feedback").get_data(as_text=True)
    assert f"/feedback/{item.id}/edit" not in page and f"/feedback/{item.id}/delete" in page
    admin_client.post(f"/feedback/{item.id}/edit", data={"rating": "5", "useful": "Fint", "language": "so",
                                                        "channel": "paper"})
    db.session.expire_all()
    assert db.session.get(Feedback, item.id).rating == 3


def test_delete_feedback_and_undo_with_its_follow_up(admin_client):
    meeting = _held()
    wrong = _paper(meeting, 1, missing="Barnepass", topic_text="Barnehage")
    _paper(meeting, 5)
    services.set_follow_up(wrong, "Barnepass ved alle møter", local_today(), "AU")
    db.session.commit()
    page = admin_client.post(f"/feedback/{wrong.id}/delete", follow_redirects=True).get_data(as_text=True)
    assert "Tilbakemeldingen er slettet." in page and _average(page) == "5.0"
    db.session.expire_all()
    assert db.session.get(Feedback, wrong.id) is None
    assert db.session.scalar(sa.select(sa.func.count(FollowUp.id))) == 0
    page = admin_client.post(f"/undo/{_undo_id(page)}", follow_redirects=True).get_data(as_text=True)
    assert _average(page) == "3.0"
    db.session.expire_all()
    item = db.session.get(Feedback, wrong.id)
    assert (item.rating, item.missing, item.topic.title, item.follow_up.action) == (
        1, "Barnepass", "Barnehage", "Barnepass ved alle møter")


def test_delete_the_attendance_count_and_undo(admin_client):
    meeting = _held()
    services.record_attendance(meeting, services.AttendanceData(
        adults=HeadCount(15, 20), children=HeadCount(4, 4), staff=[("NAV", HeadCount(3, 3))], walk_ins=2))
    db.session.commit()
    page = admin_client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Rett opp oppmøtet" in page and f'action="/meetings/{meeting.id}/attendance/delete"' in page
    page = admin_client.post(f"/meetings/{meeting.id}/attendance/delete", follow_redirects=True).get_data(as_text=True)
    assert "Oppmøtetallet er slettet." in page and "Ikke registrert ennå." in page
    assert db.session.scalar(sa.select(sa.func.count(StaffCount.id))) == 0
    admin_client.post(f"/undo/{_undo_id(page)}")
    db.session.expire_all()
    attendance = db.session.scalar(sa.select(Attendance))
    assert (attendance.adults, attendance.children, attendance.walk_ins) == (HeadCount(15, 20), HeadCount(4, 4), 2)
    assert [(s.organisation, s.count) for s in attendance.staff] == [("NAV", HeadCount(3, 3))]


def test_an_undo_does_not_overwrite_a_count_recorded_meanwhile(admin_client):
    meeting = _held()
    services.record_attendance(meeting, services.AttendanceData(people=HeadCount(20, 20)))
    db.session.commit()
    page = admin_client.post(f"/meetings/{meeting.id}/attendance/delete", follow_redirects=True).get_data(as_text=True)
    services.record_attendance(meeting, services.AttendanceData(people=HeadCount(25, 25)))
    db.session.commit()
    page = admin_client.post(f"/undo/{_undo_id(page)}", follow_redirects=True).get_data(as_text=True)
    assert "registrert på nytt i mellomtiden" in page
    db.session.expire_all()
    assert db.session.scalar(sa.select(Attendance)).people == HeadCount(25, 25)


def test_the_average_is_written_the_norwegian_way_and_one_form_is_one(admin_client):
    meeting = _held()
    _paper(meeting, 4)
    page = admin_client.get(f"/meetings/{meeting.id}/feedback").get_data(as_text=True)
    assert "Gjennomsnittlig fjes: 4,0 / 5 fra 1 skjema med fjes." in page
    _paper(meeting, 5)
    page = admin_client.get(f"/meetings/{meeting.id}/feedback").get_data(as_text=True)
    assert "Gjennomsnittlig fjes: 4,5 / 5 fra 2 skjemaer med fjes." in page


def test_a_corrected_or_deleted_topic_leaves_no_empty_suggestion_in_the_backlog(admin_client):
    from brukermote.attendance.models import TopicSuggestion

    meeting = _held()
    typo = _paper(meeting, 4, topic_text="Bolgi")
    heard = _paper(meeting, 3, topic_text="Arbeid")
    other = _paper(meeting, 2, topic_text="Arbeid")
    db.session.scalar(sa.select(TopicSuggestion).where(TopicSuggestion.title == "Arbeid")).extra_count = 0
    db.session.commit()
    other_id = other.id
    admin_client.post(f"/feedback/{typo.id}/edit", data={
        "rating": "4", "useful": "", "missing": "", "topic_text": "Bolig", "language": "nb", "channel": "paper"})
    db.session.expire_all()
    titles = set(db.session.scalars(sa.select(TopicSuggestion.title)))
    assert "Bolgi" not in titles and {"Bolig", "Arbeid"} <= titles
    admin_client.post(f"/feedback/{heard.id}/delete", follow_redirects=True)
    db.session.expire_all()
    assert "Arbeid" in set(db.session.scalars(sa.select(TopicSuggestion.title)))  # still asked for by one
    page = admin_client.post(f"/feedback/{other.id}/delete", follow_redirects=True).get_data(as_text=True)
    db.session.expire_all()
    assert "Arbeid" not in set(db.session.scalars(sa.select(TopicSuggestion.title)))
    back = admin_client.post(f"/undo/{_undo_id(page)}", follow_redirects=True).get_data(as_text=True)
    assert "Angret" in back, re.findall(r"flash[^>]*>[^<]*", back)  # the undo counts the wish again
    db.session.expire_all()
    assert db.session.get(Feedback, other_id).topic.title == "Arbeid"
