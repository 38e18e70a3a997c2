"""Who may register a trainee's passkey: someone holding a current check-in code of the
trainee's course, who knows the trainee's birth year when the roster has one."""

from __future__ import annotations

from sqlalchemy import select

from server.checkins.secrets import session_secret
from server.errors import ApiError
from server.extensions import db
from server.models import CourseSession, Enrollment, Trainee
from sync.checkin import CheckinToken, parse_checkin_token, token_is_genuine, window_of

# The token on the trainer's screen may be one window behind (it was just scanned) or
# one ahead (the trainer's phone clock runs fast), by the server's clock.
CURRENT_WINDOWS = 1


def token_problem(token: CheckinToken | None, secret: str | None, now_ms: int) -> str | None:
    """Say why a check-in code cannot open a passkey registration now, or None."""
    if token is None or secret is None or not token_is_genuine(secret, token):
        return "this is not a FieldRoll check-in code: scan the code the trainer shows"
    if abs(token.window - window_of(now_ms)) > CURRENT_WINDOWS:
        return "this check-in code has changed: scan the code the trainer shows now"
    return None


def trainee_on_roster(token_text: str, trainee_id: str, birth_year: int | None, now_ms: int) -> Trainee:
    """Return the trainee if the current check-in code is of a session of their course."""
    token = parse_checkin_token(token_text)
    session = db.session.get(CourseSession, token.session_id) if token else None
    secret = session_secret(session.id) if session is not None and not session.deleted else None
    problem = token_problem(token, secret, now_ms)
    if problem:
        raise ApiError(400, "invalid_checkin_token", problem)
    assert session is not None
    trainee = db.session.get(Trainee, trainee_id)
    enrolled = db.session.scalar(select(Enrollment.id).where(
        Enrollment.course_id == session.course_id, Enrollment.trainee_id == trainee_id,
        Enrollment.deleted.is_(False)))
    if trainee is None or trainee.deleted or trainee.merged_into or enrolled is None:
        raise ApiError(403, "not_on_roster", "this person is not on the roster of this course: ask the trainer")
    if trainee.birth_year is not None and birth_year != trainee.birth_year:
        # Never say which year it should be: that is personal data.
        raise ApiError(403, "birth_year_mismatch", "this birth year is not the one on the roster: check it")
    return trainee
