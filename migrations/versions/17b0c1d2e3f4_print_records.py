"""printing: a record of every final poster and flyer, marked outdated when the meeting moves or is
cancelled

Revision ID: 17b0c1d2e3f4
Revises: 17a0b1c2d3e4
Create Date: 2026-12-08 02:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '17b0c1d2e3f4'
down_revision = '17a0b1c2d3e4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('print_record',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('document', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('size', sa.String(length=8), nullable=False),
    sa.Column('variant', sa.String(length=16), nullable=False),
    sa.Column('printed_at', sa.DateTime(), nullable=False),
    sa.Column('printed_by', sa.String(length=120), nullable=False),
    sa.Column('outdated_at', sa.DateTime(), nullable=True),
    sa.Column('outdated_because', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_print_record_meeting_id_meeting'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_print_record'))
    )
    with op.batch_alter_table('print_record', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_print_record_meeting_id'), ['meeting_id'], unique=False)


def downgrade():
    with op.batch_alter_table('print_record', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_print_record_meeting_id'))
    op.drop_table('print_record')
