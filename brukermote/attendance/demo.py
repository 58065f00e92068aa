"""Demo attendance, feedback and topics: the report's Table 1 (DOMAIN.md), cell for cell, and a few
invented feedback items with follow-ups so «you said, we did» and the backlog have something to show."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ..core.timeutil import utcnow
from ..extensions import db
from ..meetings import services as meetings
from ..meetings.models import BudgetCategory
from ..printing.models import MeetingText
from . import services
from .counts import parse_count
from .models import FeedbackChannel

D = dt.date
#: date -> (adults, children, everyone when not split, NAV staff, interpreted, note nb, note en, topic in English)
TABLE_1 = {
    D(2007, 1, 24): ("18", "15", None, "3", [], "", "", "the district's services?"),
    D(2008, 5, 21): ("6", "8", None, "5", ["so", "ar"], "", "",
                     "better communication and cooperation between users and …"),
    D(2008, 9, 24): (None, None, "15–20", "ca. 2", ["so", "ar"], "", "", "housing"),
    D(2008, 11, 19): (None, None, "3", "ca. 2", ["so", "ar"], "", "", "better well-being in the district?"),
    D(2009, 1, 28): (None, None, "ca. 20", "ca. 2", [], "en saksbehandler oversatte til engelsk",
                     "a caseworker translated to English", ""),
    D(2009, 2, 25): (None, None, "15–20", "ca. 2", ["so", "ar"], "", "", "activities in the district"),
    D(2009, 4, 22): (None, None, "25–30", "ca. 2", ["so", "ar"], "", "", "housing"),
    D(2009, 5, 27): (None, None, "15–20", "ca. 2", ["so", "ar"], "", "", "work"),
}

#: (meeting date, rating, useful, missing, next topic, language, channel, follow-up or None)
FEEDBACK = [
    (D(2008, 9, 24), 4, "Informasjon om bostøtte", "Mer tid til spørsmål", "Bostøtte og kommunal bolig", "so",
     FeedbackChannel.paper, ("NAV laget en brosjyre om bostøtte på somali og arabisk", D(2008, 11, 1))),
    (D(2008, 9, 24), 5, "Tolk på somali", "", "Arbeid og kurs", "so", FeedbackChannel.plenary, None),
    (D(2008, 11, 19), 2, "", "Flere deltakere; møtet var dårlig kjent", "", "nb", FeedbackChannel.direct,
     ("Arbeidsutvalget hengte plakater på de sju viktigste stedene og sendte SMS", D(2009, 2, 1))),
    (D(2009, 2, 25), 4, "Å treffe saksbehandlere uformelt", "Barnepass", "Arbeid og kurs", "ar",
     FeedbackChannel.paper, ("Barnepass ved alle møter fra april 2009", D(2009, 4, 1))),
    (D(2009, 4, 22), 5, "Svar om kommunal bolig", "", "Helse og fastlege", "ar", FeedbackChannel.paper, None),
    (D(2009, 5, 27), 4, "Kursoversikt fra NAV", "Mer om språkkurs", "Arbeid og kurs", "nb",
     FeedbackChannel.plenary, None),
]


def load(by_date, upcoming) -> None:
    for day, (adults, children, people, staff, interpreted, note, note_en, topic_en) in TABLE_1.items():
        meeting = by_date.get(day)
        if meeting is None:
            continue
        services.record_attendance(meeting, services.AttendanceData(
            adults=parse_count(adults), children=parse_count(children), people=parse_count(people),
            staff=[("NAV", parse_count(staff))], organisers=3, speakers=1 if meeting.topic else 0,
            interpreted_languages=interpreted, interpreter_note=note, interpreter_note_en=note_en))
        if topic_en:
            db.session.add(MeetingText(meeting_id=meeting.id, language="en", field="topic", text=topic_en,
                                       source=meeting.topic, translator="Arbeidsutvalget",
                                       reviewer_name="Arbeidsutvalget", reviewed_at=utcnow()))
        costs = {BudgetCategory.venue: (Decimal("500"), Decimal("500")),
                 BudgetCategory.food: (Decimal("600"), Decimal("650"))}
        if interpreted:
            costs[BudgetCategory.interpreters] = (Decimal("2400"), Decimal("1200") * len(interpreted))
        meetings.set_budget(meeting, costs)
    for day, rating, useful, missing, topic, language, channel, follow in FEEDBACK:
        meeting = by_date.get(day)
        if meeting is None:
            continue
        item = services.add_feedback(meeting, services.FeedbackData(
            rating=rating, useful=useful, missing=missing, topic_text=topic, language=language, channel=channel))
        if follow:
            services.set_follow_up(item, follow[0], follow[1], "Arbeidsutvalget")
    services.suggest_topic("Arbeid og kurs", extra=2)
    db.session.flush()

