"""The check of the drawn pages runs once per content: the print page's check and the final print
that follows make the same file, so the second reuses the first's findings; any change runs it again."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest

from brukermote.extensions import db
from brukermote.printing import inkcheck, services
from brukermote.printing.services import PrintRequest


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils is installed by make test")
def test_the_same_final_poster_is_checked_once_and_a_changed_one_again(meeting, monkeypatch):
    calls = []
    check = inkcheck.check_rendered

    def counting(pdf, layouts, *args, **kwargs):
        calls.append(len(pdf))
        return check(pdf, layouts, *args, **kwargs)

    monkeypatch.setattr(inkcheck, "check_rendered", counting)
    request = PrintRequest(document="poster", language="pl", size="A3")
    report = services.check(meeting, request)  # the print page
    assert report.ok and len(calls) == 1
    first, report = services.render(meeting, PrintRequest(document="poster", language="pl", size="A3"))
    assert report.ok and len(calls) == 1  # the same content: the print page's findings stand
    meeting.starts_at += dt.timedelta(minutes=30)  # the poster says 14:00, not 13:30
    db.session.flush()
    second, report = services.render(meeting, PrintRequest(document="poster", language="pl", size="A3"))
    assert report.ok and len(calls) == 2 and second != first
