"""dashboard indexes: the attendance marks counted, open conflicts

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 05:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Only the live marks present or late, which every attendance figure counts: the figures
    # and the course list read (session, trainee) from the index without visiting the table.
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.create_index('ix_attendance_attended', ['session_id', 'trainee_id'], unique=False,
                              postgresql_where=sa.text("deleted IS false AND status IN ('present', 'late')"),
                              sqlite_where=sa.text("deleted IS 0 AND status IN ('present', 'late')"))
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.create_index('ix_conflict_open', ['opened_at', 'id'], unique=False,
                              postgresql_where=sa.text('resolved_at IS NULL'),
                              sqlite_where=sa.text('resolved_at IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.drop_index('ix_conflict_open')
    with op.batch_alter_table('attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_attendance_attended')
