"""sms: delivery reports that come before the SID (sms_early_status); why a send failed

Revision ID: e15a5b1c0f01
Revises: d59ba59798f3
Create Date: 2026-12-03 08:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e15a5b1c0f01'
down_revision = 'd59ba59798f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sms_early_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_sid', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('pending', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'unknown', 'skipped', 'cancelled', name='messagestatus', native_enum=False, length=32), nullable=False),
    sa.Column('error_code', sa.String(length=20), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('sms_early_status', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_early_status_provider_sid'), ['provider_sid'], unique=False)
        batch_op.create_index(batch_op.f('ix_sms_early_status_received_at'), ['received_at'], unique=False)

    with op.batch_alter_table('sms_send', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error_message', sa.String(length=300), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('sms_send', schema=None) as batch_op:
        batch_op.drop_column('error_message')

    with op.batch_alter_table('sms_early_status', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sms_early_status_received_at'))
        batch_op.drop_index(batch_op.f('ix_sms_early_status_provider_sid'))

    op.drop_table('sms_early_status')
