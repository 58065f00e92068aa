"""For any date from 2000 to 2100 and any language, the weekday printed is the date's weekday.

The names to expect do not come from Babel (which prints them): Python's own ``date.weekday()``
picks one from ICU's table (node's Intl, with its own copy of CLDR), read once per run."""

from __future__ import annotations

import datetime as dt
import functools
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brukermote.core import languages
from brukermote.printing import texts

CODES = [lang.code for lang in languages.all_languages()]
JS = Path(__file__).resolve().parents[1] / "js"


def bcp47(code: str) -> str:
    return languages.get(code).babel_locale.replace("_", "-")


@functools.cache
def icu_weekday_names() -> dict[str, list[str]]:
    """Language code -> its seven wide weekday names, Monday first, as ICU has them."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node is needed for ICU's weekday names (make test checks it is installed)")
    tags = [bcp47(code) for code in CODES]
    out = subprocess.run([node, str(JS / "weekday_names.mjs"), json.dumps(tags)], capture_output=True,
                         text=True, check=True, timeout=60)
    table = json.loads(out.stdout)
    names = {}
    for code, tag in zip(CODES, tags, strict=True):
        # ICU answers in English for a locale it lacks: that would be no independent check at all.
        assert table[tag]["locale"].split("-")[0] == tag.split("-")[0], (tag, table[tag]["locale"])
        names[code] = table[tag]["names"]
    return names


def test_icu_table_is_monday_first_like_python():
    """The table's order is Python's: 1 January 2024, a Monday, is weekday 0."""
    assert dt.date(2024, 1, 1).weekday() == 0
    assert icu_weekday_names()["nb"][0] == "mandag" and icu_weekday_names()["en"][6] == "Sunday"


@settings(max_examples=400, deadline=None)
@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)), code=st.sampled_from(CODES))
def test_printed_weekday_is_the_weekday_of_the_date(day, code):
    line = texts.long_date(day, code)
    names = icu_weekday_names()[code]
    # The date's weekday appears, and no other (one name may contain another, as «شنبه» is in «یکشنبه»).
    present = [index for index, name in enumerate(names) if name in line]
    assert day.weekday() in present, (line, names[day.weekday()])
    assert all(names[i] in names[day.weekday()] for i in present), (line, present)
    assert str(day.year) in line and str(day.day) in line


@settings(max_examples=25, deadline=None)
@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)), code=st.sampled_from(CODES))
def test_printed_pdf_carries_that_weekday(day, code):
    """The same, through a real PDF and text extraction."""
    import io

    from reportlab.pdfgen.canvas import Canvas

    from brukermote.printing.layout import Pen
    from tests.printing.helpers import normalise, pdftotext

    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    Pen(canvas).text(texts.long_date(day, code), code, 40, 800, 500, 18)
    canvas.showPage()
    canvas.save()
    weekday = icu_weekday_names()[code][day.weekday()]
    assert normalise(weekday) in normalise(pdftotext(buffer.getvalue()))
