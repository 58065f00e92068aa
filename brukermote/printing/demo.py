"""Demo printing data: placeholder marks, the glossary seed, and the coming meeting's topic translated."""

from __future__ import annotations

from ..core.timeutil import utcnow
from ..extensions import db
from . import glossary, marks
from .models import MeetingText

#: The coming meeting's topic ("Arbeid og aktivitet") as a translator delivered it; English is
#: approved, the others wait for a fluent reviewer — as they would in real life.
TOPIC = {
    "en": ("Work and activity", True),
    "so": ("Shaqo iyo hawlo", False),
    "ar": ("العمل والنشاط", False),
    "ta": ("வேலை மற்றும் செயல்பாடு", False),
    "ti": ("ስራሕን ንጥፈትን", False),
    "fa": ("کار و فعالیت", False),
    "ur": ("کام اور سرگرمی", False),
    "zh-Hans": ("工作与活动", False),
}


def load(by_date, upcoming) -> None:
    from ..auth.services import find_by_email
    from ..demo import DEMO_MEMBER

    marks.ensure_marks()
    glossary.ensure_glossary()
    reviewer = find_by_email(DEMO_MEMBER[0])  # reviews English (and Somali) in the demo
    for language, (text, approved) in TOPIC.items():
        db.session.add(MeetingText(
            meeting_id=upcoming.id, language=language, field="topic", text=text, source=upcoming.topic,
            translator="Demo-oversetter", reviewer_name=reviewer.name if approved and reviewer else "",
            reviewed_by_id=reviewer.id if approved and reviewer else None,
            reviewed_at=utcnow() if approved else None,
        ))
    db.session.flush()
