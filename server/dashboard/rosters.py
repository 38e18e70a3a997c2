"""Rosters for the drill-down: the caller's areas, and their courses with a few counts each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, func, select

from server.dashboard.access import communes_of, in_communes, live_courses
from server.dashboard.counting import ATTENDED, live_enrolment, rate
from server.dashboard.names import fold, matches
from server.extensions import db
from server.models import Area, Attendance, Course, CourseSession, CourseTrainer, Enrollment, Program, Trainee, User
from server.scope import Actor

KIND_ORDER = {"province": 0, "commune": 1, "village": 2}


def areas(actor: Actor) -> list[dict[str, Any]]:
    """Return the caller's live areas, provinces first, then communes, then villages, by name."""
    query = select(Area).where(Area.deleted.is_(False), in_communes(Area.id, communes_of(actor, None)))
    found = sorted(db.session.scalars(query), key=lambda a: (KIND_ORDER.get(a.kind or "", 3), fold(a.name), a.id))
    return [{"id": a.id, "code": a.code, "name": a.name, "kind": a.kind, "parent_id": a.parent_id} for a in found]


def courses(actor: Actor, commune_id: str | None, q: str | None, program_id: str | None) -> list[dict[str, Any]]:
    """Return the live courses of the area (default: the caller's), matching `q` without accents."""
    found = course_summaries(live_courses(communes_of(actor, commune_id), program_id))
    return [course for course in found if matches(q, course["title"])]


def course_summaries(condition: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Return the courses matching `condition` with their counts, by commune, start date and title."""
    rows = db.session.execute(
        select(Course, Area.name, Program.name).outerjoin(Area, Area.id == Course.commune_id)
        .outerjoin(Program, Program.id == Course.program_id).where(condition)).all()
    counts = course_counts(condition)
    trainers = trainer_names(condition)
    found = []
    for course, commune_name, program_name in rows:
        sessions, trainees, attended = counts.get(course.id, (0, 0, 0))
        found.append({"id": course.id, "title": course.title, "commune_id": course.commune_id,
                      "commune_name": commune_name, "program_id": course.program_id, "program_name": program_name,
                      "start_date": course.start_date, "end_date": course.end_date,
                      "trainer_names": trainers.get(course.id, []), "sessions": sessions, "trainees": trainees,
                      "attendance_rate": rate(attended, sessions * trainees)})
    return sorted(found, key=lambda c: (fold(c["commune_name"]), c["start_date"] or "", fold(c["title"]), c["id"]))


def course_counts(condition: ColumnElement[bool]) -> dict[str, tuple[int, int, int]]:
    """Return (live sessions, enrolled trainees, attendances present or late) per course."""
    chosen = select(Course.id).where(condition)
    sessions = (select(CourseSession.course_id, func.count())
                .where(CourseSession.deleted.is_(False), CourseSession.course_id.in_(chosen))
                .group_by(CourseSession.course_id))
    enrolled = (select(Enrollment.course_id, func.count()).join(Trainee, live_enrolment())
                .where(Enrollment.course_id.in_(chosen)).group_by(Enrollment.course_id))
    attended = (select(CourseSession.course_id, func.count()).select_from(Attendance)
                .join(CourseSession, CourseSession.id == Attendance.session_id)
                .join(Enrollment, and_(Enrollment.course_id == CourseSession.course_id,
                                       Enrollment.trainee_id == Attendance.trainee_id))
                .join(Trainee, live_enrolment())
                .where(Attendance.deleted.is_(False), Attendance.status.in_(ATTENDED),
                       CourseSession.deleted.is_(False), CourseSession.course_id.in_(chosen))
                .group_by(CourseSession.course_id))
    counted: list[dict[Any, int]] = [dict(db.session.execute(query).all()) for query in (sessions, enrolled, attended)]
    return {course_id: (counted[0].get(course_id, 0), counted[1].get(course_id, 0), counted[2].get(course_id, 0))
            for course_id in set().union(*counted)}


def trainer_names(condition: ColumnElement[bool]) -> dict[str, list[str]]:
    """Return the names of each course's trainers, by name."""
    query = (select(CourseTrainer.course_id, User.name).join(User, User.id == CourseTrainer.user_id)
             .where(CourseTrainer.course_id.in_(select(Course.id).where(condition))).order_by(User.name))
    names: dict[str, list[str]] = {}
    for course_id, name in db.session.execute(query):
        names.setdefault(course_id, []).append(name)
    return names
