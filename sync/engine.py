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
from sync.trainee_merge import MAX_MERGE_CHAIN, follow_merge, redirect_op

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


class Unstorable(Exception):
    """Raised by a store that could not keep one op; that op alone is rejected."""


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
        """Append the op to the log and store the record's new state and open conflicts.

        Raise `Unstorable` if this op alone cannot be stored; nothing of it may remain.
        """

    def save_rejected(self, raw: object, op_id: str | None, reason: str) -> None:
        """Keep a refused op, with why, so nothing a device sent is thrown away."""


class Gate(Protocol):
    def refusal(self, op: Op, current: RecordState | None) -> str | None:
        """Say why the sender may not make this op (scope, references), or None."""

    def redirect(self, op: Op) -> Op:
        """Point an op about a merged-away trainee at the trainee it was merged into."""


def parse_batch(raw_ops: Sequence[object], now_ms: int) -> list[Op | Rejection]:
    """Check the shape of every op; it needs no store, so a server can do it before taking its write lock."""
    return [parse_op(raw, now_ms) for raw in raw_ops]


def apply_batch(store: Store, raw_ops: Sequence[object], gate: Gate, now_ms: int) -> list[Ack]:
    """Apply raw ops in order and return one ack per op, in the same order."""
    return apply_parsed(store, raw_ops, parse_batch(raw_ops, now_ms), gate)


def apply_parsed(store: Store, raw_ops: Sequence[object], parsed: Sequence[Op | Rejection],
                 gate: Gate) -> list[Ack]:
    """Apply ops `parse_batch` checked (`parsed[i]` from `raw_ops[i]`); one ack per op, in order."""
    valid = [gate.redirect(p) for p in parsed if isinstance(p, Op)]
    known = store.known_acks([p.op_id for p in parsed if p.op_id is not None])
    history = store.history(sorted({(op.entity, op.id) for op in valid}))
    acks: list[Ack] = []
    redirected = iter(valid)
    # Trainees merged by this batch: the gate redirected every op before any of them applied.
    merged: dict[str, str] = {}
    for raw, item in zip(raw_ops, parsed, strict=True):
        op = redirect_op(next(redirected), merged) if isinstance(item, Op) else None
        if item.op_id is not None and item.op_id in known:
            acks.append(_repeat(known[item.op_id]))
            continue
        if op is None:
            assert isinstance(item, Rejection)
            ack = Ack(item.op_id, "rejected", item.reason)
            store.save_rejected(raw, item.op_id, item.reason)
        else:
            ack = _apply_one(store, gate, op, raw, history, merged)
        if ack.op_id is not None:
            known[ack.op_id] = ack
        acks.append(ack)
    return acks


def _repeat(earlier: Ack) -> Ack:
    """Answer an op id seen before: applied ones are duplicates, refused ones stay refused."""
    if earlier.status == "rejected":
        return earlier
    return Ack(earlier.op_id, "duplicate")


def _apply_one(store: Store, gate: Gate, op: Op, raw: object, history: dict[Key, list[LoggedOp]],
               merged: dict[str, str]) -> Ack:
    past = _past(store, history, (op.entity, op.id))
    current = merge_record(op.entity, op.id, past)[0] if past else None
    reason = state_problem(op, current.fields if current else None, bool(current and current.deleted))
    reason = reason or gate.refusal(op, current)
    if reason:
        store.save_rejected(raw, op.op_id, reason)
        return Ack(op.op_id, "rejected", reason)
    try:
        conflicts = _commit(store, op, past)
    except Unstorable as err:
        store.save_rejected(raw, op.op_id, str(err))
        return Ack(op.op_id, "rejected", str(err))
    target = op.fields.get("merged_into") if op.entity == "trainee" else None
    if isinstance(target, str):
        target = _survivor(store, target, history)
        # A trainee merged into itself (or round a cycle) keeps its records: following would
        # tombstone them all.
        if target != op.id:
            merged[op.id] = target
            _follow_trainee_merge(store, op, target, history)
    in_conflict = op.op_id in ops_in_conflict(conflicts)
    return Ack(op.op_id, "conflict" if in_conflict else "applied")


def _past(store: Store, history: dict[Key, list[LoggedOp]], key: Key) -> list[LoggedOp]:
    """Return the record's applied ops, fetching records the batch did not know it would touch."""
    if key not in history:
        history[key] = store.history([key]).get(key, [])
    return history[key]


def _survivor(store: Store, trainee_id: str, history: dict[Key, list[LoggedOp]]) -> str:
    """Follow the target's own merges, so records never land on a merged-away trainee."""
    current, seen = trainee_id, {trainee_id}
    for _ in range(MAX_MERGE_CHAIN):
        past = _past(store, history, ("trainee", current))
        nxt = merge_record("trainee", current, past)[0].fields.get("merged_into") if past else None
        # Stop on a cycle too: two coordinators merging a into b and b into a leave both as they are.
        if not isinstance(nxt, str) or nxt in seen:
            return current
        current = nxt
        seen.add(current)
    return current


def _commit(store: Store, op: Op, past: list[LoggedOp]) -> list[Conflict]:
    logged = LoggedOp(op, store.next_seq())
    state, conflicts = merge_record(op.entity, op.id, [*past, logged])
    store.save_applied(logged, state, conflicts)
    past.append(logged)
    return conflicts


def _follow_trainee_merge(store: Store, merge_op: Op, target: str,
                          history: dict[Key, list[LoggedOp]]) -> None:
    """Move the merged-away trainee's records to the trainee it was merged into."""
    about = store.ops_about_trainee(merge_op.id)
    for follow in follow_merge(merge_op, target, about):
        past = _past(store, history, (follow.entity, follow.id))
        if any(item.op.op_id == follow.op_id for item in past):
            continue
        _commit(store, follow, past)
