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
        words = match_form(reply).split()
        keywords = [match_form(keyword) for keyword in self.yes_words]
        if any(_starts_with(words, keyword) and len(words) <= len(keyword.split()) + 1 for keyword in keywords):
            return True
        # Chinese is written without spaces: "好的" or "是的谢谢" is one "word". A short reply that
        # begins with a yes word is a yes, unless it negates (不 "not", 没 "have not": "不好").
        compact = "".join(words)
        return not (set(compact) & _NEGATIONS) and any(
            _unspaced(keyword) and compact.startswith(keyword) and len(compact) <= len(keyword) + 2
            for keyword in keywords)

    def is_stop(self, reply: str) -> bool:
        """The reply begins with a stop word, or is short and has one anywhere ("Ok stopp", "Please stop").

        Callers check stop before yes: when in doubt, stop texting."""
        words = match_form(reply).split()
        keywords = [match_form(keyword) for keyword in self.stop_words]
        if any(_starts_with(words, keyword) for keyword in keywords):
            return True
        if len(words) <= SHORT_REPLY_WORDS and any(_contains(words, keyword.split()) for keyword in keywords):
            return True
        # Without spaces (Chinese: "请停止", "停止发送"), a stop word at the start or anywhere in a short reply.
        compact = "".join(words)
        return any(_unspaced(keyword) and (compact.startswith(keyword) or (
            len(compact) <= SHORT_REPLY_CHARACTERS and keyword in compact)) for keyword in keywords)


#: A reply this short that has a stop word anywhere in it counts as stop.
SHORT_REPLY_WORDS = 4
#: The same for scripts written without spaces between words (about four words of Chinese).
SHORT_REPLY_CHARACTERS = 10
_NEGATIONS = set("不没沒")


def _unspaced(keyword: str) -> bool:
    """A word of a script written without spaces (Han, kana): matched inside a run of characters."""
    return any("\u3040" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff" for char in keyword)


#: Letters phones write in more than one way in the Arabic script, folded for matching only: Arabic
#: and Persian/Urdu keyboards give different yeh, kaf and heh ("جي"/"جی", "هاں"/"ہاں"), and alef
#: with or without hamza ("إيقاف"/"ايقاف"); Sorani's own letters are often typed as the plain ones.
_ARABIC_FOLD = str.maketrans({
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
    "ي": "ی", "ى": "ی", "ې": "ی", "ێ": "ی", "ك": "ک",
    "ہ": "ه", "ھ": "ه", "ە": "ه", "ۀ": "ه", "ة": "ه",
    "ڵ": "ل", "ڕ": "ر", "ۆ": "و",
})


def match_form(text: str) -> str:
    """``normalise_word`` and more, for comparing a reply with the yes and stop words (never shown):
    digits of any script as ASCII ("١" is "1"), Arabic vowel marks and the tatweel dropped, and the
    Arabic-script letters of ``_ARABIC_FOLD`` folded."""
    kept = []
    for char in normalise_word(text):
        if "\u064b" <= char <= "\u065f" or char in "\u0670\u0640":
            continue
        kept.append(str(unicodedata.digit(char)) if unicodedata.category(char) == "Nd" else char)
    return "".join(kept).translate(_ARABIC_FOLD)


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
