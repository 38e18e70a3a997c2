"""Coordinators look after the phones of the people in their area: list, revoke, re-enrol.

A coordinator's people are those whose own area lies in the coordinator's area (province
→ communes → villages), and the trainers of courses there, as for outbox files
(server/outbox_files/importer.py): trainers usually have no area of their own. Anything
outside that answers 404, so ids cannot be probed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, or_, select, true

from server import audit
from server.database import among
from server.devices.tokens import create_enrolment_code
from server.errors import ApiError
from server.extensions import db
from server.models import Course, CourseTrainer, Device, User
from server.scope import Actor
from server.sql_store import now_utc

MANAGER_ROLES = ("coordinator", "admin")


def require_manager(actor: Actor) -> None:
    if actor.role not in MANAGER_ROLES:
        raise ApiError(403, "not_a_coordinator", "only a coordinator or an admin may do this")


def people_in_area(actor: Actor) -> ColumnElement[bool]:
    """Return the SQL condition for the users the actor looks after."""
    if actor.is_admin:
        return true()
    trainers_here = (select(CourseTrainer.user_id).join(Course, Course.id == CourseTrainer.course_id)
                     .where(among(Course.commune_id, actor.area_ids)))
    return or_(among(User.area_id, actor.area_ids), User.id.in_(trainers_here))


def devices_in_area(actor: Actor) -> list[dict[str, Any]]:
    """Return the devices of the actor's people, the most recently synced first."""
    require_manager(actor)
    # Plain rows, not ORM objects: a province lists thousands of phones, read only.
    query = (select(Device.id, Device.label, Device.enrolled_at, Device.last_sync_at, Device.app_version,
                    Device.pending_ops, Device.revoked_at, User.id.label("owner_id"), User.name.label("owner_name"),
                    User.role.label("owner_role"))
             .join(User, User.id == Device.user_id).where(people_in_area(actor))
             .order_by(Device.last_sync_at.desc().nulls_last(), Device.enrolled_at.desc(), Device.id))
    return [device_info(row, Owner(row.owner_id, row.owner_name, row.owner_role)) for row in db.session.execute(query)]


def revoke_in_area(actor: Actor, device_id: str) -> dict[str, Any]:
    """Revoke one of the actor's people's devices; its next contact is told to wipe its copy."""
    require_manager(actor)
    found = db.session.execute(select(Device, User).join(User, User.id == Device.user_id)
                               .where(Device.id == device_id, people_in_area(actor))).first()
    if found is None:
        raise ApiError(404, "unknown_device", "no device with this id among the people of your area")
    device, user = found
    if device.revoked_at is None:
        device.revoked_at = now_utc()
        audit.record("device.revoked", actor.user_id, target_id=device.id, subject_user_id=user.id)
    return device_info(device, user)


def enrolment_code_in_area(actor: Actor, user_id: str) -> str:
    """Make a one-time enrolment code for one of the actor's people: a lost phone's way back."""
    require_manager(actor)
    user = db.session.scalar(select(User).where(User.id == user_id, people_in_area(actor)))
    if user is None:
        raise ApiError(404, "unknown_user", "no user with this id among the people of your area")
    audit.record("enrolment_code.issued", actor.user_id, target_id=user.id, subject_user_id=user.id)
    return create_enrolment_code(user)


class Owner(NamedTuple):
    id: str
    name: str
    role: str


def device_info(device: Any, user: User | Owner) -> dict[str, Any]:
    """Describe a device (a `Device` or a row of its columns) and its owner for a coordinator."""
    return {"id": device.id, "label": device.label,
            "owner": {"id": user.id, "name": user.name, "role": user.role},
            "enrolled_at": _utc(device.enrolled_at), "last_sync_at": _utc(device.last_sync_at),
            "app_version": device.app_version, "pending_ops": device.pending_ops,
            "revoked_at": _utc(device.revoked_at)}


def _utc(moment: datetime | None) -> datetime | None:
    """Mark a stored time (naive UTC) as UTC, so it is written with its offset."""
    return moment.replace(tzinfo=UTC) if moment is not None else None
