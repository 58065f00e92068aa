"""The page the poster's QR code opens: no sign-in, in the meeting's languages, RTL where needed."""

import pytest

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


def _with_description(meeting, arabic: str | None = None):
    from brukermote.core.timeutil import utcnow
    from brukermote.printing.models import MeetingText

    meeting.description = "Vi snakker om kurs og arbeidstrening.\nTa gjerne med barna."
    if arabic:
        db.session.add(MeetingText(meeting_id=meeting.id, language="ar", field="description", text=arabic,
                                   source=meeting.description, reviewer_name="Test reviewer", reviewed_at=utcnow()))
    db.session.commit()


def test_the_page_shows_description_programme_calendar_link_and_directions_in_the_visitors_language(client, app):
    meeting = make_meeting()
    _with_description(meeting, arabic="نتحدث عن الدورات والتدريب على العمل.")
    page = client.get(f"/m/{meeting.uid}?lang=ar").get_data(as_text=True)
    assert "عن الاجتماع" in page  # "About the meeting"
    assert '<p class="description" lang="ar" dir="rtl">نتحدث عن الدورات والتدريب على العمل.</p>' in page
    assert "لم يُترجم بعد" not in page  # translated: no note
    # The programme: running times, the kind of item in Arabic, the committee's titles marked Norwegian.
    assert "13:30–13:40" in page and "13:40–14:00" in page
    assert '<span lang="nb" dir="ltr">Kurs og arbeidstrening – ' in page
    assert "بنود البرنامج مكتوبة بالنرويجية." in page
    assert f'href="/m/{meeting.uid}.ics"' in page and "أضف إلى تقويمي" in page
    assert meeting.venue.address in page and meeting.venue.transport in page
    assert client.get(f"/m/{meeting.uid}.ics").status_code == 200


def test_an_untranslated_description_falls_back_visibly_to_norwegian(client, app):
    meeting = make_meeting()
    _with_description(meeting)
    page = client.get(f"/m/{meeting.uid}?lang=so").get_data(as_text=True)
    assert '<p class="description" lang="nb" dir="ltr">Vi snakker om kurs og arbeidstrening.\nTa gjerne med barna.</p>' in page
    assert "Weli lama turjumin" in page  # "Not translated yet, so it is shown in Norwegian."
    norwegian = client.get(f"/m/{meeting.uid}?lang=nb").get_data(as_text=True)
    assert "Ikke oversatt ennå" not in norwegian and "Punktene i programmet er skrevet på norsk" not in norwegian
    assert "Legg til i kalenderen min" in norwegian and "Om møtet" in norwegian


def test_the_posters_language_wins_over_the_phones(client, app):
    """The QR code of an Arabic poster carries ?lang=ar: a phone set to Norwegian still opens Arabic,
    and no cookie is set to remember it."""
    meeting = make_meeting()
    page = client.get(f"/m/{meeting.uid}?lang=ar", headers={"Accept-Language": "nb-NO,nb;q=0.9"})
    assert '<html lang="ar" dir="rtl">' in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers
    plain = client.get(f"/m/{meeting.uid}", headers={"Accept-Language": "nb-NO,nb;q=0.9"})
    assert '<html lang="nb" dir="ltr">' in plain.get_data(as_text=True)


def test_a_cancelled_meeting_offers_no_calendar_entry(client, app):
    from brukermote.meetings.models import MeetingStatus

    meeting = make_meeting()
    meeting.status, meeting.cancel_reason = MeetingStatus.cancelled, "Sykdom"
    db.session.commit()
    page = client.get(f"/m/{meeting.uid}?lang=nb").get_data(as_text=True)
    assert "Legg til i kalenderen min" not in page and "Sykdom" in page


@pytest.mark.parametrize("path", ["/m/0123456789abcdef0123456789abcdef", "/robots.txt", "/apple-touch-icon.png"])
def test_a_page_not_found_sets_no_cookie_for_an_anonymous_visitor(client, app, path):
    """Browsers and crawlers ask for these by themselves: the 404 page must not start a session."""
    page = client.get(path)
    assert page.status_code == 404 and "Set-Cookie" not in page.headers
    assert "Fant ikke siden" in page.get_data(as_text=True)
