"""What a password must be: long, and not one that attackers try first (ASVS V2.1).

No composition rules (they make passwords harder to remember, not to guess); instead a length of at
least 12 and a refusal of the passwords found in leaks: the 19,640 common passwords shipped beside
this module (source and licence in ``common-passwords.LICENSE``), a few Norwegian ones, and the
usual disguises of both (a common word with digits or signs around it, a word said twice, one
character repeated, a run such as ``1234567890``). Checked offline: nothing leaves the machine.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 200

#: Words a Norwegian office would pick that an English-language leak list misses.
NORWEGIAN = {
    "passord", "hemmelig", "sommer", "vinter", "høst", "vår", "norge", "oslo", "bergen", "fotball",
    "velkommen", "brukermote", "brukermøte", "qwertyuiopå", "asdfghjkløæ", "mandag", "fredag",
    "kjæreste", "elskerdeg", "jegelskerdeg", "hemmeligpassord", "nytt passord", "nyttpassord",
}

#: Characters around a word that do not make it harder to guess ("Passord123!", "!!sommer2024").
_DECORATION = re.compile(r"^[\d\W_]*(.*?)[\d\W_]*$", re.DOTALL)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(Path(__file__).with_name("common-passwords.txt.gz"), "rt", encoding="utf-8") as handle:
        return frozenset(line.strip() for line in handle if line.strip()) | NORWEGIAN


def _is_run(text: str) -> bool:
    """Each character one up (or down) from the one before, digits wrapping: 1234567890, 9876543210."""
    steps = {(ord(b) - ord(a)) for a, b in pairwise(text) if (a, b) not in (("9", "0"), ("0", "9"))}
    return len(text) > 2 and (steps <= {1} or steps <= {-1})


def _repeated_unit(text: str) -> str:
    """The shortest piece the text is a repetition of ("abcabcabc" → "abc")."""
    for size in range(1, len(text) // 2 + 1):
        if len(text) % size == 0 and text[:size] * (len(text) // size) == text:
            return text[:size]
    return text


def problem(password: str) -> str | None:
    """None if the password may be used; else which rule it breaks: "short", "long" or "common"."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return "short"
    if len(password) > MAX_PASSWORD_LENGTH:
        return "long"
    text = password.strip().lower()
    listed = common_passwords()
    candidates = {text, text.replace(" ", ""), _DECORATION.match(text).group(1)}
    candidates |= {_repeated_unit(c) for c in set(candidates)}
    for candidate in candidates:
        if not candidate:
            continue  # only digits and signs: the whole text was checked
        if candidate in listed or len(set(candidate)) < 4 or _is_run(candidate):
            return "common"
    return None


#: The rules in words, for the command line (the web forms say them in the member's language).
ENGLISH = {
    "short": f"The password must be at least {MIN_PASSWORD_LENGTH} characters.",
    "long": f"The password must be at most {MAX_PASSWORD_LENGTH} characters.",
    "common": "The password is too easy to guess: it is a common password, or a common word with digits "
              "or signs added, repeated, or a run like 1234567890. Choose a phrase of a few words.",
}
