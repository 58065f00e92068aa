"""indexes for ten years of history: every foreign key, contact names (the paged list), meeting ends

Revision ID: 18a0e1f2a3b4
Revises: 17b0c1d2e3f4
Create Date: 2026-12-08 03:20:00.000000

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '18a0e1f2a3b4'
down_revision = '17b0c1d2e3f4'
branch_labels = None
depends_on = None

#: (table, column): the 19 foreign keys that had no index (a delete of the parent row, or a join
#: from it, scanned the whole child table), the contact list's order and the API's coming-first order.
INDEXED = [
    ("audit_entry", "user_id"), ("brand_mark", "uploaded_by_id"), ("contact_import", "created_by_id"),
    ("meeting", "copied_from_id"), ("meeting", "created_by_id"), ("phrase_review", "reviewed_by_id"),
    ("sms_template", "approved_by_id"), ("user_capability", "granted_by_id"), ("attendance", "recorded_by_id"),
    ("job", "created_by_id"), ("meeting_text", "reviewed_by_id"), ("programme_item", "speaker_id"),
    ("task", "done_by_id"), ("task", "template_item_id"), ("topic_suggestion", "meeting_id"),
    ("feedback", "entered_by_id"), ("interpreter_booking", "registration_id"), ("sms_inbound", "registration_id"),
    ("follow_up", "reported_at_meeting_id"),
    ("contact", "name"), ("meeting", "ends_at"),
]


def upgrade():
    for table, column in INDEXED:
        op.create_index(f"ix_{table}_{column}", table, [column])


def downgrade():
    for table, column in reversed(INDEXED):
        op.drop_index(f"ix_{table}_{column}", table_name=table)
