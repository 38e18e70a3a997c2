"""conflict rev: conflicts travel to devices in the pull

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30 09:12:04.218337

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rev', sa.BigInteger(), nullable=True))

    # Conflicts opened before this migration get revs past every rev handed out so far, so
    # every device pulls the ones it may see. Adding the row id keeps them unique; the
    # counter then moves past the largest, so no later rev repeats one.
    op.execute("UPDATE conflict SET rev = id + (SELECT value FROM revision WHERE revision.id = 1)")
    op.execute("UPDATE revision SET value = value + (SELECT COALESCE(MAX(id), 0) FROM conflict)"
               " WHERE revision.id = 1")

    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.alter_column('rev', existing_type=sa.BigInteger(), nullable=False)
        batch_op.create_index(batch_op.f('ix_conflict_rev'), ['rev'], unique=False)


def downgrade():
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflict_rev'))
        batch_op.drop_column('rev')
