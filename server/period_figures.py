"""Each counted trainee's figures per commune and standard period, kept right by recounting per trainee.

The figures over all dates, a calendar year, quarter or month read `trainee_period`, one row
per trainee and commune, instead of every enrolment joined to its course's sessions in range
(docs/architecture.md, decision 26); a custom range or a program still counts from the
enrolments (server/dashboard/counting.py), and both give the same figures.

Like the counts they are made from, a trainee's rows are never patched: once the courses'
kept rows are recounted (server/attendance_counts.py), the rows of every trainee a batch may
have changed (enrolled in a recounted course, or written about) are deleted and selected again.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
    union_all,
)

from server.database import execute_for_ids
from server.models import AttendedCount, Course, CourseSession, EnrolledTrainee, TraineePeriod

ALL_DATES = "*"  # the period of every date, as in `attended_count.month`
# A trainee completes a course by attending (present or late) at least this share of its
# sessions; kept as a percentage so the comparison stays in integers in SQL.
COMPLETION_PERCENT = 80
TRAINEES = bindparam("trainees", expanding=True)
COLUMNS = ["period", "commune_id", "trainee_id", "gender", "ethnicity", "birth_year", "attended", "sessions",
           "completed", "enrolled", "several_communes"]


def year_of(day: Any) -> Any:
    """Return "YYYY" of an ISO date (or "YYYY-MM") column."""
    return func.substr(day, 1, 4)


def quarter_of(day: Any) -> Any:
    """Return "YYYY-Qn" of an ISO date (or "YYYY-MM") column."""
    quarter = (cast(func.substr(day, 6, 2), Integer) + 2) // 3
    return year_of(day) + literal("-Q") + cast(quarter, String)


def month_of(day: Any) -> Any:
    """Return "YYYY-MM" of an ISO date column."""
    return func.substr(day, 1, 7)


def _sessions(courses: Any) -> Any:
    """Return (course, period, live sessions) of the live courses in `courses`, per period with sessions."""
    dated = (select(CourseSession.course_id, CourseSession.date)
             .join(Course, and_(Course.id == CourseSession.course_id, Course.deleted.is_(False)))
             .where(CourseSession.course_id.in_(courses), CourseSession.deleted.is_(False)).cte("dated"))
    every = select(dated.c.course_id, literal(ALL_DATES).label("period"), func.count().label("sessions"))
    parts = [every.group_by(dated.c.course_id)]
    for period_of in (year_of, quarter_of, month_of):
        period = period_of(dated.c.date)
        parts.append(select(dated.c.course_id, period, func.count()).where(dated.c.date.is_not(None))
                     .group_by(dated.c.course_id, period))
    return union_all(*parts).subquery("periods")


def _attended(enrolled: Any) -> Any:
    """Return (course, trainee, period, attended marks) of the enrolments `enrolled`, for every period with marks."""
    counted = (select(AttendedCount.course_id, AttendedCount.trainee_id, AttendedCount.month, AttendedCount.attended)
               .join(enrolled, and_(enrolled.c.course_id == AttendedCount.course_id,
                                    enrolled.c.trainee_id == AttendedCount.trainee_id)).cte("counted"))
    parts: list[Any] = [select(counted.c.course_id, counted.c.trainee_id, counted.c.month.label("period"),
                               counted.c.attended.label("attended"))]
    for period_of in (year_of, quarter_of):
        period = period_of(counted.c.month)
        parts.append(select(counted.c.course_id, counted.c.trainee_id, period, func.sum(counted.c.attended))
                     .where(counted.c.month != ALL_DATES)
                     .group_by(counted.c.course_id, counted.c.trainee_id, period))
    return union_all(*parts).subquery("attended")


def _periods(trainees: ColumnElement[bool]) -> Any:
    """Return the trainee-period rows of the trainees matching `trainees`, as rows to insert."""
    enrolled = (select(EnrolledTrainee.course_id, EnrolledTrainee.trainee_id, EnrolledTrainee.gender,
                       EnrolledTrainee.ethnicity, EnrolledTrainee.birth_year)
                .where(trainees).cte("enrolled"))
    sessions = _sessions(select(enrolled.c.course_id))
    attended_marks = _attended(enrolled)
    attended = func.coalesce(attended_marks.c.attended, 0)
    completed = case((attended * 100 >= sessions.c.sessions * COMPLETION_PERCENT, 1), else_=0)
    keys = (sessions.c.period, Course.commune_id, enrolled.c.trainee_id, enrolled.c.gender, enrolled.c.ethnicity,
            enrolled.c.birth_year)
    per_commune = (select(*keys, func.sum(attended).label("attended"), func.sum(sessions.c.sessions).label("sessions"),
                          func.sum(completed).label("completed"), func.count().label("enrolled"))
                   .select_from(enrolled)
                   .join(Course, Course.id == enrolled.c.course_id)
                   .join(sessions, sessions.c.course_id == enrolled.c.course_id)
                   .outerjoin(attended_marks, and_(attended_marks.c.course_id == enrolled.c.course_id,
                                                   attended_marks.c.trainee_id == enrolled.c.trainee_id,
                                                   attended_marks.c.period == sessions.c.period))
                   .where(Course.commune_id.is_not(None))
                   .group_by(*keys).subquery("per_commune"))
    communes = func.count().over(partition_by=[per_commune.c.trainee_id, per_commune.c.period])
    return select(*per_commune.c, communes > 1)


@cache
def _statements(every_trainee: bool) -> tuple[Executable, Executable]:
    """Build once the statements that select again the period rows of `:trainees`, or of everyone."""
    kept = TraineePeriod.trainee_id.is_not(None) if every_trainee else TraineePeriod.trainee_id.in_(TRAINEES)
    source = EnrolledTrainee.trainee_id.is_not(None) if every_trainee else EnrolledTrainee.trainee_id.in_(TRAINEES)
    return delete(TraineePeriod).where(kept), insert(TraineePeriod).from_select(COLUMNS, _periods(source))


def recount_periods(trainee_ids: Iterable[str]) -> None:
    """Select again the period rows of these trainees: two statements per 500 trainees."""
    execute_for_ids(_statements, "trainees", trainee_ids)


def recount_all_periods() -> None:
    """Select every trainee's period rows again (after a restore, or to repair them)."""
    execute_for_ids(_statements, "trainees", None)
