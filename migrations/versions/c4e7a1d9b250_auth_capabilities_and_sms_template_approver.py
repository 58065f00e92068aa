"""auth: per-account capabilities (reviewer of a language, SMS sender, printer of personal data);
the SMS template records the approving account

Revision ID: c4e7a1d9b250
Revises: b8d4f2a6c913
Create Date: 2026-12-04 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4e7a1d9b250'
down_revision = 'b8d4f2a6c913'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_capability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('capability', sa.Enum('review', 'send_sms', 'print_personal', name='capability', native_enum=False,
                                    create_constraint=False, length=32), nullable=False),
    sa.Column('language', sa.String(length=16), nullable=False),
    sa.Column('granted_at', sa.DateTime(), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['granted_by_id'], ['user.id'], name=op.f('fk_user_capability_granted_by_id_user'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_capability_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_capability')),
    sa.UniqueConstraint('user_id', 'capability', 'language', name='uq_user_capability_user_id')
    )
    with op.batch_alter_table('user_capability', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_capability_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('sms_template', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_sms_template_approved_by_id_user'), 'user', ['approved_by_id'],
                                    ['id'], ondelete='SET NULL')
    # Existing installations keep working: every administrator gets what the application let every
    # member do before (approve any language, send, print — printing still also needs secrecy), and
    # then grants the others what matches their work on the user page.
    op.execute(sa.text(
        "INSERT INTO user_capability (user_id, capability, language, granted_at) "
        "SELECT id, 'send_sms', '', CURRENT_TIMESTAMP FROM \"user\" WHERE is_admin"))
    op.execute(sa.text(
        "INSERT INTO user_capability (user_id, capability, language, granted_at) "
        "SELECT id, 'print_personal', '', CURRENT_TIMESTAMP FROM \"user\" WHERE is_admin AND is_confidential"))


def downgrade():
    with op.batch_alter_table('sms_template', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_sms_template_approved_by_id_user'), type_='foreignkey')
        batch_op.drop_column('approved_by_id')
    with op.batch_alter_table('user_capability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_capability_user_id'))
    op.drop_table('user_capability')
