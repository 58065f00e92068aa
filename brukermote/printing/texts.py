"""The words on printed documents, per language, and whether a fluent reviewer approved them.

Fixed phrases ship in ``printables/texts/<lang>.po`` (msgctxt = stable key, msgid = English source);
entries the project could not have checked are *fuzzy* = unreviewed. Approvals made in the review
screen live in the database (``PhraseReview``) and overlay the shipped catalogs. Per-meeting texts
(topic, description) are ``MeetingText`` rows. Dates, weekdays and times are never text: they come
from Babel/CLDR for the meeting's date, so a weekday cannot disagree with its date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from babel.dates import format_date, format_time
from babel.messages.pofile import read_po

from ..config import PROJECT_ROOT
from ..core import languages
from ..extensions import db
from .models import MeetingText, PhraseReview

TEXTS_DIR = PROJECT_ROOT / "printables" / "texts"
SOURCE_LANGUAGE = "nb"  # the committee writes topics in Norwegian


@dataclass(frozen=True)
class ShippedPhrase:
    key: str
    source: str
    text: str
    fuzzy: bool


@lru_cache(maxsize=64)
def _read_catalog(path: Path, mtime: float) -> dict[str, ShippedPhrase]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    phrases = {}
    for message in catalog:
        if not message.id or not message.context:
            continue
        phrases[message.context] = ShippedPhrase(message.context, message.id, message.string or "", message.fuzzy)
    return phrases


def shipped_catalog(language: str) -> dict[str, ShippedPhrase]:
    path = TEXTS_DIR / f"{language}.po"
    if not path.exists():
        return {}
    return _read_catalog(path, path.stat().st_mtime)


def phrase_keys() -> dict[str, str]:
    """Every key with its English source text, from the template."""
    path = TEXTS_DIR / "phrases.pot"
    return {key: p.source for key, p in _read_catalog(path, path.stat().st_mtime).items()}


@dataclass
class Phrase:
    key: str
    source: str
    text: str
    approved: bool
    #: Who approved it here and when (empty for a text shipped as reviewed with the application).
    reviewed_by: str = ""
    reviewed_at: dt.datetime | None = None


def phrases_for(language: str) -> dict[str, Phrase]:
    """All phrases in a language: shipped text, overlaid by reviewers' approvals (one query)."""
    shipped = shipped_catalog(language)
    reviews = {
        r.key: r for r in db.session.scalars(sa.select(PhraseReview).where(PhraseReview.language == language))
    }
    result = {}
    for key, source in phrase_keys().items():
        review = reviews.get(key)
        ship = shipped.get(key)
        if review is not None and review.source == source:
            result[key] = Phrase(key, source, review.text, True, review.reviewer_name, review.reviewed_at)
        elif ship is not None and ship.text and ship.source == source:
            result[key] = Phrase(key, source, ship.text, not ship.fuzzy)
        else:
            # Not translated at all: print the English source, clearly unapproved.
            result[key] = Phrase(key, source, ship.text if ship and ship.text else source, False)
    return result


class MissingPlaceholder(KeyError):
    pass


@dataclass
class TextSet:
    """What one document uses in one language; records what was not approved, for the draft note."""

    language: str
    phrases: dict[str, Phrase]
    unreviewed: list[str] = field(default_factory=list)

    def __call__(self, key: str, **values) -> str:
        phrase = self.phrases[key]
        if not phrase.approved and key not in self.unreviewed:
            self.unreviewed.append(key)
        try:
            return phrase.text.format(**values) if values or "{" in phrase.text else phrase.text
        except (KeyError, IndexError, ValueError):
            # A translator broke a placeholder: fall back to the English source, and flag it.
            if key not in self.unreviewed:
                self.unreviewed.append(key)
            return phrase.source.format(**values)

    def mark_unreviewed(self, label: str) -> None:
        if label not in self.unreviewed:
            self.unreviewed.append(label)


def text_set(language: str) -> TextSet:
    return TextSet(language, phrases_for(language))


# -- per-meeting texts --------------------------------------------------------------------------

def meeting_source(meeting, field_name: str) -> str:
    return (getattr(meeting, field_name) or "").strip()


def meeting_text(meeting, language: str, field_name: str) -> tuple[str, bool]:
    """The meeting's topic/description in a language, and whether it is approved.

    Norwegian is the committee's own text. A missing or stale translation falls back to the
    Norwegian text and is reported as not approved, so the document prints as a draft.
    """
    source = meeting_source(meeting, field_name)
    if language == SOURCE_LANGUAGE or not source:
        return source, True
    row = db.session.scalar(
        sa.select(MeetingText).where(
            MeetingText.meeting_id == meeting.id, MeetingText.language == language, MeetingText.field == field_name
        )
    )
    if row is None or not row.text.strip():
        return source, False
    return row.text, row.is_approved_for(source)


# -- dates and times from CLDR --------------------------------------------------------------------

def babel_locale(language: str) -> str:
    return languages.get(language).babel_locale


def long_date(day: dt.date, language: str) -> str:
    """Weekday, day, month and year in the language's own order, e.g. «onsdag 15. mai 2030»."""
    return format_date(day, "full", locale=babel_locale(language))


def weekday(day: dt.date, language: str) -> str:
    return format_date(day, "EEEE", locale=babel_locale(language))


def clock(moment: dt.time, language: str) -> str:
    # 24-hour clock everywhere: it is what Norwegian timetables, letters and phones show.
    return format_time(moment, "HH:mm", locale=babel_locale(language))
