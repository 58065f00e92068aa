"""Jinja filters and globals shared by every template — and the one place where numbers, amounts,
dates and times are written for people: views, charts and messages call these functions too, so
every page writes «4,5», «kr 1 633,33», «jan. 2009» and «13:30» as the UI language does (Babel/CLDR)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask
from flask_babel import format_date, format_decimal, format_time, get_locale

from .core import languages
from .core.phone import display_phone
from .core.timeutil import to_local


def local_datetime(moment: dt.datetime | None, fmt: str = "medium") -> str:
    """Date and time in the committee's time zone, without seconds: «8. des. 2026, 13:30»."""
    if moment is None:
        return ""
    moment = to_local(moment)
    # The 24-hour clock in both UI languages, as Norwegian timetables and the printed material show it.
    return f"{format_date(moment.date(), fmt)}, {format_time(moment.time(), 'HH:mm')}"


def local_date(value, fmt: str = "EEEE d. MMMM y") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value).date()
    return format_date(value, fmt)


def short_date(value) -> str:
    """A date in a table or a sentence: «24. jan. 2007» (never 2007-01-24)."""
    return local_date(value, "medium")


def month(value) -> str:
    """A month on a chart axis or in a heading: «jan. 2009»."""
    return local_date(value, "MMM y")


def local_time(moment: dt.datetime | dt.time | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, dt.datetime):
        moment = to_local(moment)
    return moment.strftime("%H:%M")


def money(value: Decimal | float | None, decimals: int = 2) -> str:
    """«kr 1 633,33» in Norwegian, «kr 1,633.33» in English."""
    if value is None:
        return "–"
    return "kr " + format_decimal(value, "#,##0" + ("." + "0" * decimals if decimals else ""))


def number(value: float | Decimal | int | None, decimals: int = 1) -> str:
    """A measured number as the UI language writes it: «4,5» in Norwegian, «4.5» in English."""
    if value is None:
        return "–"
    return format_decimal(value, "#,##0" + ("." + "0" * decimals if decimals else ""))


def _percent(share: float | None, decimals: int = 1) -> str:
    """A share (0.032) as the UI language writes it: «3,2 %» in Norwegian, «3.2 %» in English."""
    if share is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(share * 100, pattern) + "\u00a0%"


def _language_name(code: str) -> str:
    try:
        lang = languages.get(code)
    except KeyError:
        return code
    return lang.name_en if str(get_locale()) == "en" else lang.name_nb


def aria(field) -> dict:
    """The ARIA attributes a form field needs, and only those (WTForms prints None as "None")."""
    attributes = {}
    if field.description:
        attributes["aria-describedby"] = f"{field.id}-help"
    if field.errors:
        attributes["aria-invalid"] = "true"
    return attributes


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        local_datetime=local_datetime,
        local_date=local_date,
        short_date=short_date,
        month=month,
        local_time=local_time,
        money=money,
        number=number,
        percent=_percent,
        phone=display_phone,
        language_name=_language_name,
    )
    from .core.hooks import registry

    app.jinja_env.globals.update(ui_locale=lambda: str(get_locale()), languages=languages, nav_registry=registry, aria=aria,
                                 planning_hints=lambda: [(h, h.context()) for h in registry.planning_hints])
