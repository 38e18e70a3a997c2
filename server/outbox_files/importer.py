"""Importing a saved outbox file: check who wrote it and who brings it, then apply it as that phone's sync.

The phone signs the file with HMAC-SHA256 keyed by the SHA-256 digest of its token. The
server stores exactly that digest (`device.token_hash`), so it can tell the file came
from that phone unaltered without ever holding the token. Every check comes before
anything is applied: a refused file changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from marshmallow import Schema, ValidationError
from sqlalchemy import select

from server import audit
from server.errors import ApiError
from server.extensions import db
from server.models import Course, CourseTrainer, Device, User
from server.outbox_files.schemas import OutboxFile, OutboxPayload
from server.push.triggers import after_sync
from server.scope import Actor, actor_for
from server.sync_api.push import apply_ops
from sync.engine import Ack

COURIER_ROLES = ("coordinator", "admin")
ACK_STATUSES = ("applied", "duplicate", "conflict", "rejected")
_HEX_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Imported:
    device_id: str
    app_version: str | None
    created_at_ms: int
    acks: list[Ack]

    def counts(self) -> dict[str, int]:
        """Return how many ops got each ack status."""
        tally = Counter(ack.status for ack in self.acks)
        return {status: tally[status] for status in ACK_STATUSES}

    def to_wire(self) -> dict[str, Any]:
        return {"device_id": self.device_id, "acks": [ack.to_wire() for ack in self.acks], **self.counts()}


def import_outbox(raw: bytes, courier: Actor) -> Imported:
    """Apply the ops of a saved outbox file as a sync from the device that wrote it, and commit."""
    if courier.role not in COURIER_ROLES:
        raise ApiError(403, "not_a_coordinator", "only a coordinator or an admin may import an outbox file")
    envelope = _parse(raw, OutboxFile(), "file")
    payload = _parse(envelope["payload"], OutboxPayload(), "payload")
    device = db.session.get(Device, payload["device_id"])
    if device is None:
        raise ApiError(404, "unknown_device", "no phone with this file's device_id is enrolled on this server")
    if not _signed_by(device, envelope["payload"], envelope["signature"]):
        raise ApiError(400, "bad_signature",
                       "this file was not written by that phone, or was changed on the way: ask for it again")
    if device.revoked_at is not None:
        raise ApiError(403, "source_device_revoked",
                       "the phone that wrote this file was revoked: its records are not accepted")
    owner = db.session.get(User, device.user_id)
    assert owner is not None
    _check_courier(courier, owner)
    acks = apply_ops(payload["ops"], actor_for(owner), device.id)
    imported = Imported(device.id, payload["app_version"], payload["created_at_ms"], acks)
    audit.record("outbox_file.imported", courier.user_id, target_id=device.id, subject_user_id=owner.id,
                 details=imported.counts())
    db.session.commit()
    # The people who follow these records hear of them as after the phone's own sync.
    after_sync(device.id, payload["ops"], acks)
    return imported


def _signed_by(device: Device, payload: str, signature: str) -> bool:
    """Tell whether `signature` is the device's HMAC of the payload text."""
    signature = signature.lower()
    if not _HEX_SHA256.fullmatch(signature):
        return False
    # surrogatepass: a payload holding a lone surrogate is not what a phone signs, but it
    # must fail the comparison rather than crash the encoding.
    mac = hmac.new(bytes.fromhex(device.token_hash), payload.encode("utf-8", "surrogatepass"), hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), signature)


def _check_courier(courier: Actor, owner: User) -> None:
    """Let an admin bring in anyone's file, and a coordinator the files of people in their area.

    A coordinator's area covers the owner when the owner's own area lies in it, or when
    the owner trains at least one course there. The ops are still checked as the owner's
    own, so a course outside the coordinator's area gets only what the owner may write.
    """
    if courier.is_admin or owner.id == courier.user_id or owner.area_id in courier.area_ids:
        return
    course_here = (select(CourseTrainer.course_id).join(Course, Course.id == CourseTrainer.course_id)
                   .where(CourseTrainer.user_id == owner.id, Course.commune_id.in_(courier.area_ids)).limit(1))
    if db.session.scalar(course_here) is None:
        raise ApiError(403, "outside_your_area",
                       "the person who wrote this file has no course in your area: ask their coordinator")


def _parse(text: str | bytes, schema: Schema, part: str) -> dict[str, Any]:
    """Parse one layer of the file (the file, then its payload) and check its shape."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise _damaged(part, "not JSON") from err
    if not isinstance(data, dict):
        raise _damaged(part, "not a JSON object")
    try:
        loaded: dict[str, Any] = schema.load(data)
    except ValidationError as err:
        raise _damaged(part, "wrong fields", err.messages) from err
    return loaded


def _damaged(part: str, problem: str, fields: Any = None) -> ApiError:
    details: dict[str, Any] = {"part": part, **({"fields": fields} if fields else {})}
    return ApiError(400, "invalid_outbox_file",
                    f"this is not a readable FieldRoll outbox file ({part}: {problem}): ask for it again", details)
