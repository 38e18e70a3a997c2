"""enrolled trainees, skill tallies and repeated checks: what the figures count, kept by the apply path; trainee.erased_while_live

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

# What server/attendance_counts.py and server/skill_repeats.py count, frozen here: each live
# enrolment of a live trainee (a trainee erased before this revision was live or not: nobody
# knows, so they stay out, as they were); per course and skill the checks of those; and the
# checks of a trainee on a skill checked in more than one course.
ENROLLED = """
INSERT INTO enrolled_trainee (course_id, trainee_id, gender, ethnicity, birth_year, attended)
SELECT e.course_id, e.trainee_id, t.gender, t.ethnicity, t.birth_year, coalesce(c.attended, 0)
FROM enrollment e
JOIN trainee t ON t.id = e.trainee_id AND t.merged_into IS NULL AND t.deleted = :no
LEFT JOIN attended_count c ON c.course_id = e.course_id AND c.trainee_id = e.trainee_id AND c.month = '*'
WHERE e.deleted = :no AND e.course_id IS NOT NULL
"""
SKILLS = """
INSERT INTO skill_tally (course_id, skill_code, assessed, attained)
SELECT s.course_id, s.skill_code, count(*), sum(CASE WHEN s.level >= 2 THEN 1 ELSE 0 END)
FROM skill_check s
JOIN enrolled_trainee e ON e.course_id = s.course_id AND e.trainee_id = s.trainee_id
WHERE s.deleted = :no AND s.skill_code IS NOT NULL
GROUP BY s.course_id, s.skill_code
"""
# The course list's tally, counted again from those rows: an erased trainee counts from now on.
TALLY = """
INSERT INTO course_tally (course_id, trainees, attended)
SELECT course_id, count(*), sum(attended) FROM enrolled_trainee GROUP BY course_id
"""
REPEATED = """
INSERT INTO repeated_check (trainee_id, skill_code, course_id, level)
WITH live AS (
  SELECT s.trainee_id, s.skill_code, s.course_id, s.level FROM skill_check s
  JOIN enrolled_trainee e ON e.course_id = s.course_id AND e.trainee_id = s.trainee_id
  WHERE s.deleted = :no AND s.skill_code IS NOT NULL)
SELECT live.trainee_id, live.skill_code, live.course_id, live.level FROM live
JOIN (SELECT trainee_id, skill_code FROM live GROUP BY trainee_id, skill_code HAVING count(*) > 1) twice
  ON twice.trainee_id = live.trainee_id AND twice.skill_code = live.skill_code
"""


def upgrade() -> None:
    with op.batch_alter_table('trainee') as batch_op:
        batch_op.add_column(sa.Column('erased_while_live', sa.Boolean(), nullable=True))
    op.create_table('enrolled_trainee',
    sa.Column('course_id', sa.String(length=36), nullable=False),
    sa.Column('trainee_id', sa.String(length=36), nullable=False),
    sa.Column('gender', sa.String(length=10), nullable=True),
    sa.Column('ethnicity', sa.String(length=200), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('course_id', 'trainee_id')
    )
    op.create_table('skill_tally',
    sa.Column('course_id', sa.String(length=36), nullable=False),
    sa.Column('skill_code', sa.String(length=200), nullable=False),
    sa.Column('assessed', sa.Integer(), nullable=False),
    sa.Column('attained', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('course_id', 'skill_code')
    )
    op.create_table('repeated_check',
    sa.Column('trainee_id', sa.String(length=36), nullable=False),
    sa.Column('skill_code', sa.String(length=200), nullable=False),
    sa.Column('course_id', sa.String(length=36), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('trainee_id', 'skill_code', 'course_id')
    )
    op.get_bind().execute(sa.text("DELETE FROM course_tally"))
    for fill in (ENROLLED, SKILLS, TALLY, REPEATED):
        op.get_bind().execute(sa.text(fill), {"no": False})


def downgrade() -> None:
    op.drop_table('repeated_check')
    op.drop_table('skill_tally')
    op.drop_table('enrolled_trainee')
    with op.batch_alter_table('trainee') as batch_op:
        batch_op.drop_column('erased_while_live')
