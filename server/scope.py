"""Who may see and change what: a trainer their assigned courses, a coordinator their area.

The same rules guard every op (as the sync engine's `Gate`) and every pull (as
SQL filters), so a device can neither write nor read past its scope by guessing ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from server.database import among
from server.extensions import db
from server.models import (
    ENTITY_MODELS,
    Area,
    Conflict,
    Course,
    CourseSession,
    CourseTrainer,
    Enrollment,
    Trainee,
    User,
)
from server.row_cache import RowCache
from server.trainees.personal import ERASED_REFUSAL
from sync.entities import spec_for
from sync.merge import RecordState
from sync.ops import Op
from sync.trainee_merge import redirect_op

REFERENCE_ENTITIES = frozenset({"area", "program", "checklist"})


@dataclass
class Actor:
    user_id: str
    role: str
    area_ids: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def area_subtree(root_id: str | None) -> frozenset[str]:
    """Return the area and every area under it."""
    if root_id is None:
        return frozenset()
    children: dict[str | None, list[str]] = {}
    for area_id, parent_id in db.session.execute(select(Area.id, Area.parent_id)):
        children.setdefault(parent_id, []).append(area_id)
    found, stack = set(), [root_id]
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return frozenset(found)


def actor_for(user: User) -> Actor:
    """Build the actor, with their area resolved to every area beneath it."""
    return Actor(user.id, user.role, area_subtree(user.area_id))


def trainer_course_ids(user_id: str) -> list[str]:
    return sorted(db.session.scalars(select(CourseTrainer.course_id).where(CourseTrainer.user_id == user_id)))


def scope_fingerprint(actor: Actor) -> str:
    """Summarise what the actor can see, so a cursor made under another scope restarts."""
    parts = [actor.role, *sorted(actor.area_ids)]
    if actor.role == "trainer":
        parts += trainer_course_ids(actor.user_id)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:10]


class ScopeGate:
    """The sync engine's `Gate`: refuses ops outside the actor's scope or pointing nowhere."""

    def __init__(self, actor: Actor, rows: RowCache) -> None:
        self.actor = actor
        self.rows = rows
        self._merged: dict[str, str] | None = None

    def redirect(self, op: Op) -> Op:
        """Point an op about a merged-away trainee at its survivor."""
        if not isinstance(op.fields.get("trainee_id"), str):
            return op
        if self._merged is None:
            rows = db.session.execute(
                select(Trainee.id, Trainee.merged_into).where(Trainee.merged_into.is_not(None)))
            self._merged = {trainee_id: target for trainee_id, target in rows}
        return redirect_op(op, self._merged) if self._merged else op

    def refusal(self, op: Op, current: RecordState | None) -> str | None:
        """Say why this actor may not make this op, or None."""
        spec = spec_for(op.entity)
        assert spec is not None
        if self.actor.role not in spec.writers:
            return f"a {self.actor.role} may not change {op.entity} records"
        if "merged_into" in op.fields and self.actor.role == "trainer":
            return "only a coordinator merges trainees"
        if op.entity == "trainee" and current is not None and self._erased(op.id):
            return ERASED_REFUSAL
        missing = self._missing_reference(op)
        if missing or self.actor.is_admin or op.entity in REFERENCE_ENTITIES:
            return missing
        merged = {**(current.fields if current else {}), **op.fields}
        return self._out_of_scope(op.entity, op.id, merged, current is None)

    def _erased(self, trainee_id: str) -> bool:
        trainee = self.rows.get("trainee", trainee_id)
        return trainee is not None and trainee.erased_at is not None

    def _missing_reference(self, op: Op) -> str | None:
        spec = spec_for(op.entity)
        assert spec is not None
        for name, fspec in spec.fields.items():
            value = op.fields.get(name)
            if fspec.refers_to and value is not None and value != op.id \
                    and self.rows.get(fspec.refers_to, value) is None:
                return f"{name} points at a {fspec.refers_to} the server does not have: {value}"
        return None

    def _out_of_scope(self, entity: str, record_id: str, fields: dict[str, Any], is_new: bool) -> str | None:
        if entity == "course":
            return self._course_refusal(record_id, fields, is_new)
        if entity == "trainee":
            return self._trainee_refusal(record_id, fields, is_new)
        course_id = fields.get("course_id")
        if "session_id" in fields:
            session = self.rows.get("session", fields["session_id"])
            course_id = session.course_id if session else None
        if not self.may_write_course(course_id):
            return "this course is not assigned to you" if self.actor.role == "trainer" \
                else "this course is outside your area"
        if "trainee_id" in fields and not self._may_enrol(fields["trainee_id"], course_id):
            return "this trainee is outside your scope"
        return None

    def may_write_course(self, course_id: str | None) -> bool:
        """Tell whether the actor may record things in this course."""
        course = self.rows.get("course", course_id) if course_id else None
        if course is None:
            return False
        if self.actor.role == "trainer":
            return self.actor.user_id in (course.trainer_ids or [])
        return course.commune_id in self.actor.area_ids

    def _course_refusal(self, course_id: str, fields: dict[str, Any], is_new: bool) -> str | None:
        if self.actor.role == "coordinator":
            inside = fields.get("commune_id") in self.actor.area_ids
            return None if inside else "this course is outside your area"
        if not is_new and not self.may_write_course(course_id):
            return "this course is not assigned to you"
        if self.actor.user_id not in (fields.get("trainer_ids") or []):
            return "a trainer's course must list that trainer"
        if self.actor.area_ids and fields.get("commune_id") not in self.actor.area_ids:
            return "this commune is outside your area"
        return None

    def _trainee_refusal(self, trainee_id: str, fields: dict[str, Any], is_new: bool) -> str | None:
        commune_ok = fields.get("commune_id") in self.actor.area_ids
        survivor = fields.get("merged_into")
        if self.actor.role == "coordinator":
            if not commune_ok:
                return "this trainee is outside your area"
            if survivor is not None and self._commune_of_trainee(survivor) not in self.actor.area_ids:
                return "the trainee to merge into is outside your area"
            return None
        if is_new or self._trainer_sees_trainee(trainee_id):
            return None
        return "this trainee is not in your courses"

    def _commune_of_trainee(self, trainee_id: str) -> str | None:
        trainee = self.rows.get("trainee", trainee_id)
        return trainee.commune_id if trainee is not None else None

    def _trainer_sees_trainee(self, trainee_id: str) -> bool:
        trainee = self.rows.get("trainee", trainee_id)
        if trainee is not None and trainee.origin_user_id == self.actor.user_id:
            return True
        courses = select(CourseTrainer.course_id).where(CourseTrainer.user_id == self.actor.user_id)
        self.rows.write_new()  # enrollments made earlier in the batch count
        found = db.session.scalar(select(Enrollment.id).where(
            Enrollment.trainee_id == trainee_id, Enrollment.course_id.in_(courses),
            Enrollment.deleted.is_(False)).limit(1))
        return found is not None

    def _may_enrol(self, trainee_id: str, course_id: str | None) -> bool:
        trainee = self.rows.get("trainee", trainee_id)
        course = self.rows.get("course", course_id) if course_id else None
        if trainee is None or course is None:
            return False
        if trainee.commune_id == course.commune_id or trainee.commune_id in self.actor.area_ids:
            return True
        return self.actor.role == "trainer" and self._trainer_sees_trainee(trainee_id)


def visible(entity: str, actor: Actor) -> ColumnElement[bool]:
    """Return the SQL condition for the records of `entity` the actor may read."""
    model: Any = ENTITY_MODELS[entity]
    if actor.is_admin or entity in REFERENCE_ENTITIES:
        return true()
    if actor.role == "trainer":
        courses: Any = select(CourseTrainer.course_id).where(CourseTrainer.user_id == actor.user_id)
    elif actor.area_ids:
        courses = select(Course.id).where(among(Course.commune_id, actor.area_ids))
    else:
        return false()
    sessions = select(CourseSession.id).where(CourseSession.course_id.in_(courses))
    if entity == "course":
        return model.id.in_(courses)
    if entity in ("session", "enrollment", "skill_check"):
        return model.course_id.in_(courses)
    if entity in ("attendance", "confirmation"):
        return model.session_id.in_(sessions)
    enrolled = select(Enrollment.trainee_id).where(Enrollment.course_id.in_(courses),
                                                   Enrollment.deleted.is_(False))
    own = Trainee.origin_user_id == actor.user_id if actor.role == "trainer" \
        else among(Trainee.commune_id, actor.area_ids)
    return or_(Trainee.id.in_(enrolled), own)


def conflict_visible(actor: Actor) -> ColumnElement[bool]:
    """Return the SQL condition for the conflicts the actor may read: those about records they may read."""
    if actor.is_admin:
        return true()
    return or_(*(and_(Conflict.entity == entity,
                      Conflict.record_id.in_(select(model.id).where(visible(entity, actor))))
                 for entity, model in ENTITY_MODELS.items()))
