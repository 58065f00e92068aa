"""Fixtures for printing tests: a published meeting with everything a final print needs."""

from __future__ import annotations

import datetime as dt
import subprocess
import tempfile
from pathlib import Path

from babel.dates import format_date

from brukermote.auth.capabilities import SystemActor
from brukermote.core import languages
from brukermote.core.models import Organisation
from brukermote.core.timeutil import utcnow
from brukermote.extensions import db
from brukermote.meetings import services as meeting_services
from brukermote.meetings.models import MeetingStatus, MeetingType, ProgrammeKind, Speaker, Venue
from brukermote.outreach.models import Consent, ConsentMethod, ConsentPurpose, Contact
from brukermote.printing import texts
from brukermote.printing.models import MeetingText, PhraseReview

#: Letters, envelopes and labels need an actor allowed to print them (issue 16); tests act as the system.
ACTOR = SystemActor("test")

ALL_LANGUAGES = [lang.code for lang in languages.all_languages()]
#: A fixed Wednesday far enough ahead that preflight's "not in the past" holds for decades.
FIXED_DAY = dt.date(2031, 3, 12)

TOPICS = {
    "nb": "Arbeid og aktivitet", "en": "Work and activity", "so": "Shaqo iyo hawlo", "ar": "العمل والنشاط",
    "ta": "வேலை மற்றும் செயல்பாடு", "ti": "ስራሕን ንጥፈትን", "fa": "کار و فعالیت", "ur": "کام اور سرگرمی",
    "ckb": "کار و چالاکی", "kmr": "Kar û çalakî", "zh-Hans": "工作与活动", "es": "Trabajo y actividad",
    "pl": "Praca i aktywność",
}


def setup_organisation():
    org = Organisation.current()
    org.name = "NAV Bjerke"
    org.sender_line = "Arbeidsutvalget for brukermøter, NAV Bjerke"
    org.interpreter_phone = "+4723000000"
    org.return_address = "NAV Bjerke\nPostboks 1 Økern\n0508 Oslo"
    return org


def make_meeting(day=FIXED_DAY, approve=True, venue=True):
    setup_organisation()
    place = None
    if venue:
        place = Venue(name="Årvoll Gård", address="Årvollveien 36, 0590 Oslo",
                      transport="Buss 31 til Årvoll senter", capacity=80)
        db.session.add(place)
        db.session.flush()
    meeting = meeting_services.create_meeting(meeting_services.MeetingData(
        type=MeetingType.user_meeting, topic=TOPICS["nb"], day=day, start=dt.time(13, 30), end=dt.time(15, 30),
        venue_id=place.id if place else None, catering="frukt og kjeks", catering_halal=True, childcare=True,
        target_languages=ALL_LANGUAGES, interpreter_languages=["so", "ar"]))
    meeting.status = MeetingStatus.published
    meeting.published_at = utcnow()
    speaker = Speaker(name="Kari Nordmann", organisation="NAV Bjerke")
    db.session.add(speaker)
    db.session.flush()
    meeting_services.add_programme_item(meeting, ProgrammeKind.welcome, "Velkommen", 10)
    meeting_services.add_programme_item(meeting, ProgrammeKind.talk, "Kurs og arbeidstrening", 20, speaker.id)
    meeting_services.add_programme_item(meeting, ProgrammeKind.break_, "", 30)
    if approve:
        approve_everything(meeting)
    db.session.commit()
    return meeting


def approve_everything(meeting, codes=None):
    for code in codes or ALL_LANGUAGES:
        for key, phrase in texts.phrases_for(code).items():
            if not phrase.approved:
                db.session.add(PhraseReview(language=code, key=key, text=phrase.text, source=phrase.source,
                                            reviewer_name="Test reviewer", reviewed_at=utcnow()))
        if code != "nb":
            db.session.add(MeetingText(meeting_id=meeting.id, language=code, field="topic", text=TOPICS[code],
                                       source=meeting.topic, reviewer_name="Test reviewer", reviewed_at=utcnow()))
    db.session.flush()


def make_contacts(n, languages_cycle=None, address=True):
    codes = languages_cycle or ALL_LANGUAGES
    contacts = []
    for index in range(n):
        contact = Contact(name=f"Deltaker {index:03d}", street=f"Veitvetveien {index + 1}" if address else "",
                          postcode="0596" if address else "", city="Oslo" if address else "",
                          language=codes[index % len(codes)])
        contact.consents.append(Consent(purpose=ConsentPurpose.news_post, method=ConsentMethod.slip))
        db.session.add(contact)
        contacts.append(contact)
    db.session.commit()
    return contacts


def pdftotext(pdf: bytes) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode("utf-8")


_EXTRACTED: dict[int, str] = {}


def printed(pdf: bytes, wanted: str) -> bool:
    """Whether pdftotext finds ``wanted`` in the PDF (compared normalised).

    pdftotext decides right-to-left reordering once per page from the majority script: on a mostly
    Norwegian page an Arabic line comes out with its words in visual (left-to-right) order, each
    word's letters still in logical order. Both orders of the same words count; anything else —
    a wrong weekday, a missing word, letters out of order — does not.
    """
    key = hash(pdf)
    if key not in _EXTRACTED:
        if len(_EXTRACTED) > 8:
            _EXTRACTED.clear()
        _EXTRACTED[key] = normalise(pdftotext(pdf))
    text = _EXTRACTED[key]
    words = wanted.split()
    return normalise(wanted) in text or normalise(" ".join(reversed(words))) in text


def normalise(text: str) -> str:
    """Extracted text made comparable: NFC, no bidi controls, no punctuation and no spaces.

    A PDF holds positioned glyphs, not words: extractors guess spaces from gaps, and poppler's bidi
    pass may move a neutral comma across a number in right-to-left text. Neither says anything
    about what is printed, so both are ignored; the letters and digits and their order are kept.
    """
    import unicodedata

    from brukermote.printing.text import normalise_extracted

    text = normalise_extracted(text)
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(("P", "Z")) and not ch.isspace())


def expected_date(day: dt.date, code: str) -> str:
    return format_date(day, "full", locale=languages.get(code).babel_locale)


def render_png(pdf: bytes, dpi: int = 50, page: int = 1) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "doc.pdf"
        path.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-png",
                        str(path), str(Path(tmp) / "page")], check=True, capture_output=True)
        return (Path(tmp) / "page.png").read_bytes()

