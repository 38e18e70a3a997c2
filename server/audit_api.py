"""Reading the audit log: GET /api/v1/audit for coordinators and admins, and `fieldroll audit`.

A coordinator sees the entries of the people they look after (as for the device list):
what those people did, and what was done to their devices and passkeys. An admin sees all.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import or_, select

from server.compression import json_response
from server.devices.manage import people_in_area, require_manager
from server.devices.tokens import require_device
from server.extensions import db
from server.models import AuditEntry, User
from server.scope import Actor, actor_for
from server.validation import validate_body

bp = Blueprint("audit", __name__, url_prefix="/api/v1")
MAX_LIMIT = 1000


class AuditQuery(Schema):
    since = fields.AwareDateTime(load_default=None, default_timezone=UTC, metadata={
        "description": "only entries at or after this time (ISO 8601; UTC if no offset)"})
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_LIMIT))


class AuditEntryInfo(Schema):
    id = fields.Integer(required=True)
    at = fields.DateTime(required=True, format="iso")
    action = fields.String(required=True, metadata={"description": "e.g. device.enrolled, export.downloaded"})
    actor_user_id = fields.String(required=True, allow_none=True,
                                  metadata={"description": "'server' for the command line; null for a trainee"})
    actor_device_id = fields.String(required=True, allow_none=True)
    subject_user_id = fields.String(required=True, allow_none=True,
                                    metadata={"description": "whose device, code or passkey the action was about"})
    target_id = fields.String(required=True, allow_none=True)
    details = fields.Dict(required=True, metadata={"description": "counts and ids only, never personal data"})


class AuditList(Schema):
    entries = fields.List(fields.Nested(AuditEntryInfo), required=True)


def entries(actor: Actor | None, since: datetime | None, limit: int) -> list[AuditEntry]:
    """Return the newest `limit` entries since `since` that `actor` may see (None: the command line)."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if actor is not None:
        require_manager(actor)
        if not actor.is_admin:
            people = select(User.id).where(people_in_area(actor))
            query = query.where(or_(AuditEntry.actor_user_id.in_(people), AuditEntry.subject_user_id.in_(people)))
    if since is not None:
        query = query.where(AuditEntry.at >= since.astimezone(UTC).replace(tzinfo=None))
    return list(db.session.scalars(query))


def entry_info(entry: AuditEntry) -> dict[str, Any]:
    return {"id": entry.id, "at": entry.at.replace(tzinfo=UTC), "action": entry.action,
            "actor_user_id": entry.actor_user_id, "actor_device_id": entry.actor_device_id,
            "subject_user_id": entry.subject_user_id, "target_id": entry.target_id, "details": entry.details}


def entry_line(entry: AuditEntry) -> tuple[str, ...]:
    """Return an entry as the command line prints it: time, action, actor, device, subject, target, details."""
    return (entry.at.isoformat(timespec="seconds") + "Z", entry.action, entry.actor_user_id or "-",
            entry.actor_device_id or "-", entry.subject_user_id or "-", entry.target_id or "-",
            json.dumps(entry.details, sort_keys=True, separators=(",", ":")))


@bp.get("/audit")
@require_device
def audit_log() -> ResponseReturnValue:
    """List the audit entries of the people in the coordinator's area (admin: all), newest first."""
    args = validate_body(AuditQuery(unknown=EXCLUDE), request.args.to_dict())
    found = entries(actor_for(g.user), args["since"], args["limit"])
    return json_response(AuditList().dump({"entries": [entry_info(e) for e in found]}))


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": "ErrorBody"}}}


SCHEMAS: dict[str, type[Schema]] = {"AuditEntryInfo": AuditEntryInfo, "AuditList": AuditList}
PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/audit": {"get": {
        "summary": "List the audit log of the people in the coordinator's area (admin: all), newest first",
        "description": "Administrative and security actions (enrolments, revocations, passkeys, imports, "
                       "downloads of personal data). Record changes are ops: see the sync protocol.",
        "security": [{"deviceToken": []}],
        "parameters": [
            {"name": "since", "in": "query", "required": False, "schema": {"type": "string", "format": "date-time"},
             "description": "only entries at or after this time (UTC if no offset)"},
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100}},
        ],
        "responses": {"200": {"description": "the entries", "content": {"application/json": {"schema": "AuditList"}}},
                      "400": _error("invalid_request: since is not a time, or limit out of range"),
                      "401": _error("missing, unknown or revoked device token"),
                      "403": _error("not_a_coordinator: the caller is a trainer")},
    }},
}
