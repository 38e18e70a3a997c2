"""attended counts: marks present or late per course, trainee and month, and a tally per course, for the dashboard

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 07:45:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

# The marks counted, as server/attendance_counts.py counts them, frozen here: per month of
# the session's date, and in all under the month "*".
FILL = """
INSERT INTO attended_count (course_id, trainee_id, month, attended)
SELECT course_id, trainee_id, substr(date, 1, 7), count(*) FROM marks WHERE date IS NOT NULL
GROUP BY course_id, trainee_id, substr(date, 1, 7)
UNION ALL
SELECT course_id, trainee_id, '*', count(*) FROM marks GROUP BY course_id, trainee_id
"""
TALLY = """
INSERT INTO course_tally (course_id, trainees, attended)
SELECT e.course_id, count(*), coalesce(sum(c.attended), 0) FROM enrollment e
JOIN trainee t ON t.id = e.trainee_id AND t.deleted = :no AND t.merged_into IS NULL
LEFT JOIN attended_count c ON c.course_id = e.course_id AND c.trainee_id = e.trainee_id AND c.month = '*'
WHERE e.deleted = :no AND e.course_id IS NOT NULL
GROUP BY e.course_id
"""
MARKS = """
WITH marks AS (
  SELECT s.course_id, a.trainee_id, s.date FROM attendance a JOIN session s ON s.id = a.session_id
  WHERE a.deleted = :no AND a.status IN ('present', 'late') AND a.trainee_id IS NOT NULL
    AND s.deleted = :no AND s.course_id IS NOT NULL)
"""


def upgrade() -> None:
    op.create_table('attended_count',
    sa.Column('course_id', sa.String(length=36), nullable=False),
    sa.Column('trainee_id', sa.String(length=36), nullable=False),
    sa.Column('month', sa.String(length=7), nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('course_id', 'trainee_id', 'month')
    )
    op.create_table('course_tally',
    sa.Column('course_id', sa.String(length=36), nullable=False),
    sa.Column('trainees', sa.Integer(), nullable=False),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('course_id')
    )
    # SQLite wants the WITH after INSERT's column list; PostgreSQL takes it there too.
    insert, select = FILL.strip().split("\n", 1)
    op.get_bind().execute(sa.text(f"{insert}\n{MARKS}\n{select}"), {"no": False})
    op.get_bind().execute(sa.text(TALLY), {"no": False})


def downgrade() -> None:
    op.drop_table('course_tally')
    op.drop_table('attended_count')
