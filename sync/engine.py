"""Applying a batch of ops to a store: decide each op alone, never let one block another.

The engine only decides. Storage sits behind the `Store` protocol (a memory store
here for tests and models, a SQL store in the server), and the questions only the
server can answer (is this device allowed to touch that course? does that trainee
exist?) come in through the `Gate` protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from sync.merge import Conflict, LoggedOp, RecordState, merge_record, ops_in_conflict
from sync.ops import Op, Rejection, parse_op, state_problem
from sync.trainee_merge import follow_merge

AckStatus = Literal["applied", "duplicate", "conflict", "rejected"]
Key = tuple[str, str]


@dataclass(frozen=True)
class Ack:
    op_id: str | None
    status: AckStatus
    reason: str | None = None

    def to_wire(self) -> dict[str, object]:
        """Return the ack as the protocol sends it."""
        wire: dict[str, object] = {"op_id": self.op_id, "status": self.status}
        if self.reason:
            wire["reason"] = self.reason
        return wire


class Store(Protocol):
    def known_acks(self, op_ids: Sequence[str]) -> dict[str, Ack]:
        """Return the earlier outcome of each op id already received."""

    def history(self, keys: Sequence[Key]) -> dict[Key, list[LoggedOp]]:
        """Return every applied op of each record, in any order."""

    def ops_about_trainee(self, trainee_id: str) -> list[LoggedOp]:
        """Return the applied ops of records that point at a trainee."""

    def next_seq(self) -> int:
        """Return a server sequence number greater than any given before."""

    def save_applied(self, logged: LoggedOp, state: RecordState, conflicts: list[Conflict]) -> None:
        """Append the op to the log and store the record's new state and open conflicts."""

    def save_rejected(self, raw: object, op_id: str | None, reason: str) -> None:
        """Keep a refused op, with why, so nothing a device sent is thrown away."""


class Gate(Protocol):
    def refusal(self, op: Op, current: RecordState | None) -> str | None:
        """Say why the sender may not make this op (scope, references), or None."""

    def redirect(self, op: Op) -> Op:
        """Point an op about a merged-away trainee at the trainee it was merged into."""


def apply_batch(store: Store, raw_ops: Sequence[object], gate: Gate, now_ms: int) -> list[Ack]:
    """Apply raw ops in order and return one ack per op, in the same order."""
    parsed = [parse_op(raw, now_ms) for raw in raw_ops]
    valid = [gate.redirect(p) for p in parsed if isinstance(p, Op)]
    known = store.known_acks([op.op_id for op in valid])
    history = store.history(sorted({(op.entity, op.id) for op in valid}))
    acks: list[Ack] = []
    redirected = iter(valid)
    for raw, item in zip(raw_ops, parsed, strict=True):
        if isinstance(item, Rejection):
            store.save_rejected(raw, item.op_id, item.reason)
            acks.append(Ack(item.op_id, "rejected", item.reason))
            continue
        op = next(redirected)
        if op.op_id in known:
            earlier = known[op.op_id]
            acks.append(Ack(op.op_id, "duplicate" if earlier.status != "rejected" else "rejected",
                            earlier.reason))
            continue
        ack = _apply_one(store, gate, op, raw, history)
        known[op.op_id] = ack
        acks.append(ack)
    return acks


def _apply_one(store: Store, gate: Gate, op: Op, raw: object, history: dict[Key, list[LoggedOp]]) -> Ack:
    key = (op.entity, op.id)
    past = history.setdefault(key, [])
    current = merge_record(op.entity, op.id, past)[0] if past else None
    reason = state_problem(op, current.fields if current else None, bool(current and current.deleted))
    reason = reason or gate.refusal(op, current)
    if reason:
        store.save_rejected(raw, op.op_id, reason)
        return Ack(op.op_id, "rejected", reason)
    conflicts = _commit(store, op, past)
    target = op.fields.get("merged_into") if op.entity == "trainee" else None
    # A trainee "merged into" itself keeps its records: following would tombstone them all.
    if target and target != op.id:
        _follow_trainee_merge(store, op, target, history)
    in_conflict = op.op_id in ops_in_conflict(conflicts)
    return Ack(op.op_id, "conflict" if in_conflict else "applied")


def _commit(store: Store, op: Op, past: list[LoggedOp]) -> list[Conflict]:
    past.append(LoggedOp(op, store.next_seq()))
    state, conflicts = merge_record(op.entity, op.id, past)
    store.save_applied(past[-1], state, conflicts[:0])
    return conflicts


def _follow_trainee_merge(store: Store, merge_op: Op, target: str,
                          history: dict[Key, list[LoggedOp]]) -> None:
    """Move the merged-away trainee's records to the trainee it was merged into."""
    about = store.ops_about_trainee(merge_op.id)
    for follow in follow_merge(merge_op, target, about):
        key = (follow.entity, follow.id)
        past = history.get(key)
        if past is None:
            past = store.history([key]).get(key, [])
            history[key] = past
        if any(item.op.op_id == follow.op_id for item in past):
            continue
        _commit(store, follow, past)
