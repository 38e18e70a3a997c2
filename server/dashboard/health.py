"""Field health: phones that have not synced, ops the server refused, conflicts waiting for review."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from server.dashboard.counting import without_jit
from server.devices.manage import devices_in_area, people_in_area
from server.extensions import db
from server.models import ENTITY_MODELS, Conflict, Course, CourseSession, Device, RejectedOp, Trainee, User
from server.scope import Actor, visible

RECENT_REJECTIONS = 100
_ENTITY_RE = re.compile(r'"entity":\s*"(\w+)"')


def field_health(actor: Actor, stale_days: int) -> dict[str, Any]:
    """Return the area's devices (stale or not), its latest rejected ops and its open conflicts."""
    devices = devices_in_area(actor)
    cutoff = datetime.now(UTC) - timedelta(days=stale_days)
    for device in devices:
        # A phone that never synced is judged from its enrolment; a revoked one is no longer expected.
        last = device["last_sync_at"] or device["enrolled_at"]
        device["stale"] = device["revoked_at"] is None and last < cutoff
    return {"devices": devices, "rejected": rejected_ops(actor), "conflicts": open_conflicts(actor)}


def rejected_ops(actor: Actor) -> list[dict[str, Any]]:
    """Return the latest ops refused from the phones of the caller's people, newest first."""
    query = (select(RejectedOp, User.name).outerjoin(Device, Device.id == RejectedOp.device_id)
             .outerjoin(User, User.id == Device.user_id).where(people_in_area(actor))
             .order_by(RejectedOp.received_at.desc(), RejectedOp.id.desc()).limit(RECENT_REJECTIONS))
    return [{"op_id": row.op_id, "device_id": row.device_id, "owner_name": owner, "reason": row.reason,
             "received_at": row.received_at.replace(tzinfo=UTC), "entity": _entity_of(row.raw)}
            for row, owner in db.session.execute(query)]


def _entity_of(raw: str) -> str | None:
    """Read the entity of a kept op: its text may be cut short, so fall back to a pattern."""
    try:
        parsed = json.loads(raw)
    except ValueError:
        match = _ENTITY_RE.search(raw)
        return match.group(1) if match else None
    entity = parsed.get("entity") if isinstance(parsed, dict) else None
    return entity if isinstance(entity, str) else None


def open_conflicts(actor: Actor) -> list[dict[str, Any]]:
    """Return the open conflicts about records the caller may read, oldest first, each with what it is about."""
    without_jit()
    entities = set(db.session.scalars(select(Conflict.entity).where(Conflict.resolved_at.is_(None)).distinct()))
    rows = list(db.session.scalars(select(Conflict).where(Conflict.resolved_at.is_(None),
                                                          about_visible(actor, entities))
                                   .order_by(Conflict.opened_at, Conflict.id)))
    about = Abouts(rows)
    return [{"id": str(c.id), "rev": c.rev, "cause": c.cause, "record_entity": c.entity, "record_id": c.record_id,
             "field": c.field, "winner_value": c.winner_value, "loser_value": c.loser_value,
             "winner_op_id": c.winner_op_id, "loser_op_id": c.loser_op_id,
             "opened_at": c.opened_at.replace(tzinfo=UTC), "about": about.of(c.entity, c.record_id)}
            for c in rows]


def about_visible(actor: Actor, entities: set[str]) -> ColumnElement[bool]:
    """Return the condition that a conflict about one of `entities` is about a record the caller may read.

    The rule of `scope.conflict_visible`, asked conflict by conflict: each open conflict's
    record is found by its id and checked. `conflict_visible` instead lists every record the
    caller may read, and a province holds a million attendance records: minutes per request,
    against milliseconds for a few hundred conflicts. Only the entities that have open
    conflicts get a branch, since each repeats the caller's hundreds of area ids.
    """
    if actor.is_admin:
        return true()
    return or_(false(), *(and_(Conflict.entity == entity,
                               select(model.id).where(model.id == Conflict.record_id, visible(entity, actor)).exists())
                          for entity, model in ENTITY_MODELS.items() if entity in entities))


class Abouts:
    """Say in a few words what each conflict's record is: "Giàng Thị Mai · 2026-11-23"."""

    def __init__(self, conflicts: Iterable[Conflict]) -> None:
        wanted: dict[str, set[str]] = {}
        for conflict in conflicts:
            wanted.setdefault(conflict.entity, set()).add(conflict.record_id)
        self.records = {entity: _rows(ENTITY_MODELS[entity], ids) for entity, ids in wanted.items()
                        if entity in ENTITY_MODELS}
        rows = [row for found in self.records.values() for row in found.values()]
        self.sessions = _rows(CourseSession, {r.session_id for r in rows if getattr(r, "session_id", None)})
        self.trainees = _rows(Trainee, {r.trainee_id for r in rows if getattr(r, "trainee_id", None)})
        self.courses = _rows(Course, {r.course_id for r in [*rows, *self.sessions.values()]
                                      if getattr(r, "course_id", None)})

    def of(self, entity: str, record_id: str) -> str:
        row: Any = self.records.get(entity, {}).get(record_id)
        if row is None:
            return ""
        trainee = self.trainees.get(getattr(row, "trainee_id", None) or "")
        session = self.sessions.get(getattr(row, "session_id", None) or "")
        course = self.courses.get(getattr(row, "course_id", None) or (session.course_id if session else "") or "")
        parts = {"attendance": (trainee and trainee.full_name, session and session.date),
                 "confirmation": (trainee and trainee.full_name, session and session.date),
                 "skill_check": (trainee and trainee.full_name, row.skill_code if entity == "skill_check" else None),
                 "enrollment": (trainee and trainee.full_name, course and course.title),
                 "session": (course and course.title, row.date if entity == "session" else None),
                 }.get(entity, (getattr(row, "full_name", None) or getattr(row, "title", None)
                                or getattr(row, "name", None),))
        return " · ".join(str(part) for part in parts if part)


def _rows(model: Any, ids: set[str]) -> dict[str, Any]:
    """Return the records by id as plain rows: a province's few hundred conflicts need no ORM objects."""
    if not ids:
        return {}
    query = select(*model.__table__.columns).where(model.id.in_(sorted(ids)))
    return {row.id: row for row in db.session.execute(query)}
