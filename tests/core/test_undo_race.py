"""Two «Undo» clicks at the same moment (a double click, two tabs) over real HTTP: one puts the rows
back, the other is told it is too late; neither is a server error — on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from collections import Counter

import sqlalchemy as sa

from brukermote.core import undo
from brukermote.extensions import db
from brukermote.meetings.models import Task
from tests.live import LiveServer, at_the_same_time, signed_in
from tests.meetings.conftest import future_day, meeting, venue  # noqa: F401 - fixtures

PAIRS = 10


def test_simultaneous_undo_clicks_restore_once_and_never_fail(app, admin_user, meeting):  # noqa: F811
    tasks = list(meeting.tasks)[:PAIRS]
    assert len(tasks) >= 3
    titles = {task.id: task.title for task in tasks}
    with LiveServer(app) as server:
        browser = signed_in(server, admin_user.email)
        responses = []
        for task_id in titles:
            page = browser.post(f"{server.url}/tasks/{task_id}/delete", timeout=60).text
            entry_id = re.search(r'action="/undo/(\d+)"', page).group(1)
            url = f"{server.url}/undo/{entry_id}"
            responses.append(at_the_same_time(*[lambda url=url: browser.post(url, allow_redirects=False, timeout=120)] * 2))
    assert Counter(r.status_code for pair in responses for r in pair) == Counter({302: 2 * len(titles)})
    db.session.expire_all()
    restored = dict(db.session.execute(sa.select(Task.id, Task.title).where(Task.id.in_(titles))).all())
    assert restored == titles  # each task back exactly once
    assert db.session.scalar(sa.select(sa.func.count(undo.UndoEntry.id))) == 0
