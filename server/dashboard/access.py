"""Who may use the dashboard, and the communes a request covers.

Coordinators see the courses of communes inside their area, admins everything, trainers
nothing (403, the check the devices endpoints use). An id outside the caller's area answers
404 as if it did not exist, so guessing ids reveals nothing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, select, true

from server.database import among
from server.devices.manage import require_manager
from server.errors import ApiError
from server.extensions import db
from server.models import Area, Course, Trainee, User
from server.scope import Actor, actor_for, area_subtree

# None stands for "every commune": an admin asking without an area.
Communes = frozenset[str] | None


def manager(user: User) -> Actor:
    """Return the caller as an actor, refusing anyone but a coordinator or an admin."""
    actor = actor_for(user)
    require_manager(actor)
    return actor


def communes_of(actor: Actor, area_id: str | None) -> Communes:
    """Return the areas a request covers: the named area's subtree, else the caller's area."""
    if area_id is None:
        return None if actor.is_admin else actor.area_ids
    area = db.session.get(Area, area_id)
    if area is None or area.deleted or not (actor.is_admin or area_id in actor.area_ids):
        raise ApiError(404, "unknown_area", "no area with this id in your area")
    return area_subtree(area_id)


def in_communes(column: Any, communes: Communes) -> ColumnElement[bool]:
    """Return the SQL condition that an area column lies in `communes`."""
    if communes is None:
        return true()
    return among(column, communes)


def live_courses(communes: Communes, program_id: str | None = None) -> ColumnElement[bool]:
    """Return the SQL condition for the live courses of these communes (and program)."""
    condition = and_(Course.deleted.is_(False), in_communes(Course.commune_id, communes))
    return and_(condition, Course.program_id == program_id) if program_id else condition


def course_in_scope(actor: Actor, course_id: str) -> Course:
    """Return a live course of the caller's area, or answer 404."""
    query = select(Course).where(Course.id == course_id, live_courses(communes_of(actor, None)))
    course: Course | None = db.session.scalar(query)
    if course is None:
        raise ApiError(404, "unknown_course", "no course with this id in your area")
    return course


def trainee_in_scope(actor: Actor, trainee_id: str | None) -> Trainee:
    """Return a live trainee of a commune in the caller's area, or answer 404."""
    trainee: Trainee | None = db.session.scalar(select(Trainee).where(
        Trainee.id == trainee_id, Trainee.deleted.is_(False),
        in_communes(Trainee.commune_id, communes_of(actor, None))))
    if trainee is None:
        raise ApiError(404, "unknown_trainee", "no trainee with this id in your area")
    return trainee
