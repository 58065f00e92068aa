"""Norwegian wording that says the opposite of what is meant.

«Du må ikke komme» means "you must not come"; the invitations mean "you do not have to come"
(«Du trenger ikke å komme»). People who thought attendance was mandatory, or now that it is
forbidden, stay away: no printed phrase or UI message may say it.
"""

from __future__ import annotations

import re

import pytest
from babel.messages.pofile import read_po

from brukermote.printing.texts import TEXTS_DIR
from tools import i18n

FORBIDDEN = ("må ikke komme", "(du må ikke)")


def _normalised(text: str) -> str:
    return re.sub(r"\s+", " ", text).casefold()


def _strings(message) -> list[str]:
    return list(message.string) if isinstance(message.string, tuple) else [message.string or ""]


def _norwegian_messages():
    """(where, text) for every Norwegian printed phrase and every Norwegian UI message."""
    with (TEXTS_DIR / "nb.po").open("rb") as handle:
        for message in read_po(handle):
            if message.id:
                for text in _strings(message):
                    yield f"printables/texts/nb.po {message.context}", text
    for domain in i18n.domains():
        catalog = i18n.read(domain, "nb")
        for message in catalog or ():
            if message.id:
                for text in _strings(message):
                    yield f"{domain} UI {message.id!r}", text


@pytest.mark.parametrize("phrase", FORBIDDEN)
def test_no_norwegian_text_says_must_not_for_need_not(phrase):
    wrong = [where for where, text in _norwegian_messages() if phrase in _normalised(text)]
    assert wrong == [], f"«{phrase}» means 'must not', not 'need not' (write «trenger ikke»): {wrong}"


def test_the_invitation_says_you_do_not_have_to_come():
    with (TEXTS_DIR / "nb.po").open("rb") as handle:
        catalog = read_po(handle)
    assert "Du trenger ikke å komme." in catalog.get(
        "You do not have to come. Coming or not coming does not affect your case.", context="doc.free_voluntary"
    ).string
