"""The Alembic migrations build the same schema as the models, and run down to base again."""

from __future__ import annotations

import os
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from brukermote.extensions import db
from tests.conftest import _INSTANCE, make_app


def _fresh_urls():
    yield pytest.param("sqlite", id="sqlite")
    if os.environ.get("TEST_DATABASE_URL"):
        yield pytest.param("postgresql", id="postgresql")


@pytest.fixture(params=list(_fresh_urls()))
def empty_database(request):
    if request.param == "sqlite":
        yield f"sqlite:///{_INSTANCE / f'migrations-{uuid.uuid4().hex}.db'}"
        return
    # A schema of its own on the PostgreSQL server, so the suite's tables are untouched.
    base = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    schema = f"mig_{uuid.uuid4().hex[:10]}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    separator = "&" if "?" in base else "?"
    yield f"{base}{separator}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def test_upgrade_matches_models_and_downgrades_to_base(empty_database):
    app = make_app(empty_database)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        # Alembic's comparison skips CHECK constraints: the limits the schema holds are compared here.
        with db.engine.connect() as conn:
            inspector = sa.inspect(conn)
            migrated = {(t, c["name"]) for t in inspector.get_table_names() if t != "alembic_version"
                        for c in inspector.get_check_constraints(t)}
        modelled = {(t.name, c.name) for t in db.metadata.sorted_tables for c in t.constraints
                    if isinstance(c, sa.CheckConstraint)}
        assert migrated == modelled, (sorted(modelled - migrated), sorted(migrated - modelled))
        downgrade(revision="base")
        with db.engine.connect() as conn:
            remaining = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_the_demo_upgraded_from_the_previous_head_keeps_its_data_and_gets_the_schema_limits(empty_database):
    """Migration 15c0e1a2b3d4 on a database in use: the demo (2007–2009 history) upgrades unchanged; a
    mailing dated 9999-12-31 stored before the forms checked (it made the meeting's pages fail) loses the
    date, an overlong note is cut to its form's limit, and from then on the database refuses both.
    Registrations made before the person key existed get it, so a later sign-up recognises them."""
    from brukermote.demo import load_demo
    from brukermote.meetings.models import Meeting
    from brukermote.outreach.models import Mailing

    app = make_app(empty_database)
    with app.app_context():
        upgrade(revision="c4e7a1d9b250")
        load_demo()
        db.session.commit()
        # Registrations as made before their person key existed (revision a7c3e91b5d20): Hodan twice for one
        # meeting (a slip typed in twice), once for another; Ali, who gave only his name.
        from brukermote.outreach.models import Channel, Contact, Registration

        hodan = Contact(name="Hodan Abdi", phone="+4791234567", language="so")
        ali = Contact(name="Ali  Warsame", language="so")
        db.session.add_all([hodan, ali])
        db.session.flush()
        first, second = db.session.scalars(sa.select(Meeting.id).order_by(Meeting.id).limit(2)).all()
        old = [Registration(meeting_id=m, channel=Channel.letter, contact_id=c.id, adults=1)
               for m, c in ((first, hodan), (first, hodan), (second, hodan), (first, ali))]
        db.session.add_all(old)
        db.session.commit()
        old_ids = [r.id for r in old]
        meetings = db.session.scalar(sa.select(sa.func.count(Meeting.id)))
        rows = _row_counts()
        years = set(db.session.scalars(sa.select(sa.func.min(Meeting.starts_at))))
        mailing_id = db.session.scalar(sa.select(Mailing.id).order_by(Mailing.id))
        with db.engine.begin() as conn:
            keys = dict(conn.execute(sa.text(
                "SELECT id, dedupe_key FROM registration WHERE dedupe_key IS NOT NULL")).all())
            conn.execute(sa.text("UPDATE registration SET dedupe_key = NULL"))
            conn.execute(sa.text("UPDATE mailing SET sent_on = '9999-12-31', notes = :notes WHERE id = :id"),
                         {"notes": "n" * 6000, "id": mailing_id})
            conn.execute(sa.text("UPDATE venue SET notes = :notes"), {"notes": "v" * 5001})
        db.session.remove()
        upgrade()
        assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == meetings
        # Every row kept: rebuilding the meeting table on SQLite must not cascade to its mailings and
        # registrations (migrations/env.py turns foreign keys off while migrating).
        after = _row_counts()  # tables created by later revisions start empty
        assert {table: after[table] for table in rows} == rows and rows["registration"] > 0 and rows["mailing"] > 0
        assert all(after[table] == 0 for table in after.keys() - rows.keys())
        assert set(db.session.scalars(sa.select(sa.func.min(Meeting.starts_at)))) == years
        assert min(years).year == 2007
        with db.engine.connect() as conn:
            now = dict(conn.execute(sa.text("SELECT id, dedupe_key FROM registration")).all())
        # Each earlier registration gets its person's key; the second of a pair in one meeting keeps none.
        assert [now[i] for i in old_ids] == ["tel:+4791234567", None, "tel:+4791234567", "name:ali warsame"]
        assert {i: k for i, k in now.items() if i not in old_ids and k} == keys
        mailing = db.session.get(Mailing, mailing_id)
        assert mailing.sent_on is None and mailing.notes == "n" * 6000  # (mailing notes have no form limit)
        assert set(db.session.scalars(sa.text("SELECT length(notes) FROM venue"))) == {5000}
        with pytest.raises(sa.exc.IntegrityError), db.engine.begin() as conn:
            conn.execute(sa.text("UPDATE mailing SET sent_on = '9999-12-31' WHERE id = :id"), {"id": mailing_id})
        db.session.remove()
        downgrade(revision="base")
        db.engine.dispose()


def _row_counts() -> dict[str, int]:
    with db.engine.connect() as conn:
        return {name: conn.scalar(sa.text(f'SELECT count(*) FROM "{name}"'))
                for name in sa.inspect(conn).get_table_names() if name != "alembic_version"}
