"""The printed documents, one registry: poster, flyer, letters, envelopes, labels, slips, feedback
form, tally sheet, programme and interpreter briefing — each a function from a ``PrintContext`` to
PDF bytes, in the module of its kind (``doc_posters``, ``doc_letters``, ``doc_forms``, ``doc_sheets``).

Nothing here decides *whether* something may be printed finally; ``services.render`` runs preflight
first and passes ``draft=True`` when it must be a draft.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from ..core import languages
from .doc_forms import feedback_form, slips, tally
from .doc_letters import LabelLayout, envelopes, labels, letters
from .doc_posters import flyer, poster
from .doc_sheets import briefing, briefing_arrival_sources, briefing_language_sources, programme
from .document import Document, PrintContext, PrintError, fit

__all__ = ["PrintContext", "PrintError", "Document", "LabelLayout", "fit", "SINGLE_LANGUAGE", "PER_CONTACT",
           "briefing_arrival_sources", "briefing_language_sources", "iter_languages"]

SINGLE_LANGUAGE: dict[str, Callable] = {
    "poster": poster, "flyer": flyer, "slips": slips, "feedback-form": feedback_form, "tally": tally,
    "programme": programme, "briefing": briefing,
}
PER_CONTACT: dict[str, Callable] = {"letters": letters, "envelopes": envelopes, "labels": labels}


def iter_languages(codes: Iterable[str]) -> list[str]:
    return [c for c in codes if c in languages.LANGUAGES]
