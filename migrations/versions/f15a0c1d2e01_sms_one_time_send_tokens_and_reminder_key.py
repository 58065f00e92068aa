"""sms: one-time tokens for "send now" and one scheduled reminder per offset, time and audience

Revision ID: f15a0c1d2e01
Revises: e15a5b1c0f01
Create Date: 2026-12-03 13:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f15a0c1d2e01'
down_revision = 'e15a5b1c0f01'
branch_labels = None
depends_on = None

SCHEDULED_REMINDER = "kind = 'reminder' AND status = 'scheduled'"


def upgrade():
    with op.batch_alter_table('sms_send', schema=None) as batch_op:
        batch_op.add_column(sa.Column('request_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_sms_send_request_token'), ['request_token'])
    # Duplicates made before the key existed: keep the oldest scheduled reminder of each group, stop
    # the others (their recipients would have been texted twice).
    op.execute(sa.text(
        "UPDATE sms_send SET status = 'cancelled', error_message = 'duplicate reminder' "
        f"WHERE {SCHEDULED_REMINDER} AND id NOT IN (SELECT min(id) FROM sms_send WHERE {SCHEDULED_REMINDER} "
        "GROUP BY meeting_id, audience, days_before, local_time)"))
    op.create_index('uq_sms_send_scheduled_reminder', 'sms_send',
                    ['meeting_id', 'audience', 'days_before', 'local_time'], unique=True,
                    sqlite_where=sa.text(SCHEDULED_REMINDER), postgresql_where=sa.text(SCHEDULED_REMINDER))


def downgrade():
    op.drop_index('uq_sms_send_scheduled_reminder', table_name='sms_send')
    with op.batch_alter_table('sms_send', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_sms_send_request_token'), type_='unique')
        batch_op.drop_column('request_token')
