"""passkeys, trainee check-in proofs, confirmation verdicts, conflict cause

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 17:24:33.096147

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('confirmation_check',
    sa.Column('op_id', sa.String(length=36), nullable=False),
    sa.Column('confirmation_id', sa.String(length=36), nullable=False),
    sa.Column('outcome', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('credential_id', sa.String(length=1400), nullable=True),
    sa.Column('assertion_digest', sa.String(length=64), nullable=True),
    sa.Column('checked_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('op_id')
    )
    with op.batch_alter_table('confirmation_check', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confirmation_check_assertion_digest'), ['assertion_digest'], unique=False)
        batch_op.create_index(batch_op.f('ix_confirmation_check_confirmation_id'), ['confirmation_id'], unique=False)

    op.create_table('webauthn_ceremony',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('challenge', sa.String(length=128), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('trainee_id', sa.String(length=36), nullable=True),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('passkey',
    sa.Column('credential_id', sa.String(length=1400), nullable=False),
    sa.Column('user_id', sa.String(length=36), nullable=True),
    sa.Column('trainee_id', sa.String(length=36), nullable=True),
    sa.Column('public_key', sa.Text(), nullable=False),
    sa.Column('sign_count', sa.BigInteger(), nullable=False),
    sa.Column('transports', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('credential_id')
    )
    with op.batch_alter_table('passkey', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_passkey_trainee_id'), ['trainee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_passkey_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('confirmation', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification', sa.String(length=12), nullable=True))
        batch_op.add_column(sa.Column('verification_reason', sa.Text(), nullable=True))

    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cause', sa.String(length=20), server_default='merge', nullable=False))



def downgrade():
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.drop_column('cause')

    with op.batch_alter_table('confirmation', schema=None) as batch_op:
        batch_op.drop_column('verification_reason')
        batch_op.drop_column('verification')

    with op.batch_alter_table('passkey', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_passkey_user_id'))
        batch_op.drop_index(batch_op.f('ix_passkey_trainee_id'))

    op.drop_table('passkey')
    op.drop_table('webauthn_ceremony')
    with op.batch_alter_table('confirmation_check', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_confirmation_check_confirmation_id'))
        batch_op.drop_index(batch_op.f('ix_confirmation_check_assertion_digest'))

    op.drop_table('confirmation_check')
