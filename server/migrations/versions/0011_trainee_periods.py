"""trainee periods: each counted trainee's figures per commune and standard period, kept by the apply path

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 13:40:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

# What server/period_figures.py counts, frozen here: per trainee, commune and period (every
# date, a year, a quarter, a month), their enrolments in live courses with live sessions in the
# period, with their course's sessions and their attended marks in it. A date whose month is not
# 01-12 counts over every date only, as `periods_of` says (and no cast fails on it).
MONTH = "substr({}, 6, 2) IN ('01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12')"
PERIODS = """
INSERT INTO trainee_period (period, commune_id, trainee_id, gender, ethnicity, birth_year, attended, sessions,
                            completed, enrolled, several_communes)
WITH dated AS (
  SELECT s.course_id, s.date FROM session s JOIN course c ON c.id = s.course_id AND c.deleted = :no
  WHERE s.deleted = :no),
sessions AS (
  SELECT course_id, '*' AS period, count(*) AS sessions FROM dated GROUP BY course_id
  UNION ALL SELECT course_id, substr(date, 1, 4), count(*) FROM dated WHERE {dated}
    GROUP BY course_id, substr(date, 1, 4)
  UNION ALL SELECT course_id, substr(date, 1, 4) || '-Q' || CAST((CAST(substr(date, 6, 2) AS INTEGER) + 2) / 3 AS VARCHAR),
    count(*) FROM dated WHERE {dated}
    GROUP BY course_id, substr(date, 1, 4) || '-Q' || CAST((CAST(substr(date, 6, 2) AS INTEGER) + 2) / 3 AS VARCHAR)
  UNION ALL SELECT course_id, substr(date, 1, 7), count(*) FROM dated WHERE {dated}
    GROUP BY course_id, substr(date, 1, 7)),
attended AS (
  SELECT course_id, trainee_id, month AS period, attended FROM attended_count
  UNION ALL SELECT course_id, trainee_id, substr(month, 1, 4), sum(attended) FROM attended_count WHERE {counted}
    GROUP BY course_id, trainee_id, substr(month, 1, 4)
  UNION ALL SELECT course_id, trainee_id,
    substr(month, 1, 4) || '-Q' || CAST((CAST(substr(month, 6, 2) AS INTEGER) + 2) / 3 AS VARCHAR), sum(attended)
    FROM attended_count WHERE {counted}
    GROUP BY course_id, trainee_id,
      substr(month, 1, 4) || '-Q' || CAST((CAST(substr(month, 6, 2) AS INTEGER) + 2) / 3 AS VARCHAR)),
per_commune AS (
  SELECT p.period, c.commune_id, e.trainee_id, e.gender, e.ethnicity, e.birth_year,
    sum(coalesce(a.attended, 0)) AS attended, sum(p.sessions) AS sessions,
    sum(CASE WHEN coalesce(a.attended, 0) * 100 >= p.sessions * 80 THEN 1 ELSE 0 END) AS completed,
    count(*) AS enrolled
  FROM enrolled_trainee e
  JOIN course c ON c.id = e.course_id
  JOIN sessions p ON p.course_id = e.course_id
  LEFT JOIN attended a ON a.course_id = e.course_id AND a.trainee_id = e.trainee_id AND a.period = p.period
  WHERE c.commune_id IS NOT NULL
  GROUP BY p.period, c.commune_id, e.trainee_id, e.gender, e.ethnicity, e.birth_year)
SELECT period, commune_id, trainee_id, gender, ethnicity, birth_year, attended, sessions, completed, enrolled,
  count(*) OVER (PARTITION BY trainee_id, period) > 1
FROM per_commune
""".format(dated=MONTH.format("date"), counted=MONTH.format("month"))


def upgrade() -> None:
    op.create_table('trainee_period',
    sa.Column('period', sa.String(length=7), nullable=False),
    sa.Column('commune_id', sa.String(length=36), nullable=False),
    sa.Column('trainee_id', sa.String(length=36), nullable=False),
    sa.Column('gender', sa.String(length=10), nullable=True),
    sa.Column('ethnicity', sa.String(length=200), nullable=True),
    sa.Column('birth_year', sa.Integer(), nullable=True),
    sa.Column('attended', sa.Integer(), nullable=False),
    sa.Column('sessions', sa.Integer(), nullable=False),
    sa.Column('completed', sa.Integer(), nullable=False),
    sa.Column('enrolled', sa.Integer(), nullable=False),
    sa.Column('several_communes', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('period', 'commune_id', 'trainee_id')
    )
    op.create_index('ix_trainee_period_trainee', 'trainee_period', ['trainee_id'], unique=False)
    op.create_index('ix_enrolled_trainee_trainee', 'enrolled_trainee', ['trainee_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':  # what the figures read, from the index alone
        op.create_index('ix_trainee_period_figures', 'trainee_period', ['period', 'commune_id'], unique=False,
                        postgresql_include=['trainee_id', 'gender', 'ethnicity', 'birth_year', 'attended', 'sessions',
                                            'completed', 'enrolled', 'several_communes'])
    op.get_bind().execute(sa.text(PERIODS), {"no": False})


def downgrade() -> None:
    op.drop_index('ix_enrolled_trainee_trainee', table_name='enrolled_trainee')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_trainee_period_figures', table_name='trainee_period')
    op.drop_index('ix_trainee_period_trainee', table_name='trainee_period')
    op.drop_table('trainee_period')
