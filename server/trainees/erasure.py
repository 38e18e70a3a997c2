"""Erasing a trainee at their request: their personal fields go everywhere the server kept them.

What a province reports stays true: the trainee's record, enrolments, marks and skill levels
stay, tied to an id that no longer names anyone, so counts and rates do not change (breakdowns
by gender or ethnicity count them as "not recorded"; server/attendance_counts.py counts erased
trainees). The record is tombstoned with a server op,
so every device that holds it drops it at its next pull, and it is closed: a later edit of it
from a phone still offline is refused and its personal fields are not kept (sql_store.py).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, or_, select

from server import audit
from server.attendance_counts import recount_trainees
from server.database import begin_write
from server.errors import ApiError
from server.extensions import db
from server.models import Conflict, OpLog, Passkey, RejectedOp, Trainee, WebAuthnCeremony
from server.scope import Actor
from server.sql_store import now_utc
from server.sync_api.push import apply_ops, next_server_hlc
from server.trainees.personal import PERSONAL_FIELDS, has_personal, redact, redact_raw


def erase_trainee(actor: Actor, device_id: str | None, trainee: Trainee) -> dict[str, Any]:
    """Tombstone a trainee (and the duplicates merged into them) and scrub their personal data; commit."""
    if trainee.erased_at is not None:
        return {"trainee_id": trainee.id, "erased_at": trainee.erased_at.isoformat(), "already": True}
    people = [trainee, *db.session.scalars(select(Trainee).where(Trainee.merged_into == trainee.id))]
    live = {p.id for p in people if not p.deleted}
    _tombstone([p for p in people if p.id in live], actor, device_id)
    ids = [p.id for p in people]
    when = now_utc()
    for person in people:
        for name in PERSONAL_FIELDS:
            setattr(person, name, None)
        person.erased_at = when
        person.erased_while_live = person.id in live  # a record deleted before must not count again
    db.session.flush()
    recount_trainees(ids)  # the dashboard's kept rows still counted them with their gender, age, ethnicity
    summary = {
        "trainee_id": trainee.id,
        "erased_at": when.isoformat(),
        "already": False,
        "records": len(ids),
        "ops_scrubbed": _scrub_op_log(ids),
        "conflicts_scrubbed": _scrub_conflicts(ids),
        "refused_ops_scrubbed": _scrub_refused_ops(ids),
        "passkeys_removed": _remove_passkeys(ids),
    }
    audit.record("trainee.erased", actor.user_id, target_id=trainee.id, device_id=device_id,
                 details={key: value for key, value in summary.items() if isinstance(value, int)})
    db.session.commit()
    return summary


def _tombstone(people: list[Trainee], actor: Actor, device_id: str | None) -> None:
    """Delete the live records with a server op; either way, hold the write lock until commit."""
    if not people:
        begin_write()  # the dashboard's counts are recounted next: one writer at a time
        return
    ops = [{"op_id": str(uuid.uuid4()), "entity": "trainee", "id": p.id, "hlc": next_server_hlc(),
            "kind": "delete", "base_rev": p.rev} for p in people]
    refused = [ack for ack in apply_ops(ops, actor, device_id) if ack.status == "rejected"]
    if refused:
        db.session.rollback()
        raise ApiError(409, "erasure_refused", f"nothing was erased: {refused[0].reason}")


def _scrub_op_log(ids: list[str]) -> int:
    scrubbed = 0
    for op in db.session.scalars(select(OpLog).where(OpLog.entity == "trainee", OpLog.record_id.in_(ids))):
        if has_personal(op.fields):
            op.fields = redact(op.fields)
            scrubbed += 1
    return scrubbed


def _scrub_conflicts(ids: list[str]) -> int:
    found = db.session.scalars(select(Conflict).where(
        Conflict.entity == "trainee", Conflict.record_id.in_(ids), Conflict.field.in_(PERSONAL_FIELDS)))
    scrubbed = 0
    for conflict in found:
        conflict.winner_value = conflict.loser_value = None
        scrubbed += 1
    return scrubbed


def _scrub_refused_ops(ids: list[str]) -> int:
    # Refused ops are kept verbatim as text, so find them by the id inside the text.
    found = db.session.scalars(select(RejectedOp).where(or_(*(RejectedOp.raw.contains(i) for i in ids))))
    scrubbed = 0
    for refused in found:
        refused.raw = redact_raw(refused.raw)
        scrubbed += 1
    return scrubbed


def _remove_passkeys(ids: list[str]) -> int:
    db.session.execute(delete(WebAuthnCeremony).where(WebAuthnCeremony.trainee_id.in_(ids)))
    result = db.session.execute(delete(Passkey).where(Passkey.trainee_id.in_(ids)))
    return int(getattr(result, "rowcount", 0) or 0)
