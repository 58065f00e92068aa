"""The glossary: words translators get wrong, with approved renderings per language."""

from __future__ import annotations

import re

import sqlalchemy as sa

from ..extensions import db
from .models import GlossaryRendering, GlossaryTerm

#: The seed entry the report taught us (DOMAIN.md: "welcome to the consumers' meeting").
SEED = {
    "term": "bruker, brukere, brukermøte, brukermøter",
    "source_terms": "user, users, user meeting, services from NAV",
    "note": ("«Bruker» betyr en som får tjenester fra NAV. Arabisk har ikke noe ord for «bruker» i denne "
             "betydningen; et oversettelsesbyrå skrev en gang «forbrukernes møte» (اجتماع المستهلكين). Skriv i "
             "stedet om et møte for alle som får tjenester fra NAV."),
    "renderings": {
        "ar": ("اجتماع مفتوح لكل من يتلقى خدمات من NAV", "Aldri مستهلك (forbruker) eller مستخدم (bruker av et apparat)."),
        "en": ("an open meeting for everyone who receives services from NAV", "Unngå «user meeting»."),
        "nb": ("brukermøte – et åpent møte for alle som får tjenester fra NAV", ""),
    },
}


def ensure_glossary() -> None:
    if db.session.scalar(sa.select(sa.func.count(GlossaryTerm.id))):
        return
    term = GlossaryTerm(term=SEED["term"], source_terms=SEED["source_terms"], note=SEED["note"])
    for language, (rendering, note) in SEED["renderings"].items():
        term.renderings.append(GlossaryRendering(language=language, rendering=rendering, note=note, approved=True))
    db.session.add(term)
    db.session.flush()


def terms() -> list[GlossaryTerm]:
    ensure_glossary()
    return list(db.session.scalars(sa.select(GlossaryTerm).order_by(GlossaryTerm.term)))


def flag_terms(source: str, all_terms: list[GlossaryTerm]) -> list[GlossaryTerm]:
    """The glossary terms that occur in a source text (whole words, any case)."""
    found = []
    for term in all_terms:
        for form in term.forms():
            if re.search(rf"(?<!\w){re.escape(form)}(?!\w)", source, flags=re.IGNORECASE):
                found.append(term)
                break
    return found


def save_rendering(term: GlossaryTerm, language: str, rendering: str, note: str, approved: bool,
                   actor) -> GlossaryRendering:
    """Add or change a term's rendering in a language. Anyone may suggest one; only a reviewer of
    the language marks it approved, and a rendering changed by someone else is unapproved again."""
    from ..auth.capabilities import require_reviewer

    if approved:
        require_reviewer(actor, language)
    existing = term.rendering(language)
    if existing is None:
        existing = GlossaryRendering(language=language)
        term.renderings.append(existing)
    existing.rendering, existing.note, existing.approved = rendering, note, approved
    db.session.flush()
    return existing
