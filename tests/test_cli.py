import sqlalchemy as sa

from brukermote.auth.models import User
from brukermote.extensions import db
from brukermote.meetings.models import Meeting, MeetingStatus


def test_user_create_makes_the_first_admin(runner):
    result = runner.invoke(args=["user", "create", "--email", "Leder@Example.org", "--name", "Leder",
                                 "--password", "a good long password", "--admin"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert user.email == "leder@example.org" and user.is_admin
    again = runner.invoke(args=["user", "create", "--email", "leder@example.org", "--name", "X",
                                "--password", "a good long password"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_demo_load_fills_the_history_and_one_coming_meeting(runner, client):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    meetings = db.session.scalars(sa.select(Meeting).order_by(Meeting.starts_at)).all()
    assert len(meetings) == 9
    history = meetings[:8]
    assert [m.local_date.strftime("%Y-%m") for m in history] == [
        "2007-01", "2008-05", "2008-09", "2008-11", "2009-01", "2009-02", "2009-04", "2009-05"]
    assert [m.venue.name for m in history] == [
        "Madamløkken barnehage", "Veitvet eldresenter", "Årvoll Gård", "Årvoll Gård", "NAV Bjerke",
        "Årvoll Gård", "Årvoll Gård", "Årvoll Gård"]
    assert all(m.status == MeetingStatus.held for m in history)
    assert history[2].target_languages == ["nb", "so", "ar"] and history[0].target_languages == ["nb"]
    assert meetings[-1].status == MeetingStatus.planned
    # Loading twice is refused; --if-empty is a quiet no-op.
    assert runner.invoke(args=["demo", "load"]).exit_code != 0
    assert runner.invoke(args=["demo", "load", "--if-empty"]).exit_code == 0
    # The demo admin can sign in and sees the coming meeting on the dashboard.
    client.post("/login", data={"email": "admin@example.org", "password": "brukermote-demo"})
    page = client.get("/").get_data(as_text=True)
    assert "Arbeid og aktivitet" in page
