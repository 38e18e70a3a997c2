"""What counts, as SQL pieces the rosters and the figures share (docs/dashboard.md §2).

Only live records count: a deleted or merged-away trainee, a deleted enrolment, session or
attendance never does. Attendance counts only for trainees enrolled in the session's course,
so an attendance rate can never pass 1.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import CTE, ColumnElement, Select, Subquery, and_, case, func, literal, null, select, text

from server.extensions import db
from server.models import Attendance, Course, CourseSession, Enrollment, Trainee

ATTENDED = ("present", "late")
ATTAINED_LEVEL = 2  # "can do alone"
# A trainee completes a course by attending (present or late) at least this share of its
# sessions; kept as a percentage so the comparison stays in integers in SQL.
COMPLETION_PERCENT = 80
GROUP_COLUMNS = ("commune_id", "gender", "ethnicity", "birth_year")


def live_trainee() -> ColumnElement[bool]:
    return and_(Trainee.deleted.is_(False), Trainee.merged_into.is_(None))


def live_enrolment() -> ColumnElement[bool]:
    """Return the condition for a live enrolment of a live trainee (join Trainee on it)."""
    return and_(Enrollment.deleted.is_(False), Trainee.id == Enrollment.trainee_id, live_trainee())


def sessions_in_range(courses: ColumnElement[bool], date_from: str | None, date_to: str | None) -> Subquery:
    """Return the live sessions (id, course_id) of the courses matching `courses`, between the dates."""
    query = (select(CourseSession.id, CourseSession.course_id)
             .join(Course, Course.id == CourseSession.course_id)
             .where(courses, CourseSession.deleted.is_(False)))
    if date_from:
        query = query.where(CourseSession.date >= date_from)
    if date_to:
        query = query.where(CourseSession.date <= date_to)
    return query.subquery("in_range")


def attended_by_enrolment(sessions: Subquery) -> Subquery:
    """Return (course_id, trainee_id, attended): sessions attended per trainee and course.

    Grouped before matching enrolments: one pass over the marks, hashed by (course, trainee).
    """
    return (select(sessions.c.course_id, Attendance.trainee_id, func.count().label("attended"))
            .select_from(Attendance).join(sessions, sessions.c.id == Attendance.session_id)
            .where(Attendance.deleted.is_(False), Attendance.status.in_(ATTENDED))
            .group_by(sessions.c.course_id, Attendance.trainee_id).subquery("attended"))


def enrolments(sessions: Subquery, courses: list[str]) -> CTE:
    """Return one row per enrolment in a course with sessions in range, with what figures need.

    Each row: the course's commune, the trainee and their gender, ethnicity and birth year,
    the course's sessions in range and how many of them the trainee attended. Materialised,
    so the groupings that read it scan the attendance once. `courses`, the ids of the courses
    with sessions in range, tells the planner how few enrolments a commune has.
    """
    per_course = (select(sessions.c.course_id, func.count().label("sessions"))
                  .group_by(sessions.c.course_id).subquery("per_course"))
    attended = attended_by_enrolment(sessions)
    return (select(Course.commune_id, Enrollment.trainee_id, Trainee.gender, Trainee.ethnicity, Trainee.birth_year,
                   per_course.c.sessions, func.coalesce(attended.c.attended, 0).label("attended"))
            .select_from(Enrollment)
            .join(per_course, per_course.c.course_id == Enrollment.course_id)
            .join(Trainee, live_enrolment())
            .join(Course, Course.id == Enrollment.course_id)
            .where(Enrollment.course_id.in_(courses))
            .outerjoin(attended, and_(attended.c.course_id == Enrollment.course_id,
                                      attended.c.trainee_id == Enrollment.trainee_id))
            .cte("enrolments").prefix_with("MATERIALIZED"))


def room_to_count() -> None:
    """Let PostgreSQL group a province's attendance in memory, for this request's transaction only.

    The province's figures group about a million marks by (course, trainee) text ids; with
    the default 4 MB of working memory the grouping spills to disk.
    """
    if without_jit():
        db.session.execute(text("SET LOCAL work_mem = '64MB'"))


def without_jit() -> bool:
    """Turn PostgreSQL's JIT off for this request's transaction; tell whether the database is PostgreSQL.

    Dashboard statements are planned as costly (big tables, many subplans), which turns JIT
    on, and compiling them takes longer than running them: up to a second for field health.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return False
    db.session.execute(text("SET LOCAL jit = off"))
    return True


def enrolment_figures(rows: CTE, kind: str, *group_by: str) -> Select[Any]:
    """Return the figures of the enrolments `rows`, one row per group, tagged with `kind`.

    Each row: kind, the four grouping columns (NULL where not grouped by), then person_times,
    reached (distinct trainees who attended), expected (Σ sessions in range), completed
    (enrolments at or above the completion share) and enrolled.
    """
    keys = [(rows.c[name] if name in group_by else null()).label(name) for name in GROUP_COLUMNS]
    completed = case((rows.c.attended * 100 >= rows.c.sessions * COMPLETION_PERCENT, 1), else_=0)
    reached = func.count(func.distinct(case((rows.c.attended > 0, rows.c.trainee_id))))
    return (select(literal(kind).label("kind"), *keys,
                   func.sum(rows.c.attended).label("person_times"), reached.label("reached"),
                   func.sum(rows.c.sessions).label("expected"), func.sum(completed).label("completed"),
                   func.count().label("enrolled"))
            .group_by(*[rows.c[name] for name in group_by]))


def rate(part: int | None, whole: int | None) -> float | None:
    """Return part / whole to four places, or None when there is nothing to divide."""
    return round((part or 0) / whole, 4) if whole else None
