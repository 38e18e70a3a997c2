"""What counts, as SQL pieces the rosters and the figures share (docs/dashboard.md §2).

Only live records count: a deleted or merged-away trainee, a deleted enrolment, session or
attendance never does; a trainee erased at their request does (server/attendance_counts.py).
Attendance counts only for trainees enrolled in the session's course, so an attendance rate
can never pass 1.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Select,
    Subquery,
    and_,
    case,
    func,
    literal,
    null,
    or_,
    select,
    text,
    union_all,
)

from server.attendance_counts import ATTENDED, counted_trainee
from server.database import among
from server.extensions import db
from server.models import Attendance, AttendedCount, Course, CourseSession, EnrolledTrainee, Enrollment, Trainee
from server.period_figures import ALL_DATES, COMPLETION_PERCENT

GROUP_COLUMNS = ("commune_id", "gender", "ethnicity", "birth_year")


def live_trainee() -> ColumnElement[bool]:
    return and_(Trainee.deleted.is_(False), Trainee.merged_into.is_(None))


def counted_enrolment() -> ColumnElement[bool]:
    """Return the condition for a live enrolment of a counted trainee (join Trainee on it).

    Counted: live, or erased while live (server/attendance_counts.py), who counts with no name.
    """
    return and_(Enrollment.deleted.is_(False), Trainee.id == Enrollment.trainee_id, counted_trainee())


def sessions_in_range(courses: ColumnElement[bool], date_from: str | None, date_to: str | None) -> Subquery:
    """Return the live sessions (id, course_id, commune_id) of the courses matching `courses`, between the dates."""
    query = (select(CourseSession.id, CourseSession.course_id, Course.commune_id)
             .join(Course, Course.id == CourseSession.course_id)
             .where(courses, CourseSession.deleted.is_(False)))
    if date_from:
        query = query.where(CourseSession.date >= date_from)
    if date_to:
        query = query.where(CourseSession.date <= date_to)
    return query.subquery("in_range")


def attended_in_range(course_ids: Any, date_from: str | None, date_to: str | None) -> Subquery:
    """Return (course_id, trainee_id, attended): live sessions attended per trainee of these courses, in range.

    Read from the kept counts (server/attendance_counts.py) for every whole month in range,
    and from the marks only for the days at either end that do not fill a month.
    """
    counted = (select(AttendedCount.course_id, AttendedCount.trainee_id, AttendedCount.attended)
               .where(among(AttendedCount.course_id, course_ids)))
    first, after = whole_months(date_from, date_to)
    parts: list[Any] = []  # selects of (course_id, trainee_id, attended)
    windows: list[ColumnElement[bool]] = []
    if first is None or after is None or first < after:
        months = counted.where(AttendedCount.month != ALL_DATES)
        if first is not None:
            months = months.where(AttendedCount.month >= first.isoformat()[:7])
        if after is not None:
            months = months.where(AttendedCount.month < after.isoformat()[:7])
        parts.append(months)
        if date_from and first is not None and date_from < first.isoformat():
            windows.append(and_(CourseSession.date >= date_from, CourseSession.date < first.isoformat()))
        if date_to and after is not None and date_to >= after.isoformat():
            windows.append(and_(CourseSession.date >= after.isoformat(), CourseSession.date <= date_to))
    else:
        windows.append(and_(CourseSession.date >= date_from, CourseSession.date <= date_to))
    if windows:
        parts.append(marks_in(course_ids, or_(*windows)))
    both = union_all(*parts).subquery("parts")
    return (select(both.c.course_id, both.c.trainee_id, func.sum(both.c.attended).label("attended"))
            .group_by(both.c.course_id, both.c.trainee_id).subquery("attended"))


def whole_months(date_from: str | None, date_to: str | None) -> tuple[date | None, date | None]:
    """Return the first day of the first month wholly in range and the day after the last one's end.

    None where the range is open at that end.
    """
    first = after = None
    if date_from:
        day = date.fromisoformat(date_from)
        first = day if day.day == 1 else _next_month(day)
    if date_to:
        day = date.fromisoformat(date_to)
        after = _next_month(day) if (day + timedelta(days=1)).day == 1 else day.replace(day=1)
    return first, after


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def marks_in(course_ids: Any, dates: ColumnElement[bool]) -> Select[str | None, str | None, int]:
    """Return (course_id, trainee_id, attended) counted from the marks of the live sessions on `dates`."""
    return (select(CourseSession.course_id, Attendance.trainee_id, func.count().label("attended"))
            .select_from(Attendance).join(CourseSession, CourseSession.id == Attendance.session_id)
            .where(among(CourseSession.course_id, course_ids), CourseSession.deleted.is_(False), dates,
                   Attendance.deleted.is_(False), Attendance.status.in_(ATTENDED))
            .group_by(CourseSession.course_id, Attendance.trainee_id))


def enrolments(sessions: Subquery, courses: list[str], date_from: str | None, date_to: str | None) -> CTE:
    """Return one row per enrolment in a course with sessions in range, with what figures need.

    Each row: the course's commune, the trainee and their gender, ethnicity and birth year,
    the course's sessions in range and how many of them the trainee attended. Read from the
    kept enrolled-trainee rows (server/attendance_counts.py), and over a date range from the
    attended counts too. Materialised, so the groupings that read it compute it once.
    `courses`, the ids of the courses with sessions in range, tells the planner how few
    enrolments a commune has.
    """
    per_course = (select(sessions.c.course_id, sessions.c.commune_id, func.count().label("sessions"))
                  .group_by(sessions.c.course_id, sessions.c.commune_id).subquery("per_course"))
    rows = EnrolledTrainee
    if date_from or date_to:
        in_range = attended_in_range(courses, date_from, date_to)
        attended: ColumnElement[int] = func.coalesce(in_range.c.attended, 0)
    else:
        attended = rows.attended
    query = (select(per_course.c.commune_id, rows.trainee_id, rows.gender, rows.ethnicity, rows.birth_year,
                    per_course.c.sessions, attended.label("attended"))
             .select_from(rows)
             .join(per_course, per_course.c.course_id == rows.course_id)
             .where(among(rows.course_id, courses)))
    if date_from or date_to:
        query = query.outerjoin(in_range, and_(in_range.c.course_id == rows.course_id,
                                               in_range.c.trainee_id == rows.trainee_id))
    return query.cte("enrolments").prefix_with("MATERIALIZED")


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


def enrolment_figures(rows: CTE, kind: str, *group_by: str) -> list[Select[Any]]:
    """Return the figures of the enrolments `rows`, one row per group, tagged with `kind`, in two selects.

    Each row: kind, the four grouping columns (NULL where not grouped by), then person_times,
    reached (distinct trainees who attended), expected (Σ sessions in range), completed
    (enrolments at or above the completion share) and enrolled. The first select sums what adds
    up and leaves reached 0; the second counts reached alone and leaves the rest 0, over the
    distinct trainees who attended: hashed, where counting them distinct sorted each group.
    """
    grouped = [rows.c[name] for name in group_by]
    keys = group_keys([rows.c[name] for name in group_by])
    completed = case((rows.c.attended * 100 >= rows.c.sessions * COMPLETION_PERCENT, 1), else_=0)
    sums = (select(literal(kind).label("kind"), *keys,
                   func.sum(rows.c.attended).label("person_times"), literal(0).label("reached"),
                   func.sum(rows.c.sessions).label("expected"), func.sum(completed).label("completed"),
                   func.count().label("enrolled"))
            .group_by(*grouped))
    attended = select(*grouped, rows.c.trainee_id).where(rows.c.attended > 0).distinct().subquery(f"{kind}_reached")
    reached_keys = group_keys([attended.c[name] for name in group_by])
    reached = (select(literal(kind).label("kind"), *reached_keys, literal(0), func.count(), literal(0), literal(0),
                      literal(0))
               .group_by(*[attended.c[name] for name in group_by]))
    return [sums, reached]


def group_keys(grouped: list[Any]) -> list[ColumnElement[Any]]:
    """Return the four grouping columns of a figures row: the grouped ones, by name, and NULL for the others."""
    named = {column.key: column for column in grouped}
    return [(named[name] if name in named else null()).label(name) for name in GROUP_COLUMNS]


def rate(part: int | None, whole: int | None) -> float | None:
    """Return part / whole to four places, or None when there is nothing to divide."""
    return round((part or 0) / whole, 4) if whole else None
