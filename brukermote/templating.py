"""Jinja filters and globals shared by every template."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from flask import Flask
from flask_babel import format_date, format_datetime, format_decimal, get_locale

from .core import languages
from .core.phone import display_phone
from .core.timeutil import to_local


def _local_datetime(moment: dt.datetime | None, fmt: str = "medium") -> str:
    if moment is None:
        return ""
    return format_datetime(moment, fmt)


def _local_date(value, fmt: str = "EEEE d. MMMM y") -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = to_local(value).date()
    return format_date(value, fmt)


def _local_time(moment: dt.datetime | None) -> str:
    if moment is None:
        return ""
    return to_local(moment).strftime("%H:%M")


def _money(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return "kr " + format_decimal(value, "#,##0.00")


def _percent(share: float | None, decimals: int = 1) -> str:
    """A share (0.032) as the UI language writes it: «3,2 %» in Norwegian, «3.2 %» in English."""
    if share is None:
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(share * 100, pattern) + "\u00a0%"


def _number(value: float | Decimal | None, decimals: int = 1) -> str:
    """A number as the UI language writes it: «4,5» in Norwegian, «4.5» in English."""
    if value is None:
        return "–"
    return format_decimal(value, "#,##0" + ("." + "0" * decimals if decimals else ""))


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
        local_datetime=_local_datetime,
        local_date=_local_date,
        local_time=_local_time,
        money=_money,
        percent=_percent,
        number=_number,
        phone=display_phone,
        language_name=_language_name,
    )
    from .core.hooks import registry

    app.jinja_env.globals.update(ui_locale=lambda: str(get_locale()), languages=languages, nav_registry=registry, aria=aria,
                                 planning_hints=lambda: [(h, h.context()) for h in registry.planning_hints])
