"""Pushing: apply a device's ops in one transaction under the write lock, then commit."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError

from server.checkins.after_apply import after_apply
from server.database import begin_write
from server.extensions import db
from server.models import Device, Revision
from server.push.triggers import after_sync
from server.row_cache import RowCache, keys_of_ops
from server.scope import Actor, ScopeGate
from server.sql_store import SqlStore, now_utc, revision_row
from sync.engine import Ack, Key, apply_parsed, parse_batch
from sync.hlc import Hlc, parse_hlc, tick
from sync.ops import Op, Rejection

SERVER_NODE = "server"


@dataclass(frozen=True)
class Batch:
    """A batch as read before the write lock: the raw ops, each one checked, and the records they name."""

    ops: Sequence[object]
    parsed: list[Op | Rejection]
    keys: set[Key]


def apply_ops(ops: Sequence[object], actor: Actor, device_id: str | None,
              gate: type[ScopeGate] = ScopeGate, keep_rejected: bool = True) -> list[Ack]:
    """Apply ops under the write lock; the caller commits before showing any ack.

    If the database refuses the batch, it is applied again op by op, so the op it
    refuses is rejected alone and never blocks the ops queued behind it. `gate` decides
    who may write what; `keep_rejected=False` stores nothing of a refused op (for an
    endpoint open to anyone, whose junk must not fill the database).
    """
    # Checking the ops' shapes and finding the records they name needs no database: done before
    # taking the lock, so other workers can apply their batches meanwhile.
    batch = Batch(ops, parse_batch(ops, int(time.time() * 1000)), keys_of_ops(ops))
    try:
        return _apply_under_lock(batch, actor, device_id, gate, keep_rejected, careful=False)
    except DBAPIError:
        db.session.rollback()
        return _apply_under_lock(batch, actor, device_id, gate, keep_rejected, careful=True)


def _apply_under_lock(batch: Batch, actor: Actor, device_id: str | None, gate: type[ScopeGate],
                      keep_rejected: bool, careful: bool) -> list[Ack]:
    ops = batch.ops
    begin_write()
    rows = RowCache()
    rows.prefetch_for_ops(batch.keys)
    store = SqlStore(device_id, actor.user_id, rows, careful=careful, keep_rejected=keep_rejected)
    acks = apply_parsed(store, ops, batch.parsed, gate(actor, rows)) if ops else []
    after_apply(store, ops, acks)
    store.flush_seq()
    _remember_clock(ops, acks)
    db.session.flush()
    return acks


def push(ops: Sequence[object], actor: Actor, device: Device, report: dict[str, Any]) -> list[Ack]:
    """Apply a device's ops and record its check-in; commit before returning any ack."""
    acks = apply_ops(ops, actor, device.id)
    db.session.execute(update(Device).where(Device.id == device.id).values(
        last_sync_at=now_utc(), app_version=report.get("app_version") or device.app_version,
        pending_ops=report.get("pending_ops")))
    db.session.commit()
    after_sync(device.id, ops, acks)
    return acks


def _remember_clock(ops: Sequence[object], acks: Sequence[Ack]) -> None:
    """Keep the greatest accepted HLC, so the server can hand every device a clock past it."""
    accepted = [op["hlc"] for op, ack in zip(ops, acks, strict=True)
                if ack.status in ("applied", "conflict") and isinstance(op, dict)]
    latest = max(accepted, default=None)
    if latest is None:
        return
    row = revision_row()
    if row.hlc is None or latest > row.hlc:
        row.hlc = latest


def next_server_hlc() -> str:
    """Return a fresh clock for an op the server itself makes, after everything accepted."""
    now_ms = int(time.time() * 1000)
    latest = parse_hlc(server_hlc(now_ms))
    return str(tick(latest, now_ms, SERVER_NODE))


def server_hlc(now_ms: int) -> str:
    """Return a clock at or past every HLC the server has accepted."""
    latest = db.session.scalar(select(Revision.hlc).where(Revision.id == 1))
    own = str(Hlc(now_ms, 0, SERVER_NODE))
    return max(own, latest) if latest else own
