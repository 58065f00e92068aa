"""limits in the schema: dates a committee enters lie in 2000-2100, free texts no longer than their forms allow;
registrations made before a7c3e91b5d20 get their person key

Revision ID: 15c0e1a2b3d4
Revises: c4e7a1d9b250
Create Date: 2026-12-08 02:30:00.000000

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '15c0e1a2b3d4'
down_revision = 'c4e7a1d9b250'
branch_labels = None
depends_on = None

# As brukermote.core.models (spelled out: a migration never imports the app).
FIRST_DAY, LAST_DAY = "2000-01-01", "2100-12-31"
FIRST_INSTANT, AFTER_LAST_INSTANT = "1999-12-31", "2101-01-02"

#: table -> date columns (nullable: a date out of range is cleared before the check is added).
DAYS = {
    "follow_up": ["done_on"],
    "mailing": ["sent_on", "stop_on"],
    "poster_hanging": ["hung_on", "taken_down_on"],
}
#: table -> UTC timestamp columns (required: a row out of range stops the upgrade, naming it).
INSTANTS = {
    "meeting": ["starts_at", "ends_at"],
    "consent": ["given_at"],
}
#: table -> {text column: longest}, as the forms allow.
LENGTHS = {
    "attendance": {"notes": 5000},
    "feedback": {"useful": 5000, "missing": 5000},
    "follow_up": {"action": 5000},
    "venue": {"notes": 5000},
    "speaker": {"notes": 5000},
    "meeting": {"description": 2000},
    "poster_location": {"notes": 5000},
    "phrase_review": {"text": 2000},
    "meeting_text": {"text": 3000},
    "glossary_term": {"note": 3000},
    "glossary_rendering": {"rendering": 500, "note": 500},
    "interpreter_provider": {"notes": 5000},
    "interpreter": {"notes": 5000},
    "interpreter_booking": {"notes": 5000},
    "sms_template": {"body": 1600},
}
TOPIC_TEXT = ("meeting_text", "topic_length", "field <> 'topic' OR length(text) <= 300")


def _day_rule(column):
    return f"{column} IS NULL OR ({column} >= '{FIRST_DAY}' AND {column} <= '{LAST_DAY}')"


def _instant_rule(column):
    return f"{column} IS NULL OR ({column} >= '{FIRST_INSTANT}' AND {column} < '{AFTER_LAST_INSTANT}')"


def _constraints():
    """table -> [(name, rule)], in the order the models declare them."""
    result = {}
    for table, columns in DAYS.items():
        result.setdefault(table, []).extend((f"{c}_in_years", _day_rule(c)) for c in columns)
    for table, columns in INSTANTS.items():
        result.setdefault(table, []).extend((f"{c}_in_years", _instant_rule(c)) for c in columns)
    for table, limits in LENGTHS.items():
        result.setdefault(table, []).extend((f"{c}_length", f"length({c}) <= {n}") for c, n in limits.items())
    result[TOPIC_TEXT[0]].append(TOPIC_TEXT[1:])
    return result


def _make_existing_rows_fit(conn):
    """Rows stored before the forms checked: a nullable date out of range (a mailing dated 9999-12-31,
    which made the meeting's pages fail for everyone) is cleared; a text longer than its form allows is
    cut to it (the forms had these limits already; only a script could have stored more). A meeting or
    consent out of range cannot be repaired without a person deciding: the upgrade stops and names it."""
    for table, columns in DAYS.items():
        for column in columns:
            conn.execute(sa.text(f"UPDATE {table} SET {column} = NULL WHERE NOT ({_day_rule(column)})"))
    for table, columns in INSTANTS.items():
        for column in columns:
            ids = conn.execute(sa.text(f"SELECT id FROM {table} WHERE NOT ({_instant_rule(column)})")).scalars().all()
            if ids:
                raise RuntimeError(
                    f"{table} {', '.join(map(str, ids))}: {column} lies outside {FIRST_DAY[:4]}-{LAST_DAY[:4]}. "
                    "Correct or delete these rows, then upgrade again.")
    for table, limits in LENGTHS.items():
        for column, longest in limits.items():
            conn.execute(sa.text(f"UPDATE {table} SET {column} = substr({column}, 1, {longest}) "
                                 f"WHERE length({column}) > {longest}"))
    conn.execute(sa.text("UPDATE meeting_text SET text = substr(text, 1, 300) "
                         "WHERE field = 'topic' AND length(text) > 300"))


def _person_key(phone, name):
    """As brukermote.outreach.funnel.person_key when this revision was written."""
    if phone:
        return f"tel:{phone}"
    folded = " ".join(unicodedata.normalize("NFC", (name or "").casefold()).split())
    if not folded or folded == "\u2013":
        return None
    return f"name:{folded}"[:220]


def _key_earlier_registrations(conn):
    """Registrations from before the key existed have none, so the same person signing up again for an
    upcoming meeting was not recognised. Each gets its contact's key; where one meeting already holds
    the person twice, the earliest row takes the key and the others stay as they were (merging them
    needs a person: they may differ in counts or interpreter)."""
    rows = conn.execute(sa.text(
        "SELECT r.id, r.meeting_id, c.phone, c.name FROM registration r JOIN contact c ON c.id = r.contact_id "
        "WHERE r.dedupe_key IS NULL ORDER BY r.id")).all()
    taken = set(conn.execute(sa.text(
        "SELECT meeting_id, dedupe_key FROM registration WHERE dedupe_key IS NOT NULL")).all())
    updates = []
    for registration_id, meeting_id, phone, name in rows:
        key = _person_key(phone, name)
        if key is not None and (meeting_id, key) not in taken:
            taken.add((meeting_id, key))
            updates.append({"id": registration_id, "key": key})
    if updates:
        conn.execute(sa.text("UPDATE registration SET dedupe_key = :key WHERE id = :id"), updates)


def upgrade():
    _key_earlier_registrations(op.get_bind())
    _make_existing_rows_fit(op.get_bind())
    for table, constraints in _constraints().items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, rule in constraints:
                batch_op.create_check_constraint(op.f(f"ck_{table}_{name}"), rule)


def downgrade():
    for table, constraints in _constraints().items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _rule in constraints:
                batch_op.drop_constraint(op.f(f"ck_{table}_{name}"), type_="check")
