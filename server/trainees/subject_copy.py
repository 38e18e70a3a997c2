"""Everything FieldRoll keeps about one trainee, gathered for them on request.

A coordinator hands this to a trainee who asks what is recorded about them. It holds their
own fields, their enrolments, marks, skill levels and confirmations, and how many passkeys
they registered; never another trainee's data.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from server.extensions import db
from server.models import Attendance, Confirmation, Course, CourseSession, Enrollment, Passkey, SkillCheck, Trainee

OWN_FIELDS = ("full_name", "commune_id", "gender", "birth_year", "ethnicity", "village", "phone",
              "cooperative", "consent")


def subject_copy(trainee: Trainee) -> dict[str, Any]:
    """Return one trainee's record and everything recorded about them, as plain data."""
    ids = [trainee.id, *db.session.scalars(select(Trainee.id).where(Trainee.merged_into == trainee.id))]
    return {
        "trainee": {"id": trainee.id, **{name: getattr(trainee, name) for name in OWN_FIELDS}},
        "merged_from": ids[1:],
        "enrollments": _rows(select(Enrollment.course_id, Course.title, Enrollment.deleted)
                             .join(Course, Course.id == Enrollment.course_id)
                             .where(Enrollment.trainee_id.in_(ids)).order_by(Course.title)),
        "attendance": _rows(select(Attendance.session_id, CourseSession.date, CourseSession.course_id,
                                   Attendance.status, Attendance.note)
                            .join(CourseSession, CourseSession.id == Attendance.session_id)
                            .where(Attendance.trainee_id.in_(ids), Attendance.deleted.is_(False))
                            .order_by(CourseSession.date)),
        "skill_checks": _rows(select(SkillCheck.course_id, SkillCheck.skill_code, SkillCheck.level, SkillCheck.note)
                              .where(SkillCheck.trainee_id.in_(ids), SkillCheck.deleted.is_(False))
                              .order_by(SkillCheck.course_id, SkillCheck.skill_code)),
        "confirmations": _rows(select(Confirmation.session_id, Confirmation.verification)
                               .where(Confirmation.trainee_id.in_(ids), Confirmation.deleted.is_(False))
                               .order_by(Confirmation.session_id)),
        "passkeys": db.session.scalar(select(func.count()).select_from(Passkey)
                                      .where(Passkey.trainee_id.in_(ids))) or 0,
    }


def _rows(query: Any) -> list[dict[str, Any]]:
    return [dict(row._mapping) for row in db.session.execute(query)]
