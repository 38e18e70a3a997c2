"""One course's roster: its sessions with their counts, each trainee's marks, confirmations and skills.

A course holds tens of trainees, so its rows are read whole and arranged here.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.dashboard.access import course_in_scope
from server.dashboard.counting import counted_enrolment
from server.dashboard.names import fold, matches
from server.dashboard.rosters import course_summaries
from server.extensions import db
from server.models import Attendance, Checklist, Confirmation, Course, CourseSession, Enrollment, SkillCheck, Trainee
from server.scope import Actor
from sync.entities import ATTENDANCE_STATUSES

UNKNOWN = "unknown"


def course_roster(actor: Actor, course_id: str, q: str | None, gender: str | None,
                  ethnicity: str | None) -> dict[str, Any]:
    """Return a course of the caller's area with its checklist, sessions and (filtered) trainees."""
    course = course_in_scope(actor, course_id)
    sessions = list(db.session.scalars(select(CourseSession).where(
        CourseSession.course_id == course.id, CourseSession.deleted.is_(False))
        .order_by(CourseSession.date, CourseSession.start_time, CourseSession.id)))
    # The sessions' counts are over every counted trainee, as the course's count is; an erased
    # trainee has no name to list.
    trainees = list(db.session.scalars(select(Trainee).join(Enrollment, counted_enrolment())
                                       .where(Enrollment.course_id == course.id)))
    marks, confirmations = _by_session(Attendance, sessions, "status"), _by_session(Confirmation, sessions, None)
    skills = _skills(course.id)
    shown = [t for t in trainees if not t.deleted and matches(q, t.full_name) and _kept(t, gender, ethnicity)]
    return {"course": course_summaries(Course.id == course.id)[0], "checklist": _checklist(course),
            "sessions": [_session(s, trainees, marks, confirmations) for s in sessions],
            "trainees": [_trainee(t, sessions, marks, confirmations, skills)
                         for t in sorted(shown, key=lambda t: (fold(t.full_name), t.id))]}


def _kept(trainee: Trainee, gender: str | None, ethnicity: str | None) -> bool:
    if gender and (trainee.gender or UNKNOWN) != gender:
        return False
    return not ethnicity or (fold(trainee.ethnicity) or UNKNOWN) == fold(ethnicity)


def _by_session(model: Any, sessions: list[CourseSession], column: str | None) -> dict[tuple[str, str], str]:
    """Return each live record's status (attendance) or verdict (confirmation) by (session, trainee)."""
    rows = db.session.scalars(select(model).where(model.session_id.in_([s.id for s in sessions]),
                                                  model.deleted.is_(False)))
    # A confirmation not judged yet counts as unverified until the server has looked at its proof.
    return {(row.session_id, row.trainee_id): getattr(row, column) if column else row.verification or "unverified"
            for row in rows}


def _skills(course_id: str) -> dict[str, dict[str, int]]:
    rows = db.session.scalars(select(SkillCheck).where(SkillCheck.course_id == course_id,
                                                       SkillCheck.deleted.is_(False)))
    found: dict[str, dict[str, int]] = {}
    for row in rows:
        if row.skill_code and row.level is not None:
            found.setdefault(row.trainee_id or "", {})[row.skill_code] = row.level
    return found


def _checklist(course: Course) -> list[dict[str, Any]]:
    checklist = db.session.get(Checklist, course.checklist_id) if course.checklist_id else None
    items = checklist.items if checklist is not None and not checklist.deleted else None
    return [{"code": i.get("code"), "label_vi": i.get("label_vi"), "label_en": i.get("label_en")}
            for i in items or []]


def _session(session: CourseSession, trainees: list[Trainee], marks: dict[tuple[str, str], str],
             confirmations: dict[tuple[str, str], str]) -> dict[str, Any]:
    statuses = [marks.get((session.id, t.id)) for t in trainees]
    verdicts = [confirmations.get((session.id, t.id)) for t in trainees]
    counts = {status: statuses.count(status) for status in ATTENDANCE_STATUSES}
    return {"id": session.id, "date": session.date, "start_time": session.start_time, "place": session.place,
            **counts, "unmarked": statuses.count(None),
            "confirmed": sum(1 for v in verdicts if v is not None and v != "failed")}


def _trainee(trainee: Trainee, sessions: list[CourseSession], marks: dict[tuple[str, str], str],
             confirmations: dict[tuple[str, str], str], skills: dict[str, dict[str, int]]) -> dict[str, Any]:
    return {"id": trainee.id, "full_name": trainee.full_name, "gender": trainee.gender,
            "birth_year": trainee.birth_year, "ethnicity": trainee.ethnicity, "village": trainee.village,
            "attendance": {s.id: marks.get((s.id, trainee.id)) for s in sessions},
            "confirmations": {s.id: confirmations[(s.id, trainee.id)] for s in sessions
                              if (s.id, trainee.id) in confirmations},
            "skills": skills.get(trainee.id, {})}
