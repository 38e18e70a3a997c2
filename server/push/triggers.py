"""After a sync commits: who is told what (docs/dashboard.md §7).

- coordinators (and admins) subscribed to `new_data`, when the sync's records lie in their area;
- those subscribed to `conflicts`, when the sync opened a conflict in their area;
- trainers subscribed to `roster_changed`, when the sync changed a course of theirs.

Never the device that made the change nor a revoked one, at most one push per subscription per minute, and
a push that fails never fails the sync: the work runs after the answer has left (or, when
configured so, right after the commit) and any error is logged by its class alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, after_this_request, current_app, has_request_context
from sqlalchemy import or_, select

from server.extensions import db
from server.models import (
    ENTITY_MODELS,
    Area,
    Conflict,
    Course,
    CourseSession,
    CourseTrainer,
    Device,
    Enrollment,
    PushSubscription,
    Trainee,
    User,
)
from server.push.keys import load_keys
from server.push.send import Target, claim, send_push
from sync.engine import Ack

log = logging.getLogger(__name__)
ACCEPTED = ("applied", "conflict")
COURSE_ENTITIES = ("session", "enrollment", "skill_check")
SESSION_ENTITIES = ("attendance", "confirmation")
IN_CHUNK = 500


@dataclass(frozen=True)
class Place:
    """Where a record lies: the courses it belongs to and its commune."""

    courses: frozenset[str]
    commune: str | None


def after_sync(device_id: str, ops: Sequence[object], acks: Sequence[Ack]) -> None:
    """Notify subscribers about a committed sync; never raise."""
    try:
        touched = [(op["entity"], op["id"], op["op_id"]) for op, ack in zip(ops, acks, strict=True)
                   if ack.status in ACCEPTED and isinstance(op, dict)]
        if not touched or load_keys(current_app.config) is None:
            return
        if current_app.config["PUSH_SEND_AFTER_RESPONSE"] and has_request_context():
            app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]

            @after_this_request
            def later(response: Response) -> Response:
                response.call_on_close(lambda: _in_context(app, device_id, touched))
                return response
        else:
            notify(device_id, touched)
    except Exception as err:  # the sync is committed and must be answered
        db.session.rollback()
        log.warning("push after sync failed: %s", type(err).__name__)


def _in_context(app: Flask, device_id: str, touched: list[tuple[str, str, str]]) -> None:
    with app.app_context():
        try:
            notify(device_id, touched)
        except Exception as err:
            db.session.rollback()
            log.warning("push after sync failed: %s", type(err).__name__)


def notify(device_id: str, touched: list[tuple[str, str, str]]) -> dict[str, str]:
    """Send each subscriber at most one push about these records; return outcomes by subscription id."""
    config = current_app.config
    keys = load_keys(config)
    revoked = select(Device.id).where(Device.revoked_at.is_not(None))
    subscriptions = db.session.scalars(select(PushSubscription).where(
        or_(PushSubscription.device_id.is_(None), PushSubscription.device_id != device_id),
        or_(PushSubscription.device_id.is_(None), PushSubscription.device_id.not_in(revoked)))).all()
    if keys is None or not subscriptions:
        return {}
    planned = [(Target.of(subscription), payload) for subscription, payload in plan(subscriptions, touched)]
    outcomes = {}
    for target, payload in planned:
        if claim(target.id, config["PUSH_MIN_INTERVAL_S"]):
            outcomes[target.id] = send_push(target, payload, keys, config)
        else:
            outcomes[target.id] = "too_soon"
    return outcomes


def plan(subscriptions: Sequence[PushSubscription],
         touched: list[tuple[str, str, str]]) -> list[tuple[PushSubscription, dict[str, Any]]]:
    """Pick, for each subscription, the one push it should get about these records, if any."""
    records = {(entity, record_id) for entity, record_id, _ in touched}
    op_ids = [op_id for _, _, op_id in touched]
    conflicts = [(c.entity, c.record_id) for c in _chunked(op_ids, lambda chunk: select(Conflict).where(
        Conflict.resolved_at.is_(None), or_(Conflict.loser_op_id.in_(chunk), Conflict.winner_op_id.in_(chunk))))]
    places = locate(records | set(conflicts))
    changed = [places[r] for r in records if r in places]
    opened = [places[r] for r in conflicts if r in places]
    users = {u.id: u for u in db.session.scalars(select(User).where(
        User.id.in_({s.user_id for s in subscriptions})))}
    areas = _area_children()
    planned = []
    for subscription in subscriptions:
        user = users.get(subscription.user_id)
        if user is None:
            continue
        counts = _counts(user, set(subscription.topics), changed, opened, areas)
        # One push at a time per subscription: conflicts want a person, so they go first.
        for topic in ("conflicts", "roster_changed", "new_data"):
            if counts.get(topic):
                planned.append((subscription, {"topic": topic, "title_key": f"push.{topic}", "count": counts[topic]}))
                break
    return planned


def _counts(user: User, topics: set[str], changed: list[Place], opened: list[Place],
            areas: dict[str | None, list[str]]) -> dict[str, int]:
    if user.role == "trainer":
        if "roster_changed" not in topics:
            return {}
        mine = set(db.session.scalars(select(CourseTrainer.course_id).where(CourseTrainer.user_id == user.id)))
        return {"roster_changed": sum(1 for place in changed if place.courses & mine)}
    if user.role == "admin":
        def inside(place: Place) -> bool:
            return True
    else:
        area = _subtree(areas, user.area_id)

        def inside(place: Place) -> bool:
            return place.commune in area
    counts = {}
    if "new_data" in topics:
        counts["new_data"] = sum(1 for place in changed if inside(place))
    if "conflicts" in topics:
        counts["conflicts"] = sum(1 for place in opened if inside(place))
    return counts


def locate(records: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Place]:
    """Find the courses and commune of each record (entity, id); reference records have none."""
    by_entity: dict[str, list[str]] = {}
    for entity, record_id in records:
        by_entity.setdefault(entity, []).append(record_id)
    course_of: dict[tuple[str, str], str | None] = {}
    for entity, ids in by_entity.items():
        if entity == "course":
            course_of.update({("course", i): i for i in ids})
        elif entity in COURSE_ENTITIES:
            model: Any = ENTITY_MODELS[entity]
            rows = _chunked(ids, lambda chunk, m=model: select(m.id, m.course_id).where(m.id.in_(chunk)), rows=True)
            for row in rows:
                course_of[(entity, row[0])] = row[1]
        elif entity in SESSION_ENTITIES:
            model = ENTITY_MODELS[entity]
            for row in _chunked(ids, lambda chunk, m=model: select(m.id, CourseSession.course_id).join(
                    CourseSession, CourseSession.id == m.session_id).where(m.id.in_(chunk)), rows=True):
                course_of[(entity, row[0])] = row[1]
    course_ids = [c for c in course_of.values() if c]
    commune_of_course = {row[0]: row[1] for row in _chunked(
        course_ids, lambda chunk: select(Course.id, Course.commune_id).where(Course.id.in_(chunk)), rows=True)}
    places = {key: Place(frozenset([course_id]) if course_id else frozenset(), commune_of_course.get(course_id or ""))
              for key, course_id in course_of.items()}
    places.update(_trainee_places(by_entity.get("trainee", [])))
    return places


def _trainee_places(ids: list[str]) -> dict[tuple[str, str], Place]:
    courses: dict[str, set[str]] = {}
    for row in _chunked(ids, lambda chunk: select(Enrollment.trainee_id, Enrollment.course_id).where(
            Enrollment.trainee_id.in_(chunk), Enrollment.deleted.is_(False)), rows=True):
        courses.setdefault(row[0], set()).add(row[1])
    return {("trainee", row[0]): Place(frozenset(courses.get(row[0], ())), row[1]) for row in _chunked(
        ids, lambda chunk: select(Trainee.id, Trainee.commune_id).where(Trainee.id.in_(chunk)), rows=True)}


def _chunked(ids: Sequence[str], query: Any, rows: bool = False) -> list[Any]:
    """Run `query(chunk)` over `ids` a few hundred at a time (IN lists have limits)."""
    found: list[Any] = []
    for start in range(0, len(ids), IN_CHUNK):
        result = db.session.execute(query(list(ids[start:start + IN_CHUNK])))
        found.extend(result.all() if rows else result.scalars().all())
    return found


def _area_children() -> dict[str | None, list[str]]:
    children: dict[str | None, list[str]] = {}
    for area_id, parent_id in db.session.execute(select(Area.id, Area.parent_id)):
        children.setdefault(parent_id, []).append(area_id)
    return children


def _subtree(children: dict[str | None, list[str]], root: str | None) -> set[str]:
    found: set[str] = set()
    stack = [root] if root else []
    while stack:
        current = stack.pop()
        if current not in found:
            found.add(current)
            stack.extend(children.get(current, []))
    return found
