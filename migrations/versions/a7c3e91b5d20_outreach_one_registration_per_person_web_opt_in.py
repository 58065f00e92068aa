"""outreach: one registration per person and meeting; SMS consents from the web wait for a yes

registration.dedupe_key (unique with meeting_id); consent.awaiting_confirmation and confirmed_at.

Revision ID: a7c3e91b5d20
Revises: f15a0c1d2e01
Create Date: 2026-12-03 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7c3e91b5d20'
down_revision = 'f15a0c1d2e01'
branch_labels = None
depends_on = None


def upgrade():
    # Existing registrations keep a NULL key (NULLs never collide): the rule holds from now on, and
    # doubles made before it stay for the committee to delete, as they could before.
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dedupe_key', sa.String(length=220), nullable=True))
        batch_op.create_unique_constraint('uq_registration_meeting_person', ['meeting_id', 'dedupe_key'])

    # Consents given so far were taken as given: none of them waits for a confirmation.
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('awaiting_confirmation', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('confirmed_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_column('confirmed_at')
        batch_op.drop_column('awaiting_confirmation')

    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_constraint('uq_registration_meeting_person', type_='unique')
        batch_op.drop_column('dedupe_key')
