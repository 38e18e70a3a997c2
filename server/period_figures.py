"""Each counted trainee's figures per commune and standard period, kept right by recounting per trainee.

The figures over all dates, a calendar year, quarter or month read `trainee_period`, one row
per trainee and commune, instead of every enrolment joined to its course's sessions in range
(docs/architecture.md, decision 26); a custom range or a program still counts from the
enrolments (server/dashboard/counting.py), and both give the same figures.

Like the counts they are made from, a trainee's rows are never patched: once the courses'
kept rows are recounted (server/attendance_counts.py), the rows of every trainee a batch may
have changed (enrolled in a recounted course, or written about) are deleted and made again
from their enrolled-trainee rows, their courses' sessions and their attended counts. The rows
are summed in Python (`period_rows`): the two reads are a few dozen rows a batch, and one
SQL statement grouping them four ways cost SQLite more than the rest of the recount.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import Executable, and_, bindparam, delete, insert, select

from server.database import in_chunks
from server.extensions import db
from server.models import AttendedCount, Course, CourseSession, EnrolledTrainee, TraineePeriod

ALL_DATES = "*"  # the period of every date, as in `attended_count.month`
# A trainee completes a course by attending (present or late) at least this share of its
# sessions; kept as a percentage so the comparison stays in integers in SQL.
COMPLETION_PERCENT = 80
TRAINEES = bindparam("trainees", expanding=True)
COURSES = bindparam("courses", expanding=True)


class Enrolment(NamedTuple):
    course_id: str
    trainee_id: str
    gender: str | None
    ethnicity: str | None
    birth_year: int | None
    commune_id: str


def periods_of(day: str | None) -> tuple[str, ...]:
    """Return the year, quarter and month of an ISO date or "YYYY-MM" ("2026", "2026-Q3", "2026-08")."""
    if not day or len(day) < 7 or not day[5:7].isdigit() or not 1 <= int(day[5:7]) <= 12:
        return ()
    return day[:4], f"{day[:4]}-Q{(int(day[5:7]) + 2) // 3}", day[:7]


def period_rows(enrolments: Iterable[Enrolment], sessions: Iterable[tuple[str, str | None]],
                counted: Iterable[tuple[str, str, str, int]]) -> list[dict[str, Any]]:
    """Sum the enrolments into trainee-period rows: per period their course has live sessions in.

    `sessions`: (course, date) of the live sessions of the enrolments' live courses;
    `counted`: (course, trainee, month or ALL_DATES, attended) of the enrolments.
    """
    held: dict[str, Counter[str]] = {}
    for course_id, day in sessions:
        held.setdefault(course_id, Counter()).update((ALL_DATES, *periods_of(day)))
    attended: Counter[tuple[str, str, str]] = Counter()
    for course_id, trainee_id, month, marks in counted:
        for period in (month,) if month == ALL_DATES else periods_of(month):
            attended[(course_id, trainee_id, period)] += marks
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for e in enrolments:
        for period, count in held.get(e.course_id, Counter()).items():
            marks = attended[(e.course_id, e.trainee_id, period)]
            row = rows.setdefault((period, e.commune_id, e.trainee_id), {
                "period": period, "commune_id": e.commune_id, "trainee_id": e.trainee_id, "gender": e.gender,
                "ethnicity": e.ethnicity, "birth_year": e.birth_year, "attended": 0, "sessions": 0, "completed": 0,
                "enrolled": 0})
            row["attended"] += marks
            row["sessions"] += count
            row["completed"] += marks * 100 >= count * COMPLETION_PERCENT
            row["enrolled"] += 1
    places = Counter((trainee_id, period) for period, _, trainee_id in rows)
    for (period, _, trainee_id), row in rows.items():
        row["several_communes"] = places[(trainee_id, period)] > 1
    return list(rows.values())


@cache
def _statements() -> tuple[Executable, ...]:
    """Build once what reads and clears the rows of `:trainees`: built per batch, they cost more than they run."""
    enrolled = (select(EnrolledTrainee.course_id, EnrolledTrainee.trainee_id, EnrolledTrainee.gender,
                       EnrolledTrainee.ethnicity, EnrolledTrainee.birth_year, Course.commune_id,
                       AttendedCount.month, AttendedCount.attended)
                .join(Course, and_(Course.id == EnrolledTrainee.course_id, Course.deleted.is_(False),
                                   Course.commune_id.is_not(None)))
                .outerjoin(AttendedCount, and_(AttendedCount.course_id == EnrolledTrainee.course_id,
                                               AttendedCount.trainee_id == EnrolledTrainee.trainee_id))
                .where(EnrolledTrainee.trainee_id.in_(TRAINEES)))
    sessions = (select(CourseSession.course_id, CourseSession.date)
                .where(CourseSession.course_id.in_(COURSES), CourseSession.deleted.is_(False)))
    return enrolled, sessions, delete(TraineePeriod).where(TraineePeriod.trainee_id.in_(TRAINEES))


def recount_periods(trainee_ids: Iterable[str]) -> None:
    """Make again the period rows of these trainees: two reads and two writes per 500 trainees."""
    connection = db.session.connection()  # Core: plain rows in and out, no ORM objects
    enrolled, sessions, clear = _statements()
    for chunk in in_chunks(trainee_ids):
        trainees = {"trainees": chunk}
        enrolments: dict[tuple[str, str], Enrolment] = {}
        counted = []
        for *fields, month, marks in connection.execute(enrolled, trainees):
            enrolment = Enrolment(*fields)
            enrolments[(enrolment.course_id, enrolment.trainee_id)] = enrolment
            if month is not None:
                counted.append((enrolment.course_id, enrolment.trainee_id, month, marks))
        held = connection.execute(sessions, {"courses": sorted({course for course, _ in enrolments})}).all()
        rows = period_rows(enrolments.values(), held, counted)
        connection.execute(clear, trainees)
        if rows:
            connection.execute(insert(TraineePeriod), rows)


def recount_all_periods() -> None:
    """Make every trainee's period rows again (after a restore, or to repair them)."""
    db.session.connection().execute(delete(TraineePeriod))
    recount_periods(db.session.scalars(select(EnrolledTrainee.trainee_id).distinct()))
