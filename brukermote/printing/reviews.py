"""Approving the words on printed material: fixed phrases per language and a meeting's translated
topic and description. Only a reviewer of the language approves (``auth.capabilities``); the
approval records the account and its name at the time, and the audit log says who approved what.
"""

from __future__ import annotations

import string

import sqlalchemy as sa
from flask_babel import gettext as _

from ..auth.capabilities import actor_label, require_reviewer
from ..core.timeutil import utcnow
from ..core.validation import strip_bidi_controls, text_problem
from ..extensions import db
from . import texts
from .models import MeetingText, PhraseReview
from .phrase_labels import label


class ReviewError(ValueError):
    """The text cannot be approved as written; the message is for the reviewer."""


def placeholders(text: str) -> list[str]:
    return [name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name]


def approve_phrase(language: str, key: str, text: str, actor) -> PhraseReview:
    """Approve ``text`` as the phrase ``key`` in ``language`` (the reviewer may have corrected it)."""
    require_reviewer(actor, language)
    source = texts.phrase_keys()[key]
    try:
        same = set(placeholders(text)) == set(placeholders(source))
    except ValueError:  # an unclosed brace
        same = False
    if not same:
        raise ReviewError(", ".join(sorted(set(placeholders(source)))) or "–")
    review = db.session.scalar(sa.select(PhraseReview).where(PhraseReview.language == language,
                                                             PhraseReview.key == key))
    if review is None:
        review = PhraseReview(language=language, key=key)
        db.session.add(review)
    review.text, review.source = text.strip(), source
    _stamp(review, actor)
    _audit("printing.approve", actor, f"{language} {key}")
    db.session.flush()
    return review


def approve_phrases(language: str, posted: dict[str, str], ticked: list[str], actor) -> list[PhraseReview]:
    """Approve the ``ticked`` phrases at once, each as the reviewer left its text in ``posted`` (key →
    text): all or none. Every posted text is checked, ticked or not, so a form with a bad text saves
    nothing. Each approval is recorded and audited as a single one is; ``ReviewError`` names every
    text that cannot be approved, by its label."""
    require_reviewer(actor, language)
    sources = texts.phrase_keys()
    problems, cleaned = [], {}
    for key, text in posted.items():
        name = label(key, sources[key])
        # A bidi control is refused (named), as by every committee form; the text is checked as posted.
        problem = text_problem(name, (text or "").strip(), 2000, multiline=True)
        text = strip_bidi_controls(text or "").strip()
        if problem is None and key in ticked:
            if not text:
                problem = _("%(field)s is empty.", field=name)
            else:
                try:
                    same = set(placeholders(text)) == set(placeholders(sources[key]))
                except ValueError:  # an unclosed brace
                    same = False
                if not same:
                    problem = _("%(field)s must keep the placeholders %(p)s exactly.", field=name,
                                p=", ".join(sorted(set(placeholders(sources[key])))) or "–")
        if problem:
            problems.append(problem)
        cleaned[key] = text
    missing = [key for key in ticked if key not in posted]
    problems += [_("%(field)s is empty.", field=label(key, sources[key])) for key in missing]
    if problems:
        raise ReviewError(" ".join(problems))
    return [approve_phrase(language, key, cleaned[key], actor) for key in ticked]


def revoke_phrase(language: str, key: str, actor) -> bool:
    """Withdraw an approval made here (documents print as drafts again). Reviewers of the language only:
    withdrawing is as much a judgement of the translation as approving it."""
    require_reviewer(actor, language)
    review = db.session.scalar(sa.select(PhraseReview).where(PhraseReview.language == language,
                                                             PhraseReview.key == key))
    if review is None:
        return False
    db.session.delete(review)
    _audit("printing.revoke", actor, f"{language} {key}")
    db.session.flush()
    return True


def save_meeting_texts(meeting, language: str, values: dict[str, str], translator: str, approve: bool,
                       actor) -> list[MeetingText]:
    """Save the translated topic and description; ``approve`` only for a reviewer of the language.

    Anyone may enter or correct a translation: a changed text loses its approval, so what prints is
    still only what a reviewer read."""
    if approve:
        require_reviewer(actor, language)
    rows = {t.field: t for t in db.session.scalars(sa.select(MeetingText).where(
        MeetingText.meeting_id == meeting.id, MeetingText.language == language))}
    saved = []
    for field_name in ("topic", "description"):
        value = (values.get(field_name) or "").strip()
        row = rows.get(field_name)
        if row is None:
            if not value:
                continue
            row = MeetingText(meeting_id=meeting.id, language=language, field=field_name)
            db.session.add(row)
        changed = row.text != value or row.source != texts.meeting_source(meeting, field_name)
        row.text, row.translator = value, translator or ""
        row.source = texts.meeting_source(meeting, field_name)
        if approve:
            _stamp(row, actor)
        elif changed:
            row.reviewed_at, row.reviewed_by_id, row.reviewer_name = None, None, ""
        saved.append(row)
    if approve:
        _audit("printing.approve", actor, f"{language} meeting:{meeting.id} topic/description")
    db.session.flush()
    return saved


def _stamp(row, actor) -> None:
    row.reviewer_name, row.reviewed_by_id, row.reviewed_at = actor_label(actor), getattr(actor, "id", None), utcnow()


def _audit(action: str, actor, detail: str) -> None:
    from ..outreach.services import audit

    audit(action, None, actor, detail=detail)
