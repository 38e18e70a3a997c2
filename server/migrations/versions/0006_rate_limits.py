"""rate limits

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 04:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rate_limit_hit',
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('client', sa.String(length=64), nullable=False),
    sa.Column('window_start_s', sa.BigInteger(), autoincrement=False, nullable=False),
    sa.Column('window_end_s', sa.BigInteger(), nullable=False),
    sa.Column('hits', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('action', 'client', 'window_start_s')
    )
    with op.batch_alter_table('rate_limit_hit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rate_limit_hit_window_end_s'), ['window_end_s'], unique=False)


def downgrade():
    with op.batch_alter_table('rate_limit_hit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rate_limit_hit_window_end_s'))

    op.drop_table('rate_limit_hit')
