"""A course's roster as exports print it: sessions, checklist skills, trainees and their marks."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from server.extensions import db
from server.models import Area, Attendance, Checklist, Course, CourseSession, Enrollment, SkillCheck, Trainee, User
from server.transfers.text import fold


@dataclass
class Skill:
    code: str
    label_vi: str
    label_en: str


@dataclass
class Roster:
    course: Course
    commune: Area | None
    province: Area | None
    trainer_names: list[str]
    sessions: list[CourseSession]
    skills: list[Skill]
    trainees: list[Trainee]
    status: dict[tuple[str | None, str | None], str | None] = field(default_factory=dict)
    level: dict[tuple[str | None, str | None], int] = field(default_factory=dict)


def roster_of(course: Course, session_id: str | None = None) -> Roster:
    """Collect the course's live sessions (or one), skills, enrolled trainees and their marks."""
    sessions = list(db.session.scalars(select(CourseSession).where(
        CourseSession.course_id == course.id, CourseSession.deleted.is_(False),
        *([CourseSession.id == session_id] if session_id else []))
        .order_by(CourseSession.date, CourseSession.start_time, CourseSession.id)))
    session_ids = [s.id for s in sessions]
    status = {(a.session_id, a.trainee_id): a.status for a in db.session.scalars(select(Attendance).where(
        Attendance.session_id.in_(session_ids), Attendance.deleted.is_(False)))} if session_ids else {}
    enrolled = select(Enrollment.trainee_id).where(Enrollment.course_id == course.id,
                                                   Enrollment.deleted.is_(False))
    walked_in = {trainee_id for _, trainee_id in status}
    trainees = list(db.session.scalars(select(Trainee).where(
        Trainee.id.in_(enrolled) | Trainee.id.in_(walked_in), Trainee.deleted.is_(False),
        Trainee.merged_into.is_(None))))
    trainees.sort(key=vietnamese_order)
    checks = list(db.session.scalars(select(SkillCheck).where(
        SkillCheck.course_id == course.id, SkillCheck.deleted.is_(False))))
    commune = db.session.get(Area, course.commune_id) if course.commune_id else None
    province = db.session.get(Area, commune.parent_id) if commune and commune.parent_id else None
    names = db.session.scalars(select(User.name).where(User.id.in_(course.trainer_ids or [])).order_by(User.name))
    return Roster(course, commune, province, list(names), sessions, _skills(course, checks), trainees, status,
                  {(c.trainee_id, c.skill_code): c.level for c in checks
                   if c.trainee_id and c.skill_code and c.level is not None})


def vietnamese_order(trainee: Trainee) -> tuple[str, str]:
    """Sort as Vietnamese lists do: by given name (the last word), then the whole name."""
    name = fold(trainee.full_name or "")
    return (name.rsplit(" ", 1)[-1], name)


def _skills(course: Course, checks: list[SkillCheck]) -> list[Skill]:
    checklist = db.session.get(Checklist, course.checklist_id) if course.checklist_id else None
    skills = [Skill(item["code"], item.get("label_vi", item["code"]), item.get("label_en", item["code"]))
              for item in (checklist.items or [] if checklist else [])]
    listed = {s.code for s in skills}
    extra = sorted({c.skill_code for c in checks if c.skill_code and c.skill_code not in listed})
    return skills + [Skill(code, code, code) for code in extra]
