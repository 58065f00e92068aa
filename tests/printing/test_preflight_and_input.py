"""Bad input and preflight: each a clear error, and never a partial PDF."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from brukermote.core.models import Organisation
from brukermote.extensions import db
from brukermote.printing import marks, preflight, services
from brukermote.printing.documents import PrintError
from brukermote.printing.models import PhraseReview
from brukermote.printing.services import PreflightFailed, PrintRequest
from tests.printing.helpers import ACTOR, make_contacts, make_meeting, normalise, pdftotext, render_png


def _codes(report):
    return {f.code for f in report.errors}


def test_a_fully_approved_meeting_passes_preflight(meeting):
    report = preflight.run(meeting, "poster", ["ar"])
    assert report.ok, report.errors
    # The shipped marks are placeholders and NAV red needs a colour printer: warnings, not errors.
    assert {"mark_placeholder", "colour_printer"} <= {f.code for f in report.warnings}


def test_unapproved_text_blocks_the_final_print_but_prints_as_a_draft(app):
    meeting = make_meeting(approve=False)
    with pytest.raises(PreflightFailed) as info:
        services.render(meeting, PrintRequest(document="poster", language="so"))
    assert {"unreviewed", "meeting_text"} <= _codes(info.value.report)
    pdf, _report = services.render(meeting, PrintRequest(document="poster", language="so", draft=True))
    text = normalise(pdftotext(pdf))
    assert "Ikkegodkjent" in text and "sodoc" in text  # the note names what is unreviewed
    # The diagonal DRAFT mark: pinkish pixels across the middle of the page (it is rotated, so its
    # letters do not extract as a word).
    image = Image.open(io.BytesIO(render_png(pdf, dpi=30))).convert("RGB")
    width, height = image.size
    pink = sum(1 for x in range(width) for y in range(height // 3, 2 * height // 3)
               if (lambda p: p[0] > 180 and p[0] - p[1] > 45 and abs(p[1] - p[2]) < 30)(image.getpixel((x, y))))
    assert pink > 200
    final, _ = services.render(make_meeting(), PrintRequest(document="poster", language="so"))
    image = Image.open(io.BytesIO(render_png(final, dpi=30))).convert("RGB")
    assert sum(1 for x in range(width) for y in range(height // 3, 2 * height // 3)
               if (lambda p: p[0] > 180 and p[0] - p[1] > 45 and abs(p[1] - p[2]) < 30)(image.getpixel((x, y)))) < 20


def test_norwegian_needs_no_translation(app):
    meeting = make_meeting(approve=False)
    report = preflight.run(meeting, "poster", ["nb"])
    assert report.ok, report.errors


def test_a_reviewer_approval_with_a_changed_source_is_void(meeting):
    review = db.session.scalar(db.select(PhraseReview).where(PhraseReview.language == "so",
                                                             PhraseReview.key == "doc.free_voluntary"))
    review.source = "an older English wording"
    db.session.commit()
    assert "unreviewed" in _codes(preflight.run(meeting, "poster", ["so"]))


def test_missing_mark_blocks_the_final_print(meeting):
    nav = next(m for m in marks.ensure_marks() if m.key == "nav")
    nav.raster = None
    db.session.commit()
    report = preflight.run(meeting, "poster", ["nb"])
    assert "mark_missing" in _codes(report)
    with pytest.raises(PreflightFailed):
        services.render(meeting, PrintRequest(document="poster", language="nb"))


def _png(colour, size=(800, 300)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def test_nav_mark_in_black_fails_the_colour_check(meeting):
    nav = next(m for m in marks.ensure_marks() if m.key == "nav")
    marks.replace_mark(nav, _png((10, 10, 10)), "nav.png")
    db.session.commit()
    assert "mark_colour" in _codes(preflight.run(meeting, "poster", ["nb"]))
    marks.replace_mark(nav, _png((195, 0, 0)), "nav.png")
    db.session.commit()
    report = preflight.run(meeting, "poster", ["nb"])
    assert "mark_colour" not in _codes(report)
    assert "colour_printer" in {f.code for f in report.warnings}
    Organisation.current().office_printer_colour = True
    db.session.commit()
    assert "colour_printer" not in {f.code for f in preflight.run(meeting, "poster", ["nb"]).warnings}


def test_a_coarse_mark_fails_the_resolution_check(meeting):
    project = next(m for m in marks.ensure_marks() if m.key == "project")
    marks.replace_mark(project, _png((0, 0, 0), size=(120, 40)), "tiny.png")
    db.session.commit()
    assert "mark_resolution" in _codes(preflight.run(meeting, "poster", ["nb"], "A3"))


@pytest.mark.parametrize("data, name", [
    (b"<html><script>alert(1)</script></html>", "logo.png"),
    (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "logo.jpg"),
    (b"GIF89a" + b"\x00" * 100, "logo.png"),
    (b"", "logo.png"),
])
def test_disguised_files_are_refused_by_content(app, data, name):
    with pytest.raises(marks.MarkError):
        marks.read_upload(data)


@pytest.mark.parametrize("svg", [
    b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script><rect width="10" height="10"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="http://evil.example/x.png"/></svg>',
    b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    b'<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><rect width="9" height="9"/></a></svg>',
])
def test_svg_with_script_or_outside_references_is_refused(app, svg):
    with pytest.raises(marks.MarkError):
        marks.read_upload(svg)


def test_a_clean_svg_and_a_pdf_mark_are_accepted_and_rasterised(app):
    svg = (b'<svg xmlns="http://www.w3.org/2000/svg" width="400" height="160" viewBox="0 0 400 160">'
           b'<rect x="5" y="5" width="390" height="150" fill="#C30000"/></svg>')
    kind, raster, width, height = marks.read_upload(svg)
    assert kind == "image/svg+xml" and raster.startswith(b"\x89PNG") and width > height
    assert marks.ink_colour_share(raster, "#C30000") > 0.9
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=(200, 80))
    canvas.setFillColorRGB(0.76, 0, 0)
    canvas.rect(0, 0, 200, 80, stroke=0, fill=1)
    canvas.save()
    kind, raster, width, height = marks.read_upload(buffer.getvalue())
    assert kind == "application/pdf" and width > 1000


def test_meeting_without_a_venue_gives_a_clear_error_and_no_pdf(app):
    meeting = make_meeting(venue=False)
    with pytest.raises(PrintError, match="sted|venue"):
        services.render(meeting, PrintRequest(document="poster", language="nb", draft=True))
    assert "venue" in _codes(preflight.run(meeting, "poster", ["nb"]))


def test_contact_without_address_stops_the_whole_mail_merge(meeting):
    good = make_contacts(3, ["nb"])
    bad = make_contacts(1, ["so"], address=False)
    with pytest.raises(PrintError, match=f"#{bad[0].id}"):
        services.render(meeting, PrintRequest(document="letters", contact_ids=[c.id for c in good + bad]),
                        actor=ACTOR)


def test_past_meeting_cannot_be_printed_finally(app):
    import datetime as dt

    meeting = make_meeting(day=dt.date(2020, 5, 13))
    assert "past" in _codes(preflight.run(meeting, "poster", ["nb"]))


def test_preflight_reads_the_qr_code_back(meeting):
    assert preflight.qr_decodes_to(preflight.public_url(meeting)) is True
    assert preflight.public_url(meeting).endswith(f"/m/{meeting.uid}")


def test_weekday_check_uses_cldr_names(app):
    import datetime as dt

    assert preflight.weekday_matches(dt.date(2031, 3, 12), "ar")
    assert preflight.weekday_matches(dt.date(2031, 3, 12), "ti")
