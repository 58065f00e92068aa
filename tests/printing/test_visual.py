"""Visual regression: the A4 poster in every language, compared with reference renders that a person
has looked at (Arabic joined and right-to-left, digits in order, Tamil conjuncts, Ethiopic,
Nastaliq, the Chinese date). Regenerate with ``UPDATE_REFERENCES=1`` — and look at every image
before committing it."""

from __future__ import annotations

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
DPI = 50
#: Mean absolute difference per channel (0–255) tolerated: anti-aliasing and font rasteriser
#: versions move a few pixels; a wrong glyph, a reversed line or a missing mark moves far more.
TOLERANCE = 1.5


@pytest.fixture
def fixed_meeting(app):
    meeting = make_meeting()
    meeting.uid = "0" * 32  # the QR code encodes the public URL, so it must not vary between runs
    db.session.commit()
    return meeting


@pytest.mark.parametrize("code", ALL_LANGUAGES)
def test_poster_matches_its_reference_render(fixed_meeting, code, sqlite_only):
    pdf, _report = services.render(fixed_meeting, PrintRequest(document="poster", language=code, size="A4"))
    actual = Image.open(io.BytesIO(render_png(pdf, dpi=DPI))).convert("L")
    reference_path = REFERENCES / f"poster-{code}.png"
    if os.environ.get("UPDATE_REFERENCES"):
        REFERENCES.mkdir(exist_ok=True)
        actual.save(reference_path, optimize=True)
        pytest.skip("reference written; look at it before committing")
    reference = Image.open(reference_path).convert("L")
    assert actual.size == reference.size
    difference = ImageStat.Stat(ImageChops.difference(actual, reference)).mean[0]
    assert difference <= TOLERANCE, f"{code}: the poster drifted from its reference (mean difference {difference:.2f})"


def test_the_comparison_catches_a_real_change(fixed_meeting, sqlite_only):
    """A poster in another language must not pass as the Arabic reference."""
    pdf, _report = services.render(fixed_meeting, PrintRequest(document="poster", language="fa", size="A4"))
    actual = Image.open(io.BytesIO(render_png(pdf, dpi=DPI))).convert("L")
    reference = Image.open(REFERENCES / "poster-ar.png").convert("L")
    assert ImageStat.Stat(ImageChops.difference(actual, reference)).mean[0] > TOLERANCE
