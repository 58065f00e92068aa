"""The page the poster's QR code opens: no sign-in, in the meeting's languages, RTL where needed."""

from brukermote.extensions import db
from tests.printing.helpers import make_meeting


def test_published_meeting_page_in_arabic_is_right_to_left(client, app):
    meeting = make_meeting()
    page = client.get(f"/m/{meeting.uid}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "الأربعاء، 12 مارس 2031" in page  # weekday and date from CLDR
    assert "العمل والنشاط" in page  # the approved Arabic topic
    # Interpreter languages in their own names, joined the Arabic way (CLDR list pattern).
    assert "Soomaali والعربية" in page
    assert '<span lang="ar" dir="rtl">العمل والنشاط</span>' in page


def test_an_untranslated_topic_is_marked_as_norwegian_inside_a_right_to_left_page(client, app):
    from brukermote.printing.models import MeetingText

    meeting = make_meeting()
    MeetingText.query.filter_by(meeting_id=meeting.id, language="fa").delete()
    db.session.commit()
    page = client.get(f"/m/{meeting.uid}?lang=fa").get_data(as_text=True)
    assert '<html lang="fa" dir="rtl">' in page
    assert f'<span lang="nb" dir="ltr">{meeting.topic}</span>' in page
    feedback = client.get(f"/m/{meeting.uid}/feedback?lang=fa").get_data(as_text=True)
    assert f'<span lang="nb" dir="ltr">{meeting.topic}</span>' in feedback


def test_norwegian_by_default_and_unpublished_meetings_are_not_public(client, app):
    meeting = make_meeting()
    page = client.get(f"/m/{meeting.uid}", headers={"Accept-Language": "nb-NO"}).get_data(as_text=True)
    assert '<html lang="nb" dir="ltr">' in page and "onsdag 12. mars 2031" in page
    meeting.published_at = None
    db.session.commit()
    assert client.get(f"/m/{meeting.uid}").status_code == 404


def test_the_favicon_is_served_without_setting_a_cookie(client, app):
    """Browsers fetch /favicon.ico by themselves; a 404 there used to set a session cookie."""
    meeting = make_meeting()
    page = client.get(f"/m/{meeting.uid}?lang=ar")
    assert page.status_code == 200 and "Set-Cookie" not in page.headers
    assert 'rel="icon"' in page.get_data(as_text=True)
    for path in ("/favicon.ico", "/static/favicon.svg"):
        icon = client.get(path)
        assert icon.status_code == 200, path
        assert "Set-Cookie" not in icon.headers, path
        assert icon.headers["Content-Type"].startswith("image/"), path
    assert client.get("/favicon.ico").data[:4] == b"\x00\x00\x01\x00"  # an ICO file's header
