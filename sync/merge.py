"""Merge rules: a record's state and its conflicts as a pure function of its ops.

Per field, the write with the greatest HLC wins. A write the winner's device had
not seen when it wrote (a concurrent write) that holds a different value is kept
as a conflict against the winner, so no value a person entered is ever dropped.

"Had seen" is exact, not guessed from clocks: every applied op gets a server
sequence number `seq`, and a device stamps each op with `base_rev`, the greatest
server rev of that record it had pulled. The winner saw a write if the write
came from the same device earlier, or was on the server (seq <= base_rev) when
the winner's device last pulled the record.

Deletes write the pseudo-field `_deleted`; an upsert writes `_deleted = false`.
So an edit concurrent with a delete is an ordinary conflict on `_deleted`. For
add-wins entities (enrollment), a delete only wins over the upserts it saw.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sync.entities import spec_for
from sync.ops import Op

DELETED = "_deleted"


@dataclass(frozen=True)
class LoggedOp:
    """An op as the server's op log holds it: with the sequence it was applied at."""

    op: Op
    seq: int


@dataclass(frozen=True)
class Write:
    op_id: str
    hlc: str
    seq: int
    node: str
    base_rev: int | None
    value: Any


@dataclass(frozen=True)
class RecordState:
    entity: str
    id: str
    fields: Mapping[str, Any]
    deleted: bool
    hlc: str
    rev: int


@dataclass(frozen=True)
class Conflict:
    entity: str
    id: str
    field: str
    winner_op_id: str
    loser_op_id: str
    winner_value: Any
    loser_value: Any

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identify the conflict: one record field and the losing op."""
        return (self.entity, self.id, self.field, self.loser_op_id)


def writes_by_field(logged: Iterable[LoggedOp]) -> dict[str, list[Write]]:
    """Split ops into per-field writes, `_deleted` included."""
    by_field: dict[str, list[Write]] = {}
    for item in logged:
        op = item.op
        node = op.node  # parsed once per op, not once per field: the merge runs on every apply
        values = dict(op.fields) if op.kind == "upsert" else {}
        values[DELETED] = op.kind == "delete"
        for name, value in values.items():
            write = Write(op.op_id, op.hlc, item.seq, node, op.base_rev, value)
            by_field.setdefault(name, []).append(write)
    return by_field


def saw(winner: Write, other: Write) -> bool:
    """Tell whether the winner's device knew of `other` when it wrote."""
    if winner.node == other.node and other.hlc < winner.hlc:
        return True
    return winner.base_rev is not None and other.seq <= winner.base_rev


def _latest(writes: Sequence[Write]) -> Write:
    if len(writes) == 1:  # most fields of most records: skip building the sort key
        return writes[0]
    return max(writes, key=lambda w: (w.hlc, w.op_id))


def field_winner(writes: Sequence[Write], add_wins: bool = False, is_deleted: bool = False) -> Write:
    """Pick the winning write of one field."""
    if not (add_wins and is_deleted):
        return _latest(writes)
    adds = [w for w in writes if w.value is False]
    removes = [w for w in writes if w.value is True and all(saw(w, a) for a in adds)]
    return _latest(removes) if removes else _latest(adds)


def merge_record(
    entity: str, record_id: str, logged: Sequence[LoggedOp]
) -> tuple[RecordState, list[Conflict]]:
    """Return the record's state and open conflicts from all of its applied ops."""
    if len(logged) == 1:
        return _first_state(entity, record_id, logged[0]), []
    spec = spec_for(entity)
    add_wins = bool(spec and spec.add_wins)
    fields: dict[str, Any] = {}
    conflicts: list[Conflict] = []
    deleted = False
    for name, writes in sorted(writes_by_field(logged).items()):
        winner = field_winner(writes, add_wins, name == DELETED)
        if name == DELETED:
            deleted = bool(winner.value)
        else:
            fields[name] = winner.value
        for write in writes:
            if write.op_id != winner.op_id and write.value != winner.value and not saw(winner, write):
                conflicts.append(Conflict(entity, record_id, name, winner.op_id, write.op_id,
                                          winner.value, write.value))
    state = RecordState(
        entity=entity, id=record_id, fields=fields, deleted=deleted,
        hlc=max(item.op.hlc for item in logged), rev=max(item.seq for item in logged),
    )
    return state, sorted(conflicts, key=lambda c: c.key)


def _first_state(entity: str, record_id: str, item: LoggedOp) -> RecordState:
    """Return the state a single op makes: its own values, nothing to lose against.

    The same as the general rule gives (every field has one write, which wins), without
    building the writes: a new record is the most common op there is.
    """
    op = item.op
    fields = {name: value for name, value in sorted(op.fields.items()) if name != DELETED} \
        if op.kind == "upsert" else {}
    return RecordState(entity=entity, id=record_id, fields=fields, deleted=op.kind == "delete",
                       hlc=op.hlc, rev=item.seq)


def ops_in_conflict(conflicts: Iterable[Conflict]) -> set[str]:
    """Return the op ids that take part in any of the conflicts."""
    return {c.loser_op_id for c in conflicts} | {c.winner_op_id for c in conflicts}


def conflict_to_plain(conflict: Conflict) -> dict[str, Any]:
    """Return a conflict as JSON-ready data."""
    return {
        "entity": conflict.entity, "id": conflict.id, "field": conflict.field,
        "winner_op_id": conflict.winner_op_id, "loser_op_id": conflict.loser_op_id,
        "winner_value": conflict.winner_value, "loser_value": conflict.loser_value,
    }


def state_to_plain(state: RecordState) -> dict[str, Any]:
    """Return a record state as JSON-ready data."""
    return {"entity": state.entity, "id": state.id, "fields": dict(state.fields),
            "deleted": state.deleted, "hlc": state.hlc, "rev": state.rev}

