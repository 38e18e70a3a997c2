"""Counts the dashboard reads instead of every mark of a province, kept right by recounting.

`attended_count`: attended marks per course, trainee and month. `enrolled_trainee`: each live
enrolment of a counted trainee (`counted_trainee`), with the trainee's gender, ethnicity and
birth year (the figures).
`course_tally`: per course, its live enrolments and their attended marks (the course list).
`skill_tally`: per course and skill, the enrolled trainees checked and those at the attained level.

They are never adjusted by ±1: the apply path notes the courses whose counts a batch may
have changed (the old and new course of each mark, session, enrolment or skill check written,
every course of a trainee edited, deleted, merged or brought back, and a course deleted or
brought back) and recounts exactly those courses from the rows, in the batch's transaction;
then the repeated skill checks of the trainees it wrote about (server/skill_repeats.py), and
the period figures of those and of the recounted courses' trainees (server/period_figures.py).
So the counts equal a recount by construction, whatever the write (a mark, a session moved to
another month, a trainee merge's replayed marks), and recounting twice changes nothing. A
course holds a few hundred marks: recounting one reads them by index.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Executable,
    Select,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
)

from server.database import execute_for_ids, scalars_for_ids
from server.extensions import db
from server.models import (
    Attendance,
    AttendedCount,
    CourseSession,
    CourseTally,
    EnrolledTrainee,
    Enrollment,
    SkillCheck,
    SkillTally,
    Trainee,
)
from server.period_figures import ALL_DATES, recount_all_periods, recount_periods
from server.row_cache import RowCache
from server.skill_repeats import recount_all_repeats, recount_repeats

ATTENDED = ("present", "late")
ATTAINED_LEVEL = 2  # "can do alone"
COURSES = bindparam("courses", expanding=True)
# The columns whose change can change a count, per entity written (with `deleted`).
WATCHED = {"attendance": ("session_id", "trainee_id", "status"), "session": ("course_id", "date"),
           "enrollment": ("course_id", "trainee_id"), "skill_check": ("course_id", "trainee_id", "skill_code", "level"),
           "trainee": ("merged_into", "gender", "ethnicity", "birth_year"), "course": ()}


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


def counted_trainee() -> ColumnElement[bool]:
    """Return the condition that a trainee counts: live, or erased at their request while live (docs/privacy.md).

    An erased trainee is tombstoned, yet what they did stays in the province's counts, as a
    person whose gender, ethnicity and age are not recorded; one deleted before the erasure
    stays out. A merged-away duplicate never counts: its records moved to the survivor.
    """
    return and_(Trainee.merged_into.is_(None), or_(Trainee.deleted.is_(False), Trainee.erased_while_live.is_(True)))


def _enrolled(courses: ColumnElement[bool]) -> Any:
    """Return the live enrolments of counted trainees in the courses matching `courses`, as enrolled-trainee rows."""
    return (select(Enrollment.course_id, Enrollment.trainee_id, Trainee.gender, Trainee.ethnicity,
                   Trainee.birth_year, func.coalesce(AttendedCount.attended, 0))
            .join(Trainee, and_(Trainee.id == Enrollment.trainee_id, counted_trainee()))
            .outerjoin(AttendedCount, and_(AttendedCount.course_id == Enrollment.course_id,
                                           AttendedCount.trainee_id == Enrollment.trainee_id,
                                           AttendedCount.month == ALL_DATES))
            .where(courses, Enrollment.deleted.is_(False)))


def _tallied(courses: ColumnElement[bool]) -> Any:
    """Return (course, live enrolments, their attended marks) of the courses matching `courses`."""
    return (select(EnrolledTrainee.course_id, func.count(), func.sum(EnrolledTrainee.attended))
            .where(courses).group_by(EnrolledTrainee.course_id))


def _skills(courses: ColumnElement[bool]) -> Any:
    """Return (course, skill code, trainees checked, trainees attained) of the courses matching `courses`."""
    attained = func.sum(case((SkillCheck.level >= ATTAINED_LEVEL, 1), else_=0))
    return (select(SkillCheck.course_id, SkillCheck.skill_code, func.count(), attained)
            .join(EnrolledTrainee, and_(EnrolledTrainee.course_id == SkillCheck.course_id,
                                        EnrolledTrainee.trainee_id == SkillCheck.trainee_id))
            .where(courses, SkillCheck.deleted.is_(False), SkillCheck.skill_code.is_not(None))
            .group_by(SkillCheck.course_id, SkillCheck.skill_code))


# Each kept table in the order it is counted (each reads the ones before it), with what it is
# counted from: the query, the course column of its source, and the columns it fills.
KEPT: tuple[tuple[Any, Any, Any, list[str]], ...] = (
    (AttendedCount, _counted, CourseSession.course_id, ["course_id", "trainee_id", "month", "attended"]),
    (EnrolledTrainee, _enrolled, Enrollment.course_id,
     ["course_id", "trainee_id", "gender", "ethnicity", "birth_year", "attended"]),
    (CourseTally, _tallied, EnrolledTrainee.course_id, ["course_id", "trainees", "attended"]),
    (SkillTally, _skills, SkillCheck.course_id, ["course_id", "skill_code", "assessed", "attained"]),
)


@cache
def _statements(every_course: bool) -> tuple[Executable, ...]:
    """Build once the statements that count again the courses bound to `:courses`, or every course.

    Built per call, they cost the apply path more in SQLAlchemy than SQLite takes to run them.
    """
    built: list[Executable] = []
    for model, count, column, counted in KEPT:
        chosen = model.course_id.is_not(None) if every_course else model.course_id.in_(COURSES)
        built.append(delete(model).where(chosen))
        source = column.is_not(None) if every_course else column.in_(COURSES)
        built.append(insert(model).from_select(counted, count(source)))
    return tuple(built)


def recount(course_ids: Iterable[str]) -> None:
    """Count again the marks, enrolments and skill checks of these courses: eight statements per 500 courses."""
    execute_for_ids(_statements, "courses", course_ids)


def recount_all() -> None:
    """Count everything again (after a restore, or to repair the counts)."""
    execute_for_ids(_statements, "courses", None)
    recount_all_repeats()
    recount_all_periods()


def _counts(status: str | None, deleted: bool) -> bool:
    return not deleted and status in ATTENDED


class ChangedCourses:
    """The courses whose counts a batch's writes may have changed, recounted once before commit."""

    def __init__(self, rows: RowCache) -> None:
        self.rows = rows  # the batch's RowCache: a mark's session, to find its course
        self.courses: set[str] = set()
        self.trainees: set[str] = set()  # whose enrolments' courses to recount
        self.checked: set[str] = set()  # whose repeated skill checks to select again (server/skill_repeats.py)

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
        if entity in ("session", "enrollment", "skill_check"):
            self.courses.update(course_id for course_id in (before[0], after[0]) if course_id)
            if entity != "session":
                self.checked.update(trainee_id for trainee_id in (before[1], after[1]) if trainee_id)
            return
        if entity == "trainee":
            self.trainees.add(row.id)
            return
        if entity == "course":  # deleted or brought back: its commune's period figures change
            self.courses.add(row.id)
            return
        self.courses.update(self._course_of(session_id) for session_id in {before[0], after[0]} if session_id)
        self.courses.discard("")

    def _course_of(self, session_id: str) -> str:
        session = self.rows.get("session", session_id)
        return (session.course_id if session is not None else None) or ""

    def recount(self) -> None:
        """Recount the noted courses and trainees (the caller has stored the batch's rows), then forget them."""
        if not (self.courses or self.trainees or self.checked):
            return
        courses, trainees, checked = self.courses, self.trainees, self.checked
        self.courses, self.trainees, self.checked = set(), set(), set()
        db.session.flush()
        recount_trainees(trainees, courses, checked)


def courses_of(trainee_ids: list[str]) -> Select[tuple[str | None]]:
    """Return the courses of these trainees' enrolments, live or not."""
    return select(Enrollment.course_id).where(Enrollment.trainee_id.in_(trainee_ids))


def recount_trainees(trainee_ids: Iterable[str], courses: Iterable[str] = (), checked: Iterable[str] = ()) -> None:
    """Recount every course of these trainees and `courses`, then the repeated checks and period figures.

    The repeated checks of the trainees and `checked`; the period figures of those and of every
    trainee enrolled in a recounted course. The courses first: the others read their
    enrolled-trainee rows.
    """
    trainees = set(trainee_ids)
    changed = set(courses) | scalars_for_ids(courses_of, trainees)
    recount(changed)
    written = {*trainees, *checked}
    recount_repeats(written)
    recount_periods(written | scalars_for_ids(enrolled_in, changed))


def enrolled_in(course_ids: list[str]) -> Select[tuple[str]]:
    """Return the trainees with an enrolled-trainee row in these courses."""
    return select(EnrolledTrainee.trainee_id).where(EnrolledTrainee.course_id.in_(course_ids))
