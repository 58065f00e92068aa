"""The public feed is computed once per version of the meetings and answers 304 to a calendar that
has that version; any change to a published meeting or its venue is a new version (issue 18)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from brukermote.core import cache
from brukermote.extensions import db
from tests.printing.helpers import make_meeting


def _count_queries(client, url, **kwargs):
    statements = []

    def count(*args):
        statements.append(args[2])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        response = client.get(url, **kwargs)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return response, len(statements)


def test_public_feed_is_cached_per_version_and_answers_304(client, app):
    cache.clear_local()
    meeting = make_meeting()
    first = client.get("/calendar/public.ics")
    assert first.status_code == 200 and first.headers["ETag"] and first.last_modified is not None
    assert b"BEGIN:VEVENT" in first.data

    again, queries = _count_queries(client, "/calendar/public.ics")
    assert again.data == first.data and queries <= 3  # the version query (and the organisation), no events

    unchanged = client.get("/calendar/public.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.data == b""

    meeting.topic = "Helse og fastlege"
    meeting.updated_at = meeting.updated_at + dt.timedelta(seconds=1)
    db.session.commit()
    changed = client.get("/calendar/public.ics", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200 and changed.headers["ETag"] != first.headers["ETag"]
    assert b"Helse og fastlege" in changed.data
