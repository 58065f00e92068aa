"""Public pages and the API answer a client that already has the current version with 304 and no
body (a phone on a slow network reopening the poster's page, a poller of the API); a change to the
meeting gives a new version."""
from brukermote.extensions import db
from tests.printing.helpers import make_meeting


def _revalidate(client, url: str, **headers):
    first = client.get(url, headers=headers)
    assert first.status_code == 200 and first.headers.get("ETag"), url
    again = client.get(url, headers={**headers, "If-None-Match": first.headers["ETag"]})
    return first, again


def test_the_meeting_page_answers_304_to_a_phone_that_has_it_and_200_after_a_change(client, app):
    meeting = make_meeting()
    url = f"/m/{meeting.uid}?lang=ar"
    first, again = _revalidate(client, url)
    assert again.status_code == 304 and again.data == b""
    assert "Set-Cookie" not in first.headers and "Set-Cookie" not in again.headers
    assert "Accept-Language" in first.headers.get("Vary", "")
    assert "no-cache" in first.headers["Cache-Control"]
    # Another language is another page, with its own version.
    norwegian = client.get(f"/m/{meeting.uid}?lang=nb")
    assert norwegian.headers["ETag"] != first.headers["ETag"]
    meeting.venue.address = "Årvollveien 38, 0590 Oslo"
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "Årvollveien 38" in changed.get_data(as_text=True)


def test_the_api_answers_304_to_a_client_that_has_the_list_and_200_after_a_change(client, app):
    meeting = make_meeting()
    first, again = _revalidate(client, "/api/v1/meetings")
    assert again.status_code == 304 and again.data == b""
    single_first, single_again = _revalidate(client, f"/api/v1/meetings/{meeting.uid}")
    assert single_again.status_code == 304
    meeting.topic = "Bolig og arbeid"
    db.session.commit()
    changed = client.get("/api/v1/meetings", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and "Bolig og arbeid" in changed.get_data(as_text=True)


def test_a_sign_up_post_is_never_answered_from_a_cache(client, app):
    meeting = make_meeting()
    page = client.get(f"/m/{meeting.uid}")
    response = client.post(f"/m/{meeting.uid}/signup", data={"adults": "1"},
                           headers={"If-None-Match": page.headers["ETag"]})
    assert response.status_code != 304
