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
        """The whole reply is a yes word, or a short reply begins with one ("Ja takk", "Yes please")."""
        return _matches(reply, self.yes_words)

    def is_stop(self, reply: str) -> bool:
        """The whole reply is a stop word, or a short reply begins with one ("Stopp takk", "STOP please").
        Callers check stop before yes: when in doubt, stop texting."""
        return _matches(reply, self.stop_words)


#: A reply this short that begins with a keyword counts as that keyword.
SHORT_REPLY_WORDS = 4


def _matches(reply: str, keywords: tuple[str, ...]) -> bool:
    text = normalise_word(reply)
    if text in keywords:
        return True
    words = text.split()
    return 0 < len(words) <= SHORT_REPLY_WORDS and any(
        words[: len(keyword.split())] == keyword.split() for keyword in keywords)


def normalise_word(word: str) -> str:
    """NFC, trimmed, inner whitespace collapsed, upper-cased, quotes and trailing punctuation dropped."""
    text = " ".join(unicodedata.normalize("NFC", word).replace(",", " ").split()).upper()
    return text.strip(".!؟?،,።\"'«»“”„‘’ ")


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
