"""For any date from 2000 to 2100 and any language, the weekday printed is the date's weekday."""

from __future__ import annotations

import datetime as dt

from babel.dates import get_day_names
from hypothesis import given, settings
from hypothesis import strategies as st

from brukermote.core import languages
from brukermote.printing import texts

CODES = [lang.code for lang in languages.all_languages()]


@settings(max_examples=400, deadline=None)
@given(day=st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)), code=st.sampled_from(CODES))
def test_printed_weekday_is_the_weekday_of_the_date(day, code):
    line = texts.long_date(day, code)
    names = get_day_names("wide", locale=languages.get(code).babel_locale)
    # Exactly one weekday name appears, and it is the right one (Zeller-free: Python's calendar).
    present = [index for index, name in names.items() if name in line]
    assert day.weekday() in present
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
    weekday = get_day_names("wide", locale=languages.get(code).babel_locale)[day.weekday()]
    assert normalise(weekday) in normalise(pdftotext(buffer.getvalue()))
