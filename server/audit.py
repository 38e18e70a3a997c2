"""The audit log: record an administrative or security action in the caller's transaction.

Changes to records travel as ops and are kept in `op_log` (which device, which fields,
when); this log covers what is not an op: enrolments, revocations, passkeys, imports and
downloads of personal data. An entry carries ids and counts only, never a trainee's name,
phone number or birth year, so it can be shown to coordinators and kept for long.
"""

from __future__ import annotations

from typing import Any

from flask import g, has_request_context

from server.extensions import db
from server.models import AuditEntry
from server.sql_store import now_utc

# The actor of actions taken with the `fieldroll` command on the server itself.
SERVER_ACTOR = "server"


def record(action: str, actor_user_id: str | None, *, target_id: str | None = None,
           subject_user_id: str | None = None, details: dict[str, Any] | None = None,
           device_id: str | None = None) -> AuditEntry:
    """Add an entry to the session; it commits, or rolls back, with the action it records.

    `device_id` defaults to the device whose token made the request. `details` takes ids,
    counts and short keywords only: a value with a space in it (a name) is refused.
    """
    details = details or {}
    for key, value in details.items():
        if not (value is None or isinstance(value, int | bool) or (isinstance(value, str) and " " not in value)):
            raise ValueError(f"audit details hold ids and counts only, not {key}={type(value).__name__}")
    if device_id is None and has_request_context() and getattr(g, "device", None) is not None:
        device_id = g.device.id
    entry = AuditEntry(at=now_utc(), action=action, actor_user_id=actor_user_id, actor_device_id=device_id,
                       subject_user_id=subject_user_id, target_id=target_id, details=details)
    db.session.add(entry)
    return entry
