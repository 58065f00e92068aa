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


def test_every_visitor_facing_phrase_is_written_in_every_language():
    """The public pages (sign-up, "already signed up", feedback, their messages) never fall back to
    English: each web.* phrase has a text in each of the 13 languages, for the current English source.
    Norwegian and English ship reviewed; the others may ship unreviewed (fuzzy) until a reviewer approves."""
    from brukermote.core import languages
    from brukermote.printing.texts import phrase_keys, shipped_catalog

    keys = {key: source for key, source in phrase_keys().items() if key.startswith("web.")}
    assert len(languages.all_languages()) == 13
    for language in languages.all_languages():
        shipped = shipped_catalog(language.code)
        missing = [key for key, source in keys.items()
                   if key not in shipped or not shipped[key].text or shipped[key].source != source]
        assert not missing, (language.code, missing)
        if language.code in ("nb", "en"):
            assert not [key for key in keys if shipped[key].fuzzy], language.code
