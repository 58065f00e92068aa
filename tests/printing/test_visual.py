"""Visual regression: the A4 poster in every language, compared with reference renders that a person
has looked at (Arabic joined and right-to-left, digits in order, Tamil conjuncts, Ethiopic,
Nastaliq, the Chinese date). Regenerate with ``UPDATE_REFERENCES=1`` — and look at every image
before committing it."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat

from brukermote.extensions import db
from brukermote.printing import services
from brukermote.printing.services import PrintRequest
from tests.printing.helpers import ALL_LANGUAGES, make_meeting, render_png

REFERENCES = Path(__file__).parent / "reference"
DPI = 60
#: The page is compared tile by tile (TILE × TILE pixels, about 6 mm): the worst tile's mean absolute
#: difference (0–255) may be this much. Anti-aliasing and rasteriser versions move a few pixels of
#: a tile; another digit in the date, another time, a reversed line or a missing mark move one
#: tile far more — a page-wide mean would drown them in white paper.
TILE = 14
TOLERANCE = 12.0


def worst_tile(actual: Image.Image, reference: Image.Image) -> float:
    difference = ImageChops.difference(actual, reference)
    worst = 0.0
    for top in range(0, difference.height, TILE):
        for left in range(0, difference.width, TILE):
            tile = difference.crop((left, top, min(left + TILE, difference.width), min(top + TILE, difference.height)))
            worst = max(worst, ImageStat.Stat(tile).mean[0])
    return worst


def poster_image(meeting, code: str) -> Image.Image:
    pdf, _report = services.render(meeting, PrintRequest(document="poster", language=code, size="A4"))
    return Image.open(io.BytesIO(render_png(pdf, dpi=DPI))).convert("L")


@pytest.fixture
def fixed_meeting(app):
    meeting = make_meeting()
    meeting.uid = "0" * 32  # the QR code encodes the public URL, so it must not vary between runs
    db.session.commit()
    return meeting


@pytest.mark.parametrize("code", ALL_LANGUAGES)
def test_poster_matches_its_reference_render(fixed_meeting, code, sqlite_only):
    actual = poster_image(fixed_meeting, code)
    reference_path = REFERENCES / f"poster-{code}.png"
    if os.environ.get("UPDATE_REFERENCES"):
        REFERENCES.mkdir(exist_ok=True)
        actual.save(reference_path, optimize=True)
        pytest.skip("reference written; look at it before committing")
    reference = Image.open(reference_path).convert("L")
    assert actual.size == reference.size
    difference = worst_tile(actual, reference)
    assert difference <= TOLERANCE, f"{code}: the poster drifted from its reference (worst tile {difference:.1f})"


def test_the_comparison_catches_a_real_change(fixed_meeting, sqlite_only):
    """A poster in another language must not pass as the Arabic reference."""
    reference = Image.open(REFERENCES / "poster-ar.png").convert("L")
    assert worst_tile(poster_image(fixed_meeting, "fa"), reference) > TOLERANCE


@pytest.mark.parametrize("code", ["nb", "ar", "zh-Hans"])
def test_a_poster_for_another_date_or_time_fails_the_comparison(fixed_meeting, code, sqlite_only):
    """The mistake the committee once made: a poster whose date or time is not the meeting's."""
    reference = Image.open(REFERENCES / f"poster-{code}.png").convert("L")
    fixed_meeting.starts_at += dt.timedelta(days=7)
    fixed_meeting.ends_at += dt.timedelta(days=7)
    assert worst_tile(poster_image(fixed_meeting, code), reference) > TOLERANCE
    fixed_meeting.starts_at -= dt.timedelta(days=7, minutes=30)
    fixed_meeting.ends_at -= dt.timedelta(days=7)
    assert worst_tile(poster_image(fixed_meeting, code), reference) > TOLERANCE
