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

``lock_key`` does the same for a rule that has no parent row to hold: "one opt-in SMS per number a
day" spans meetings, so two sign-ups for two meetings with the same number lock nothing in common
but the number itself (a PostgreSQL transaction-level advisory lock on the number's hash).
"""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db

#: The first half of every advisory lock this application takes, so that ours never meet another
#: program's advisory locks in a shared database ("BM" in ASCII).
ADVISORY_NAMESPACE = 0x424D


def lock_row(model, row_id: int) -> None:
    """Hold ``model``'s row ``row_id`` (and on SQLite the database) until this transaction ends."""
    table = model.__table__
    primary_key = next(iter(table.primary_key.columns))
    if db.session.get_bind().dialect.name == "sqlite":
        # Core UPDATE on the Table (not the ORM class): no onupdate defaults, nothing really changes.
        db.session.execute(sa.update(table).where(primary_key == row_id).values({primary_key.name: primary_key}))
    else:
        db.session.execute(sa.select(primary_key).where(primary_key == row_id).with_for_update())


def lock_key(key: str) -> None:
    """Hold ``key`` (e.g. "opt-in:+4791234567") until this transaction ends. Two keys that hash alike
    only wait for each other a moment longer; they never miss each other."""
    if db.session.get_bind().dialect.name == "sqlite":
        from .models import Organisation

        # No row to name: any write makes this transaction the database's one writer (see above).
        table = Organisation.__table__
        db.session.execute(sa.update(table).where(sa.false()).values(id=table.c.id))
    else:
        db.session.execute(sa.select(sa.func.pg_advisory_xact_lock(ADVISORY_NAMESPACE, sa.func.hashtext(key))))
