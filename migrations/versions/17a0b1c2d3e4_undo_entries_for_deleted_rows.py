"""undo: snapshots of deleted tasks, programme items, feedback, attendance and registrations, restorable for minutes

Revision ID: 17a0b1c2d3e4
Revises: 15c0e1a2b3d4
Create Date: 2026-12-08 02:40:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '17a0b1c2d3e4'
down_revision = '15c0e1a2b3d4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('undo_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['contact_id'], ['contact.id'], name=op.f('fk_undo_entry_contact_id_contact'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['meeting_id'], ['meeting.id'], name=op.f('fk_undo_entry_meeting_id_meeting'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_undo_entry_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_undo_entry'))
    )
    with op.batch_alter_table('undo_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_undo_entry_contact_id'), ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_undo_entry_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_undo_entry_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_undo_entry_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('undo_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_undo_entry_user_id'))
        batch_op.drop_index(batch_op.f('ix_undo_entry_meeting_id'))
        batch_op.drop_index(batch_op.f('ix_undo_entry_expires_at'))
        batch_op.drop_index(batch_op.f('ix_undo_entry_contact_id'))

    op.drop_table('undo_entry')
