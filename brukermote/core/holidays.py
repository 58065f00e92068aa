"""Norwegian public holidays (helligdager) and weekends, computed, so a due date on one is pointed out.

Computed rather than taken from a package: the list is short and fixed by law (helligdagsloven and
the 1st and 17th of May), and the movable days all hang on Easter Sunday (the Gregorian computus)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from flask_babel import lazy_gettext as _l


def easter_sunday(year: int) -> dt.date:
    """Easter Sunday of the Gregorian calendar (the anonymous "Meeus/Jones/Butcher" algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


#: Days counted from Easter Sunday.
_MOVABLE = (
    (-3, _l("Maundy Thursday")),
    (-2, _l("Good Friday")),
    (0, _l("Easter Sunday")),
    (1, _l("Easter Monday")),
    (39, _l("Ascension Day")),
    (49, _l("Whit Sunday")),
    (50, _l("Whit Monday")),
)
_FIXED = (
    (1, 1, _l("New Year's Day")),
    (5, 1, _l("Labour Day")),
    (5, 17, _l("Constitution Day")),
    (12, 25, _l("Christmas Day")),
    (12, 26, _l("Boxing Day")),
)


@lru_cache(maxsize=64)
def _holidays(year: int) -> dict[dt.date, object]:
    days = {dt.date(year, month, day): name for month, day, name in _FIXED}
    easter = easter_sunday(year)
    for offset, name in _MOVABLE:
        days[easter + dt.timedelta(days=offset)] = name
    return days


def public_holiday(day: dt.date) -> str | None:
    """The holiday's name in the UI language, or None on an ordinary day."""
    if not 1583 <= day.year <= 9999:  # the Gregorian computus; legacy dates at the calendar's ends
        return None
    name = _holidays(day.year).get(day)
    return str(name) if name is not None else None


def day_off(day: dt.date) -> str | None:
    """Why nobody is at the office that day ("Easter Monday", "Saturday"), or None on a working day."""
    holiday = public_holiday(day)
    if holiday:
        return holiday
    if day.weekday() == 5:
        return str(_l("Saturday"))
    if day.weekday() == 6:
        return str(_l("Sunday"))
    return None
