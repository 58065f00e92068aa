"""What participants read: the shipped default wording per language, placeholders, and SMS arithmetic.

The wording is *content* (like the printed texts), not UI strings: the committee edits it per language
and a member who reads the language approves it. Only Norwegian and English ship approved; anything
else is sent in Norwegian until approved (the committee is told).

Placeholders: ``{topic}``, ``{date}`` (weekday and date from CLDR for the meeting's date),
``{weekday}``, ``{time}``, ``{venue}``, ``{stop}`` (the stop word in the language), and nothing else:
no format specs (``{topic:d}``), conversions (``{topic!r}``), attribute or index access
(``{topic.__class__}``, ``{topic[0]}``), positional or unknown fields. ``{{`` and ``}}`` are literal
braces. A text is checked with ``string.Formatter().parse`` when it is saved, and filled by
substituting exactly those six names, never with ``str.format``, so a text stored before the check
(or by hand in the database) cannot crash a page or a sending pass.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from decimal import Decimal

from ..core import languages
from .defaults import DEFAULTS  # noqa: F401  (the shipped wording; read as texts.DEFAULTS)

PLACEHOLDERS = ("topic", "date", "weekday", "time", "venue", "stop")
#: Placeholders a kind must use (a reminder without its date is no reminder).
REQUIRED = {"reminder": ("date", "time"), "cancellation": ("date",), "moved": ("date", "time")}
APPROVED_BY_DEFAULT = ("nb", "en")
FALLBACK_LANGUAGE = "nb"


def stop_word(language: str) -> str:
    """The first stop word of the language itself (universal STOP always works too)."""
    lang = languages.LANGUAGES.get(language) or languages.get(FALLBACK_LANGUAGE)
    return lang.stop_words[0] if lang.stop_words else "STOP"


def _fields(body: str) -> list[tuple[str, str, str | None]]:
    """(name, format spec, conversion) of every replacement field; ValueError when braces are broken."""
    return [(name, spec or "", conv) for _literal, name, spec, conv in string.Formatter().parse(body)
            if name is not None]


def _as_written(name: str, spec: str, conv: str | None) -> str:
    return "{" + name + ("!" + conv if conv else "") + (":" + spec if spec else "") + "}"


#: What the renderer replaces: a doubled brace, or exactly one of the documented placeholders.
_TOKEN = re.compile(r"\{\{|\}\}|\{(" + "|".join(PLACEHOLDERS) + r")\}")
#: A field ``parse`` reports without its empty spec or conversion (``{date:}``).
_EMPTY_SPEC = re.compile(r"\{[^{}]*:\}")


def placeholders_in(body: str) -> list[str]:
    """The placeholder names a text uses; ValueError when braces are broken."""
    return [name for name, _spec, _conv in _fields(body)]


def invalid_placeholders(body: str) -> list[str]:
    """Every field that is not exactly one of the documented placeholders, as written; ValueError when
    braces are broken."""
    bad = []
    for name, spec, conv in _fields(body):
        if name not in PLACEHOLDERS or spec or conv is not None:
            bad.append(_as_written(name, spec, conv))
    if not bad:
        bad = _EMPTY_SPEC.findall(body.replace("{{", "").replace("}}", ""))
    return list(dict.fromkeys(bad))


def problems(kind: str, body: str) -> list[str]:
    """Why a text cannot be used (English keys; the view translates them)."""
    found = []
    try:
        names = placeholders_in(body)
        invalid = invalid_placeholders(body)
    except ValueError:
        return ["broken"]
    if invalid:
        found.append("unknown:" + ", ".join(invalid))
    missing = [n for n in REQUIRED.get(kind, ()) if n not in names]
    if missing:
        found.append("missing:" + ", ".join("{" + n + "}" for n in missing))
    if not body.strip():
        found.append("empty")
    return found


def fill(body: str, values: dict) -> str:
    """The text with the documented placeholders replaced and ``{{``/``}}`` made single braces.

    Anything else stays as written: this never formats the committee's text, so it cannot raise
    or reach into the values' attributes, whatever is stored.
    """
    def replace(match: re.Match) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)[0]
        return str(values.get(name, ""))

    return _TOKEN.sub(replace, body)


# -- SMS arithmetic: GSM 03.38 or UCS-2, segments ----------------------------------------------------

GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
#: Characters of the GSM extension table: each costs two septets (escape + character).
GSM7_EXTENSION = set("^{}\\[~]|€\f")


@dataclass(frozen=True)
class Analysis:
    characters: int
    encoding: str  # "GSM-7" | "UCS-2"
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    per_segment: int

    def cost(self, price_per_segment: Decimal) -> Decimal:
        return (price_per_segment * self.segments).quantize(Decimal("0.01"))


def analyse(text: str) -> Analysis:
    """Characters, encoding and segments: GSM-7 160 alone / 153 per part, UCS-2 70 / 67."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        widths = [2 if ch in GSM7_EXTENSION else 1 for ch in text]
        single, multi, encoding = 160, 153, "GSM-7"
    else:
        widths = [len(ch.encode("utf-16-le")) // 2 for ch in text]
        single, multi, encoding = 70, 67, "UCS-2"
    units = sum(widths)
    if units <= single:
        segments, per = (1 if units else 0), single
    else:
        segments, per = _packed_parts(widths, multi), multi
    return Analysis(characters=len(text), encoding=encoding, units=units, segments=segments, per_segment=per)


def _packed_parts(widths: list[int], per_part: int) -> int:
    """How many parts the characters fill when a two-unit character (a GSM escape pair, a UTF-16
    surrogate pair) is never split between parts: phones and carriers move it whole to the next part,
    so counting units / per_part would come out one part short."""
    parts, used = 1, 0
    for width in widths:
        if used + width > per_part:
            parts, used = parts + 1, 0
        used += width
    return parts
