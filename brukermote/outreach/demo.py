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
