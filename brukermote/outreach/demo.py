"""Demo contacts: invented people (no real data) with recorded consent, in the languages of the district."""

from __future__ import annotations

import datetime as dt

from ..core.timeutil import utcnow
from ..extensions import db
from .models import Consent, ConsentMethod, ConsentPurpose, Contact

PEOPLE = [
    ("Amina Yusuf Ali", "so"), ("Hodan Abdi Warsame", "so"), ("Mohamed Hassan Farah", "so"),
    ("Fatima Al-Sayed", "ar"), ("Omar Khalil", "ar"), ("Layla Haddad", "ar"),
    ("Tharshini Sivakumar", "ta"), ("Kumaran Rajendran", "ta"),
    ("Selam Tesfaye", "ti"), ("Yonas Gebremedhin", "ti"),
    ("Maryam Rahimi", "fa"), ("Reza Karimi", "fa"),
    ("Ayesha Malik", "ur"), ("Imran Chaudhry", "ur"),
    ("Shirin Ahmed", "ckb"), ("Rojda Demir", "kmr"),
    ("Li Wei", "zh-Hans"), ("Wang Fang", "zh-Hans"),
    ("María González", "es"), ("Katarzyna Nowak", "pl"),
    ("Kari Hansen", "nb"), ("Ole Johansen", "nb"), ("Ingrid Berg", "nb"), ("Ahmed Mohamed", "so"),
]

STREETS = ["Veitvetveien", "Linderns vei", "Statsråd Mathiesens vei", "Rolf Hofmos gate", "Økernveien",
           "Årvollveien", "Trondheimsveien", "Sletteløkka"]


def load(by_date, upcoming) -> None:
    now = utcnow()
    for index, (name, language) in enumerate(PEOPLE):
        contact = Contact(
            name=name, street=f"{STREETS[index % len(STREETS)]} {10 + index * 3}", postcode="0596", city="Oslo",
            phone=f"+47400{index:05d}" if index % 3 else None, language=language,
            last_activity_at=now - dt.timedelta(days=30 * (index % 12)),
        )
        method = [ConsentMethod.slip, ConsentMethod.phone, ConsentMethod.web][index % 3]
        contact.consents.append(Consent(purpose=ConsentPurpose.news_post, method=method, given_at=now - dt.timedelta(days=90)))
        if contact.phone:
            contact.consents.append(Consent(purpose=ConsentPurpose.news_sms, method=method, given_at=now - dt.timedelta(days=90)))
        if index % 5 == 0:
            contact.consents.append(Consent(purpose=ConsentPurpose.help_arrange, method=ConsentMethod.slip,
                                            given_at=now - dt.timedelta(days=60)))
        db.session.add(contact)
    db.session.flush()
    _load_posters(upcoming)
    _load_may_2008(by_date.get(dt.date(2008, 5, 21)))


#: The committee's places in the district (invented addresses); the first seven are the ones it kept.
PLACES = [
    ("NAV Bjerke, venterommet", "Økernveien 145", 1), ("Veitvet senter", "Veitvetveien 8", 1),
    ("Linderud senter", "Erich Mogensøns vei 38", 1), ("Årvoll senter", "Årvollveien 2", 1),
    ("Bjerke bibliotek", "Økernveien 145", 1), ("Veitvet moské", "Veitvetveien 20", 1),
    ("Helsestasjonen på Veitvet", "Veitvetveien 12", 1),
    ("Rema 1000 Veitvet", "Veitvetveien 10", 2), ("Kiwi Linderud", "Linderud", 2),
    ("Frivilligsentralen", "Trondheimsveien 235", 2), ("Bydelshuset", "Økernveien 145", 2),
    ("Årvoll skole", "Årvollveien 30", 3), ("Grorud kirke", "Grorudveien", 3),
]


def _load_posters(upcoming) -> None:
    from .models import PosterHanging, PosterLocation

    places = []
    for index, (name, address, priority) in enumerate(PLACES):
        place = PosterLocation(name=name, address=address, priority=priority, active=priority < 3 or index == 11)
        db.session.add(place)
        places.append(place)
    db.session.flush()
    day = upcoming.local_date - dt.timedelta(days=21)
    for place in places[:4]:
        db.session.add(PosterHanging(meeting_id=upcoming.id, location_id=place.id, count=2,
                                     languages=list(upcoming.target_languages), hung_on=day, hung_by="Kari"))


def _load_may_2008(meeting) -> None:
    """The report's May 2008 numbers: 313 letters; 10 reply slips, 7 calls, 4 at the stand, 0 SMS; 6 came."""
    from ..outreach.models import Channel, Mailing, Registration

    if meeting is None:
        return
    db.session.add(Mailing(meeting_id=meeting.id, channel=Channel.letter, count=313, languages=["nb"],
                           sent_on=meeting.local_date - dt.timedelta(days=21), done_by="Arbeidsutvalget"))
    came = {Channel.reply_slip: 3, Channel.phone: 2, Channel.stand: 1}
    for channel, count in ((Channel.reply_slip, 10), (Channel.phone, 7), (Channel.stand, 4)):
        for index in range(count):
            db.session.add(Registration(meeting_id=meeting.id, channel=channel, adults=1,
                                        came=index < came[channel]))
