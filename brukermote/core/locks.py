"""Serialising a check-then-insert on both databases.

A rule such as "one registration per person and meeting" or "one send per confirmation" is kept by a
unique constraint in the schema; the constraint is what makes it hold. But a request that loses the
race should get a friendly answer ("already registered"), not a crash, and some rules (the same SMS to
the same group within two minutes) cannot be a plain unique key. ``lock_row`` makes the loser wait
for the winner's commit, so that its own check then sees the winner's row:

- PostgreSQL: ``SELECT … FOR UPDATE`` on the parent row (the meeting); a second transaction blocks
  there until the first commits, and in READ COMMITTED its next statement sees the committed rows.
- SQLite: one writer at a time for the whole file. A no-op ``UPDATE`` starts the write transaction
  (pysqlite opens it lazily at the first write), so the second writer waits on the busy timeout
  before it has read anything — no stale snapshot to act on.

Call it first in the transaction, before reading what the rule depends on.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db


def lock_row(model, row_id: int) -> None:
    """Hold ``model``'s row ``row_id`` (and on SQLite the database) until this transaction ends."""
    table = model.__table__
    primary_key = next(iter(table.primary_key.columns))
    if db.session.get_bind().dialect.name == "sqlite":
        # Core UPDATE on the Table (not the ORM class): no onupdate defaults, nothing really changes.
        db.session.execute(sa.update(table).where(primary_key == row_id).values({primary_key.name: primary_key}))
    else:
        db.session.execute(sa.select(primary_key).where(primary_key == row_id).with_for_update())
