"""What a coordinator may import into and export: courses, sessions and communes of their area.

Anything outside answers 404, never 403, so guessing ids reveals nothing; a trainer is
refused outright (403 not_a_coordinator), as for devices.
"""

from __future__ import annotations

from sqlalchemy import select

from server.devices.manage import require_manager
from server.errors import ApiError
from server.extensions import db
from server.models import Area, Course, CourseSession
from server.scope import Actor


def course_in_scope(actor: Actor, course_id: str | None) -> Course:
    """Return the live course if the actor's area holds it, else answer 404."""
    require_manager(actor)
    course = db.session.get(Course, course_id) if course_id else None
    if course is None or course.deleted or not _covers(actor, course.commune_id):
        raise ApiError(404, "unknown_course", "no course with this id in your area")
    return course


def session_in_scope(actor: Actor, session_id: str | None) -> tuple[CourseSession, Course]:
    """Return the live session and its course if the actor's area holds them, else answer 404."""
    require_manager(actor)
    session = db.session.get(CourseSession, session_id) if session_id else None
    course = db.session.get(Course, session.course_id) if session and session.course_id else None
    if session is None or session.deleted or course is None or course.deleted \
            or not _covers(actor, course.commune_id):
        raise ApiError(404, "unknown_session", "no session with this id in your area")
    return session, course


def communes_in_scope(actor: Actor) -> list[Area]:
    """Return the live communes the actor looks after (an admin: every commune)."""
    query = select(Area).where(Area.kind == "commune", Area.deleted.is_(False))
    if not actor.is_admin:
        query = query.where(Area.id.in_(actor.area_ids))
    return list(db.session.scalars(query.order_by(Area.name)))


def _covers(actor: Actor, commune_id: str | None) -> bool:
    return actor.is_admin or (commune_id is not None and commune_id in actor.area_ids)
