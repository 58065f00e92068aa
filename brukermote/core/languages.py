"""The language registry: which languages Brukermøte prints and texts in, read from ``languages.toml``.

Each language has its names (native, Norwegian, English), ISO 15924 script, paragraph direction,
the Babel/CLDR locale for dates and weekdays, the font chain used when printing, and the SMS words
that mean "yes" and "stop". Adding a language is adding one table to ``languages.toml``.
No Flask in here: printing, SMS parsing and the web UI all import it.
"""

from __future__ import annotations

import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale

REGISTRY_FILE = Path(__file__).with_name("languages.toml")


@dataclass(frozen=True)
class Language:
    code: str
    native_name: str
    name_nb: str
    name_en: str
    script: str  # ISO 15924, e.g. "Latn", "Arab", "Hans"
    direction: str  # "ltr" | "rtl"
    babel_locale: str  # e.g. "nb_NO", "zh_Hans"
    fonts: tuple[str, ...]  # font family names in printables/fonts, first = preferred
    yes_words: tuple[str, ...]  # normalised (NFC, upper-cased), language-specific + universal
    stop_words: tuple[str, ...]
    note: str = ""

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.babel_locale)

    def is_yes(self, reply: str) -> bool:
        """The reply is a yes word, alone or with one word more ("Ja takk", "Yes please").

        Anything longer ("Ok, jeg kommer ikke") is a message for the committee to read, not a sign-up."""
        words = normalise_word(reply).split()
        return any(
            _starts_with(words, keyword) and len(words) <= len(keyword.split()) + 1 for keyword in self.yes_words
        )

    def is_stop(self, reply: str) -> bool:
        """The reply begins with a stop word, or is short and has one anywhere ("Ok stopp", "Please stop").

        Callers check stop before yes: when in doubt, stop texting."""
        words = normalise_word(reply).split()
        if any(_starts_with(words, keyword) for keyword in self.stop_words):
            return True
        return len(words) <= SHORT_REPLY_WORDS and any(
            _contains(words, keyword.split()) for keyword in self.stop_words
        )


#: A reply this short that has a stop word anywhere in it counts as stop.
SHORT_REPLY_WORDS = 4


def _starts_with(words: list[str], keyword: str) -> bool:
    return bool(words) and words[: len(keyword.split())] == keyword.split()


def _contains(words: list[str], phrase: list[str]) -> bool:
    return any(words[start : start + len(phrase)] == phrase for start in range(len(words) - len(phrase) + 1))


def normalise_word(word: str) -> str:
    """Compatibility-normalised (NFKC: full-width letters become plain), upper-cased, with invisible
    format characters (the right-to-left mark some phones insert, zero-width spaces) dropped and every
    punctuation mark, symbol and emoji read as a space."""
    text = unicodedata.normalize("NFKC", word)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category == "Cf":
            continue
        kept.append(" " if category[0] in "PSZ" or char.isspace() else char)
    return " ".join("".join(kept).upper().split())


def _words(*lists: list[str]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for words in lists:
        for word in words:
            seen.setdefault(normalise_word(word), None)
    return tuple(seen)


@lru_cache(maxsize=1)
def _load() -> dict[str, Language]:
    with REGISTRY_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    sms = data.get("sms", {})
    result: dict[str, Language] = {}
    for code, table in data["languages"].items():
        direction = table.get("direction", "ltr")
        if direction not in ("ltr", "rtl"):
            raise ValueError(f"{code}: direction must be ltr or rtl, not {direction!r}")
        result[code] = Language(
            code=code,
            native_name=table["native"],
            name_nb=table["nb"],
            name_en=table["en"],
            script=table["script"],
            direction=direction,
            babel_locale=table["locale"],
            fonts=tuple(table.get("fonts", ["NotoSans"])),
            yes_words=_words(table.get("yes", []), sms.get("yes", [])),
            stop_words=_words(table.get("stop", []), sms.get("stop", [])),
            note=table.get("note", ""),
        )
    return result


LANGUAGES: dict[str, Language] = _load()


def get(code: str) -> Language:
    """The language with this code; KeyError if unknown."""
    return LANGUAGES[code]


def all_languages() -> list[Language]:
    """All languages in registry order."""
    return list(LANGUAGES.values())


def babel_locale(code: str) -> str:
    """The Babel/CLDR locale identifier for a language code (e.g. "nb" -> "nb_NO")."""
    return LANGUAGES[code].babel_locale
