"""A mail merge sizes each language's letters on its longest name, and leaves the process's garbage
collector as it found it."""

from __future__ import annotations

import gc
import io

import pytest
from pypdf import PdfReader

from brukermote.extensions import db
from brukermote.printing import services
from brukermote.printing.services import PrintRequest
from tests.printing.helpers import ACTOR, make_contacts

pytestmark = pytest.mark.usefixtures("sqlite_only")


def test_a_merge_runs_with_a_quiet_collector_and_gives_the_settings_back(meeting):
    contacts = make_contacts(10)
    before = gc.get_threshold(), gc.get_freeze_count()
    during = []
    services.render(meeting, PrintRequest(document="letters", contact_ids=[c.id for c in contacts]), actor=ACTOR,
                    progress=lambda done, total: during.append(gc.get_threshold()))
    assert during and during[-1][0] == services.MERGE_GC_THRESHOLD
    assert (gc.get_threshold(), gc.get_freeze_count()) == before

    def interrupted(done, total):
        raise RuntimeError("worker stopped")

    with pytest.raises(RuntimeError):
        services.render(meeting, PrintRequest(document="letters", contact_ids=[c.id for c in contacts]), actor=ACTOR,
                        progress=interrupted)
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_letters_in_one_language_are_sized_on_the_longest_name(meeting):
    """The first contact of a language used to decide the size for all; a much longer name later
    in the list then had text sized for a shorter one. Now the longest sets it, wherever it is."""
    short, long_ = make_contacts(2, ["nb", "nb"])
    long_.name = "Marie-Christine Johannessen-Abrahamsen Wilhelmsen-Kristoffersen " * 3
    db.session.commit()
    both = [short.id, long_.id]
    ctx = services.context(meeting, draft=True)
    services.documents.letters(ctx, services.select_contacts(both))
    alone = services.context(meeting, draft=True)
    services.documents.letters(alone, services.select_contacts([long_.id]))
    first_only = services.context(meeting, draft=True)
    services.documents.letters(first_only, services.select_contacts([short.id]))
    assert list(ctx.letter_sizes.values()) == list(alone.letter_sizes.values())
    assert list(ctx.letter_sizes.values()) != list(first_only.letter_sizes.values())  # the long name needs less
    pdf, _ = services.render(meeting, PrintRequest(document="letters", contact_ids=both), actor=ACTOR)
    assert len(PdfReader(io.BytesIO(pdf)).pages) >= 2
