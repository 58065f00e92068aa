"""The page the poster's QR code opens: no sign-in, in the meeting's languages, RTL where needed."""

from brukermote.extensions import db
from tests.printing.helpers import make_meeting


def test_published_meeting_page_in_arabic_is_right_to_left(client, app):
    meeting = make_meeting()
    page = client.get(f"/m/{meeting.uid}?lang=ar").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl">' in page
    assert "الأربعاء، 12 مارس 2031" in page  # weekday and date from CLDR
    assert "العمل والنشاط" in page  # the approved Arabic topic
    assert "Soomaali" in page and "العربية" in page  # interpreter languages in their own names


def test_norwegian_by_default_and_unpublished_meetings_are_not_public(client, app):
    meeting = make_meeting()
    page = client.get(f"/m/{meeting.uid}", headers={"Accept-Language": "nb-NO"}).get_data(as_text=True)
    assert '<html lang="nb" dir="ltr">' in page and "onsdag 12. mars 2031" in page
    meeting.published_at = None
    db.session.commit()
    assert client.get(f"/m/{meeting.uid}").status_code == 404
