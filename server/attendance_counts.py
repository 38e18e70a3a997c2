"""Counts the dashboard reads instead of every mark of a province, kept right by recounting.

`attended_count`: attended marks per course, trainee and month. `course_tally`: per course,
its live enrolments of live trainees and their attended marks (the course list).

They are never adjusted by ±1: the apply path notes the courses whose counts a batch may
have changed (the old and new course of each mark, session or enrolment written, and the
courses of a trainee deleted, merged or brought back) and recounts exactly those courses from
the rows, in the batch's transaction. So the counts equal a recount by construction, whatever
the write (a mark, a session moved to another month, a trainee merge's replayed marks), and
recounting twice changes nothing. A course holds a few hundred marks: recounting one reads
them by index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, and_, delete, func, insert, literal, select, union_all

from server.extensions import db
from server.models import Attendance, AttendedCount, CourseSession, CourseTally, Enrollment, Trainee
from server.row_cache import RowCache

ATTENDED = ("present", "late")
ALL_DATES = "*"  # the month of an enrolment's total over every date
CHUNK = 500
# The columns whose change can change a count, per entity written (with `deleted`).
WATCHED = {"attendance": ("session_id", "trainee_id", "status"), "session": ("course_id", "date"),
           "enrollment": ("course_id", "trainee_id"), "trainee": ("merged_into",)}


def month_of(date_column: Any) -> Any:
    """Return "YYYY-MM" of an ISO date column."""
    return func.substr(date_column, 1, 7)


def _counted(courses: ColumnElement[bool]) -> Any:
    """Return the counts of the courses matching `courses`, per month and in all, as rows to insert."""
    marks = (select(CourseSession.course_id, Attendance.trainee_id, CourseSession.date)
             .join(CourseSession, CourseSession.id == Attendance.session_id)
             .where(courses, Attendance.deleted.is_(False), Attendance.status.in_(ATTENDED),
                    Attendance.trainee_id.is_not(None), CourseSession.deleted.is_(False))
             .subquery("marks"))
    month = month_of(marks.c.date)
    by_month = (select(marks.c.course_id, marks.c.trainee_id, month, func.count())
                .where(marks.c.date.is_not(None)).group_by(marks.c.course_id, marks.c.trainee_id, month))
    in_all = (select(marks.c.course_id, marks.c.trainee_id, literal(ALL_DATES), func.count())
              .group_by(marks.c.course_id, marks.c.trainee_id))
    return union_all(by_month, in_all)


def _tallied(courses: ColumnElement[bool]) -> Any:
    """Return (course, live enrolments, their attended marks) of the courses matching `courses`."""
    return (select(Enrollment.course_id, func.count(), func.coalesce(func.sum(AttendedCount.attended), 0))
            .join(Trainee, and_(Trainee.id == Enrollment.trainee_id, Trainee.deleted.is_(False),
                                Trainee.merged_into.is_(None)))
            .outerjoin(AttendedCount, and_(AttendedCount.course_id == Enrollment.course_id,
                                           AttendedCount.trainee_id == Enrollment.trainee_id,
                                           AttendedCount.month == ALL_DATES))
            .where(courses, Enrollment.deleted.is_(False))
            .group_by(Enrollment.course_id))


def _replace(courses: Sequence[str] | None) -> None:
    """Count again the courses whose ids `courses` lists (a list, or None for every course)."""
    for model, count, column, counted in (
            (AttendedCount, _counted, CourseSession.course_id, ["course_id", "trainee_id", "month", "attended"]),
            (CourseTally, _tallied, Enrollment.course_id, ["course_id", "trainees", "attended"])):
        chosen = model.course_id.is_not(None) if courses is None else model.course_id.in_(courses)
        db.session.execute(delete(model).where(chosen).execution_options(synchronize_session=False))
        source = column.is_not(None) if courses is None else column.in_(courses)
        db.session.execute(insert(model).from_select(counted, count(source)))


def recount(course_ids: Iterable[str]) -> None:
    """Count again the marks and enrolments of these courses: four statements per 500 courses."""
    wanted = sorted(set(course_ids))
    for start in range(0, len(wanted), CHUNK):
        _replace(wanted[start:start + CHUNK])


def recount_all() -> None:
    """Count everything again (after a restore, or to repair the counts)."""
    _replace(None)


def _counts(status: str | None, deleted: bool) -> bool:
    return not deleted and status in ATTENDED


class ChangedCourses:
    """The courses whose counts a batch's writes may have changed, recounted once before commit."""

    def __init__(self, rows: RowCache) -> None:
        self.rows = rows  # the batch's RowCache: a mark's session, to find its course
        self.courses: set[str] = set()
        self.trainees: set[str] = set()  # whose enrolments' courses to recount

    def note(self, entity: str, row: Any, fields: dict[str, Any], deleted: bool) -> None:
        """Note the courses of a record about to be written, before and after, if a counted column changes.

        Call before `row` takes the new values. A session's old course comes from its row; a
        mark's, from its session's row, whose course a session write in this batch already noted.
        """
        watched = WATCHED.get(entity)
        if watched is None:
            return
        before = [getattr(row, name) for name in watched]
        after = [fields.get(name, old) for name, old in zip(watched, before, strict=True)]
        if before == after and bool(row.deleted) == deleted:
            return
        if entity == "attendance" and not (_counts(before[2], bool(row.deleted)) or _counts(after[2], deleted)):
            return  # an absent mark that stays uncounted
        if entity in ("session", "enrollment"):
            self.courses.update(course_id for course_id in (before[0], after[0]) if course_id)
            return
        if entity == "trainee":
            self.trainees.add(row.id)
            return
        self.courses.update(self._course_of(session_id) for session_id in {before[0], after[0]} if session_id)
        self.courses.discard("")

    def _course_of(self, session_id: str) -> str:
        session = self.rows.get("session", session_id)
        return (session.course_id if session is not None else None) or ""

    def recount(self) -> None:
        """Recount the noted courses (the caller has stored the batch's rows), then forget them."""
        if not (self.courses or self.trainees):
            return
        changed, trainees, self.courses, self.trainees = self.courses, sorted(self.trainees), set(), set()
        db.session.flush()
        for start in range(0, len(trainees), CHUNK):
            changed.update(course_id for course_id in db.session.scalars(select(Enrollment.course_id).where(
                Enrollment.trainee_id.in_(trainees[start:start + CHUNK]))) if course_id)
        recount(changed)
