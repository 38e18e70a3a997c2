"""Rosters for the drill-down: the caller's areas, and their courses with a few counts each."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, literal, select, union_all

from server.dashboard.access import communes_of, in_communes, live_courses
from server.dashboard.counting import rate, room_to_count, sessions_in_range
from server.dashboard.names import fold, matches
from server.extensions import db
from server.models import Area, Course, CourseTally, CourseTrainer, Program, User
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
        select(Course.id, Course.title, Course.commune_id, Area.name, Course.program_id, Program.name,
               Course.start_date, Course.end_date)
        .outerjoin(Area, Area.id == Course.commune_id)
        .outerjoin(Program, Program.id == Course.program_id).where(condition)).all()
    counts = course_counts(condition)
    trainers = trainer_names(condition)
    found = []
    for course_id, title, commune_id, commune_name, program_id, program_name, start_date, end_date in rows:
        sessions, trainees, attended = counts.get(course_id, (0, 0, 0))
        found.append({"id": course_id, "title": title, "commune_id": commune_id,
                      "commune_name": commune_name, "program_id": program_id, "program_name": program_name,
                      "start_date": start_date, "end_date": end_date,
                      "trainer_names": trainers.get(course_id, []), "sessions": sessions, "trainees": trainees,
                      "attendance_rate": rate(attended, sessions * trainees)})
    return sorted(found, key=lambda c: (fold(c["commune_name"]), c["start_date"] or "", fold(c["title"]), c["id"]))


def course_counts(condition: ColumnElement[bool]) -> dict[str, tuple[int, int, int]]:
    """Return (live sessions, enrolled trainees, attendances present or late) per course, in one statement.

    Every date counts, so a course with no session still shows its trainees. The trainees and
    their attendances are the course's kept tally (server/attendance_counts.py), not counted
    from a province's 100,000 enrolments and their marks on each request.
    """
    sessions = sessions_in_range(condition, None, None)
    query = union_all(
        select(literal(True).label("sessions"), sessions.c.course_id, func.count(), literal(0))
        .group_by(sessions.c.course_id),
        select(literal(False), CourseTally.course_id, CourseTally.trainees, CourseTally.attended)
        .where(CourseTally.course_id.in_(select(Course.id).where(condition))))
    room_to_count()
    counted: dict[str, list[int]] = {}
    for is_sessions, course_id, count, attendances in db.session.execute(query):
        found = counted.setdefault(course_id, [0, 0, 0])
        if is_sessions:
            found[0] = int(count)
        else:
            found[1:] = [int(count), int(attendances)]
    return {course_id: (found[0], found[1], found[2]) for course_id, found in counted.items()}


def trainer_names(condition: ColumnElement[bool]) -> dict[str, list[str]]:
    """Return the names of each course's trainers, by name."""
    query = (select(CourseTrainer.course_id, User.name).join(User, User.id == CourseTrainer.user_id)
             .where(CourseTrainer.course_id.in_(select(Course.id).where(condition))).order_by(User.name))
    names: dict[str, list[str]] = {}
    for course_id, name in db.session.execute(query):
        names.setdefault(course_id, []).append(name)
    return names
