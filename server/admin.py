"""Administration as plain functions: users, enrolment codes, trainer assignment, demo data."""

from __future__ import annotations

import io
import time
import uuid
from collections.abc import Sequence

import segno
from sqlalchemy import or_, select

from server import audit
from server.demo_data import build_demo
from server.devices.tokens import create_enrolment_code
from server.extensions import db
from server.models import Area, Course, CourseTrainer, Device, User
from server.scope import Actor
from server.sql_store import now_utc
from server.sync_api.push import apply_ops, next_server_hlc
from sync.ids import uuid7

ROLES = ("trainer", "coordinator", "admin")
SERVER_ADMIN = Actor(user_id="server", role="admin")
DEMO_USERS = (
    ("tuan.trainer", "trainer", None),
    ("mai.trainer", "trainer", None),
    ("hoa.trainer", "trainer", None),
    ("lan.laocai", "coordinator", "LCI"),
    ("binh.banho", "coordinator", "LCI-BANHO"),
    ("an.admin", "admin", None),
)


class AdminError(Exception):
    """A request an administrator can correct: the message says how."""


def find_area(code_or_id: str) -> Area:
    area = db.session.scalar(select(Area).where(or_(Area.code == code_or_id, Area.id == code_or_id)))
    if area is None:
        raise AdminError(f"no area with code or id {code_or_id!r}: load areas first (fieldroll demo)")
    return area


def find_user(name_or_id: str) -> User:
    user = db.session.scalar(select(User).where(or_(User.name == name_or_id, User.id == name_or_id)))
    if user is None:
        raise AdminError(f"no user {name_or_id!r}: add one with `fieldroll user add`")
    return user


def add_user(name: str, role: str, area_code: str | None) -> User:
    """Create a user; coordinators must be given the area they look after."""
    if role not in ROLES:
        raise AdminError(f"role must be one of {', '.join(ROLES)}")
    if role == "coordinator" and not area_code:
        raise AdminError("a coordinator needs --area: the province or commune they look after")
    if db.session.scalar(select(User).where(User.name == name)) is not None:
        raise AdminError(f"a user named {name!r} already exists")
    area_id = find_area(area_code).id if area_code else None
    user = User(id=uuid7(int(time.time() * 1000)), name=name, role=role, area_id=area_id,
                created_at=now_utc())
    db.session.add(user)
    audit.record("user.added", SERVER_ADMIN.user_id, target_id=user.id, subject_user_id=user.id,
                 details={"role": role, **({"area_id": area_id} if area_id else {})})
    db.session.commit()
    return user


def user_lines() -> list[tuple[str, str, str, str]]:
    """Return (name, role, scope, assigned course ids) for every user, by name."""
    areas = {a.id: a.code for a in db.session.scalars(select(Area))}
    courses: dict[str, list[str]] = {}
    for link in db.session.scalars(select(CourseTrainer)):
        courses.setdefault(link.user_id, []).append(link.course_id)
    return [
        (u.name, u.role, areas.get(u.area_id or "") or "-", ",".join(sorted(courses.get(u.id, []))) or "-")
        for u in db.session.scalars(select(User).order_by(User.name))
    ]


def enrolment_code_for(name_or_id: str) -> str:
    """Make and store a one-time device enrolment code for a user."""
    user = find_user(name_or_id)
    code = create_enrolment_code(user)
    audit.record("enrolment_code.issued", SERVER_ADMIN.user_id, target_id=user.id, subject_user_id=user.id)
    db.session.commit()
    return code


def enrolment_link(app_url: str, code: str) -> str:
    """Return the link that opens the app with the code filled in (the app's #/enrol/CODE route)."""
    return f"{app_url.rstrip('/')}/#/enrol/{code}"


def qr_for_terminal(text: str) -> str:
    """Draw `text` as a QR code in block characters, for a phone's camera to read off a screen."""
    buffer = io.StringIO()
    segno.make(text, error="m").terminal(out=buffer, compact=True)
    return buffer.getvalue()


def assign_trainer(name_or_id: str, course_id: str) -> None:
    """Add a trainer to a course, as an op like any other."""
    user = find_user(name_or_id)
    if user.role != "trainer":
        raise AdminError(f"{user.name} is a {user.role}, not a trainer")
    course = db.session.get(Course, course_id)
    if course is None:
        raise AdminError(f"no course {course_id}")
    trainers = sorted({*(course.trainer_ids or []), user.id})
    op = {"op_id": str(uuid.uuid4()), "entity": "course", "id": course_id, "hlc": next_server_hlc(),
          "kind": "upsert", "fields": {"trainer_ids": trainers}, "base_rev": course.rev}
    _apply_uncommitted([op])
    audit.record("trainer.assigned", SERVER_ADMIN.user_id, target_id=course_id, subject_user_id=user.id)
    db.session.commit()


def device_lines() -> list[tuple[str, str, str, str, str]]:
    """Return (device id, owner, last sync, app version, state) for every device."""
    owners = {u.id: u.name for u in db.session.scalars(select(User))}
    return [
        (d.id, owners.get(d.user_id, "?"), d.last_sync_at.isoformat(timespec="minutes") if d.last_sync_at else "never",
         d.app_version or "-", "revoked" if d.revoked_at else "active")
        for d in db.session.scalars(select(Device).order_by(Device.enrolled_at))
    ]


def revoke_device(device_id: str) -> None:
    """Refuse a device from now on; on its next contact it is told to wipe its copy."""
    device = db.session.get(Device, device_id)
    if device is None:
        raise AdminError(f"no device {device_id}: see `fieldroll device list`")
    if device.revoked_at is None:
        device.revoked_at = now_utc()
        audit.record("device.revoked", SERVER_ADMIN.user_id, target_id=device.id, subject_user_id=device.user_id)
    db.session.commit()


def apply_as_server(ops: Sequence[object]) -> None:
    """Apply ops the server makes itself; refuse the lot if any is refused."""
    _apply_uncommitted(ops)
    db.session.commit()


def _apply_uncommitted(ops: Sequence[object]) -> None:
    acks = apply_ops(ops, SERVER_ADMIN, None)
    refused = [a for a in acks if a.status == "rejected"]
    if refused:
        db.session.rollback()
        raise AdminError(f"refused: {refused[0].reason}")


def load_demo() -> list[tuple[str, str, str]]:
    """Load the demo areas, courses and trainees, and the demo users with enrolment codes."""
    users = [_demo_user(name, role) for name, role, _ in DEMO_USERS]
    trainers = [u.id for u in users if u.role == "trainer"]
    demo = build_demo(trainers, int(time.time() * 1000))
    apply_as_server(demo.ops)
    for user, (_, _, area_code) in zip(users, DEMO_USERS, strict=True):
        user.area_id = demo.area_ids.get(area_code) if area_code else None
    db.session.commit()
    return [(u.name, u.role, enrolment_code_for(u.id)) for u in users]


def _demo_user(name: str, role: str) -> User:
    existing = db.session.scalar(select(User).where(User.name == name))
    if existing is not None:
        return existing
    user = User(id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"fieldroll-demo-user:{name}")), name=name,
                role=role, area_id=None, created_at=now_utc())
    db.session.add(user)
    return user
