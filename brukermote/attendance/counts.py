"""Head counts as the committee writes them: a number, a range ("15–20") or an approximation ("about 20").

The history has all three, so a count is stored as (low, high, approximate) and never forced into a
single number; charts draw the range and use the midpoint only where one number is unavoidable
(e.g. cost per participant), and say so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _

#: Words that mark an approximate count, in the languages the committee writes in.
APPROX_WORDS = ("ca.", "ca", "cirka", "circa", "omtrent", "omkring", "rundt", "about", "around", "approx.",
                "approx", "approximately", "~", "≈", "c.")
_RANGE = re.compile(r"^(\d{1,5})\s*(?:–|-|—|to|til)\s*(\d{1,5})$")
_NUMBER = re.compile(r"^\d{1,5}$")


class CountError(ValueError):
    pass


@dataclass(frozen=True)
class HeadCount:
    low: int
    high: int
    approximate: bool = False

    @property
    def is_range(self) -> bool:
        return self.high != self.low

    @property
    def midpoint(self) -> float:
        return (self.low + self.high) / 2

    def _number(self) -> str:
        return f"{self.low}–{self.high}" if self.is_range else str(self.low)

    def plain(self) -> str:
        """The form the committee types back in: "15–20", "ca. 20", "ca. 15–20", "18" (any UI language)."""
        return f"ca. {self._number()}" if self.approximate else self._number()

    def display(self) -> str:
        if self.approximate:
            return _("about %(count)s", count=self._number())
        return self._number()

    def __add__(self, other: HeadCount) -> HeadCount:
        return HeadCount(self.low + other.low, self.high + other.high, self.approximate or other.approximate)


def parse_count(raw: str | None) -> HeadCount | None:
    """None for an empty field; CountError (with a message for the form) for anything unreadable."""
    text = " ".join((raw or "").replace("\u00a0", " ").split()).lower()
    if not text:
        return None
    approximate = False
    for word in sorted(APPROX_WORDS, key=len, reverse=True):
        if text.startswith(word):
            rest = text[len(word):].strip()
            if rest and (rest[0].isdigit()):
                text, approximate = rest, True
                break
    if _NUMBER.match(text):
        return HeadCount(int(text), int(text), approximate)
    match = _RANGE.match(text)
    if match:
        low, high = int(match.group(1)), int(match.group(2))
        if low > high:
            raise CountError(_("In a range, the smaller number comes first (%(low)d–%(high)d).", low=high, high=low))
        return HeadCount(low, high, approximate)
    raise CountError(_("Write a number (18), a range (15–20) or an approximate number (ca. 20)."))


def count_from(low: int | None, high: int | None, approximate: bool | None) -> HeadCount | None:
    if low is None:
        return None
    return HeadCount(low, high if high is not None else low, bool(approximate))
