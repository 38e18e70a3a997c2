"""The roster a trainee's phone shows after scanning the trainer's code: names only."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.checkins.secrets import session_secret
from server.errors import ApiError
from server.extensions import db
from server.models import Course, CourseSession, Enrollment, Trainee
from sync.checkin import CheckinToken, birth_year_check, parse_checkin_token, token_is_genuine, window_of

# The code on the trainer's screen may be one window old (just scanned) or one ahead (the
# trainer's phone clock runs a little fast), by the server's clock.
CURRENT_WINDOWS = 1


def genuine_token(text: object) -> CheckinToken | None:
    """Read a check-in code and return it if the server made it, whatever its window."""
    token = parse_checkin_token(text)
    if token is None or not token_is_genuine(session_secret(token.session_id), token):
        return None
    return token


def current_session(text: object, now_ms: int) -> CourseSession:
    """Return the session of a genuine, current check-in code, or refuse it."""
    token = genuine_token(text)
    session = db.session.get(CourseSession, token.session_id) if token else None
    if token is None or session is None or session.deleted:
        raise ApiError(400, "invalid_checkin_token",
                       "this is not a FieldRoll check-in code: scan the code the trainer shows")
    if abs(token.window - window_of(now_ms)) > CURRENT_WINDOWS:
        raise ApiError(410, "checkin_token_expired",
                       "this check-in code has changed: scan the code the trainer shows now")
    return session


def roster(session: CourseSession) -> dict[str, Any]:
    """Return the session and its course's trainees: ids, names and birth-year checks, nothing more."""
    course = db.session.get(Course, session.course_id) if session.course_id else None
    enrolled = select(Enrollment.trainee_id).where(Enrollment.course_id == session.course_id,
                                                   Enrollment.deleted.is_(False))
    query = select(Trainee.id, Trainee.full_name, Trainee.birth_year).where(
        Trainee.id.in_(enrolled), Trainee.deleted.is_(False), Trainee.merged_into.is_(None))
    sessions = db.session.scalars(select(CourseSession).where(
        CourseSession.course_id == session.course_id, CourseSession.deleted.is_(False)).order_by(CourseSession.date))
    people = sorted(db.session.execute(query), key=lambda row: ((row.full_name or "").casefold(), row.id))
    return {
        # The course lets the trainee's phone keep one list of names for every session of it.
        "session": {"id": session.id, "course_id": session.course_id, "date": session.date,
                    "start_time": session.start_time, "place": session.place,
                    "course_title": course.title if course else None},
        # Every session of the course, so a phone offline at a later session still finds the names.
        "course_sessions": [_session_summary(row) for row in sessions],
        "trainees": [{"id": row.id, "name": row.full_name,
                      "birth_year_check": birth_year_check(row.id, row.birth_year) if row.birth_year else None}
                     for row in people],
    }


def _session_summary(session: CourseSession) -> dict[str, Any]:
    return {"id": session.id, "date": session.date, "start_time": session.start_time, "place": session.place}
