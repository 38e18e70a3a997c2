"""Small builders for ops, clocks and ids shared by the sync tests.

Imported as `tests.sync.sync_factories` (pytest runs with --import-mode=importlib and
pythonpath = ["."], as tests/server does with its helpers).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from typing import Any

from sync.engine import Ack, apply_batch
from sync.hlc import Hlc
from sync.ids import derived_id
from sync.memory_store import MemoryStore
from sync.merge import LoggedOp, RecordState
from sync.ops import Op, parse_op
from sync.trainee_merge import redirect_op

# 2025-10-09T08:53:20Z: a plausible server clock, well after MIN_WALL_MS.
NOW_MS = 1_760_000_000_000
DAY_MS = 24 * 3600 * 1000
_TEST_NS = uuid.UUID("0b7e5a52-6a0e-4c2d-9d3e-1f2a3b4c5d6e")
_op_numbers = itertools.count(1)


def uid(name: str) -> str:
    """Return a readable-in-tests but valid lowercase UUID for `name`."""
    return str(uuid.uuid5(_TEST_NS, name))


def clock(offset_ms: int, node: str, counter: int = 0) -> str:
    """Return an HLC string `offset_ms` after NOW_MS on device `node`."""
    return str(Hlc(NOW_MS + offset_ms, counter, node))


def wire(entity: str, record_id: str, hlc: str, fields: dict[str, Any] | None = None,
         kind: str = "upsert", op_id: str | None = None, base_rev: int | None = None) -> dict[str, Any]:
    """Return an op as a device sends it."""
    raw: dict[str, Any] = {
        "op_id": op_id or uid(f"op-{next(_op_numbers)}"), "entity": entity, "id": record_id,
        "hlc": hlc, "kind": kind, "fields": fields if fields is not None else {},
    }
    if base_rev is not None:
        raw["base_rev"] = base_rev
    return raw


def natural(entity: str, fields: dict[str, Any], hlc: str, kind: str = "upsert",
            **kw: Any) -> dict[str, Any]:
    """Return an op on a natural-key record, its id derived from `fields`."""
    record_id = derived_id(entity, fields)
    assert record_id is not None
    return wire(entity, record_id, hlc, {} if kind == "delete" else fields, kind, **kw)


def attendance(session: str, trainee: str, status: str, hlc: str, **kw: Any) -> dict[str, Any]:
    """Return an attendance upsert for the named session and trainee."""
    fields = {"session_id": uid(session), "trainee_id": uid(trainee), "status": status}
    return natural("attendance", fields, hlc, **kw)


def enrollment(course: str, trainee: str, hlc: str, kind: str = "upsert", **kw: Any) -> dict[str, Any]:
    """Return an enrollment add (upsert) or remove (delete)."""
    fields = {"course_id": uid(course), "trainee_id": uid(trainee)}
    return natural("enrollment", fields, hlc, kind, **kw)


def trainee(name: str, hlc: str, fields: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    """Return a trainee upsert; with no fields, a new trainee with the required ones."""
    values = fields if fields is not None else {"full_name": name.title(), "commune_id": uid("commune")}
    return wire("trainee", uid(name), hlc, values, **kw)


def to_op(raw: dict[str, Any]) -> Op:
    """Parse a raw op that must be valid."""
    op = parse_op(raw, NOW_MS)
    assert isinstance(op, Op), op
    return op


def logged(*raws: dict[str, Any]) -> list[LoggedOp]:
    """Return raw ops as a log, numbered 1, 2, 3... in the order given."""
    return [LoggedOp(to_op(raw), seq) for seq, raw in enumerate(raws, start=1)]


def statuses(acks: list[Ack]) -> list[str]:
    """Return just the statuses of a list of acks."""
    return [ack.status for ack in acks]


def merged_trainees(store: MemoryStore) -> dict[str, str]:
    """Return merged-away trainee -> trainee it was merged into, as the server reads it."""
    return {
        record_id: state.fields["merged_into"]
        for (entity, record_id), state in store.records.items()
        if entity == "trainee" and not state.deleted and isinstance(state.fields.get("merged_into"), str)
    }


class OpenGate:
    """A gate that allows every op (unless told what to refuse) and redirects like the server."""

    def __init__(self, store: MemoryStore, refuse: Callable[[Op], str | None] | None = None) -> None:
        self.store = store
        self.refuse = refuse
        self.seen: list[tuple[Op, RecordState | None]] = []

    def refusal(self, op: Op, current: RecordState | None) -> str | None:
        """Refuse only what the test asked for; remember what was asked."""
        self.seen.append((op, current))
        return self.refuse(op) if self.refuse else None

    def redirect(self, op: Op) -> Op:
        """Point ops about merged-away trainees at their survivor."""
        return redirect_op(op, merged_trainees(self.store))


def apply(store: MemoryStore, *raws: object, gate: OpenGate | None = None) -> list[Ack]:
    """Apply one batch to the store at NOW_MS."""
    return apply_batch(store, list(raws), gate or OpenGate(store), NOW_MS)
