"""The reference `Store`: everything in dictionaries, for tests and models of the server."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sync.engine import Ack, Key
from sync.merge import Conflict, LoggedOp, RecordState


@dataclass
class RejectedOp:
    raw: object
    op_id: str | None
    reason: str


@dataclass
class MemoryStore:
    log: dict[str, LoggedOp] = field(default_factory=dict)
    records: dict[Key, RecordState] = field(default_factory=dict)
    conflicts: dict[Key, list[Conflict]] = field(default_factory=dict)
    rejected: list[RejectedOp] = field(default_factory=list)
    seq: int = 0

    def known_acks(self, op_ids: Sequence[str]) -> dict[str, Ack]:
        """Return the earlier outcome of each op id already received."""
        acks = {i: Ack(i, "applied") for i in op_ids if i in self.log}
        for item in self.rejected:
            if item.op_id is not None and item.op_id in op_ids and item.op_id not in acks:
                acks[item.op_id] = Ack(item.op_id, "rejected", item.reason)
        return acks

    def history(self, keys: Sequence[Key]) -> dict[Key, list[LoggedOp]]:
        """Return every applied op of each record."""
        wanted = set(keys)
        found: dict[Key, list[LoggedOp]] = {k: [] for k in wanted}
        for item in self.log.values():
            key = (item.op.entity, item.op.id)
            if key in wanted:
                found[key].append(item)
        return {k: v for k, v in found.items() if v}

    def ops_about_trainee(self, trainee_id: str) -> list[LoggedOp]:
        """Return the applied ops of records that point at a trainee."""
        keys = {k for k, s in self.records.items() if s.fields.get("trainee_id") == trainee_id}
        return [i for i in self.log.values() if (i.op.entity, i.op.id) in keys]

    def next_seq(self) -> int:
        """Return the next server sequence number."""
        self.seq += 1
        return self.seq

    def save_applied(self, logged: LoggedOp, state: RecordState, conflicts: list[Conflict]) -> None:
        """Log the op and keep the record's new state and open conflicts."""
        self.log[logged.op.op_id] = logged
        key = (state.entity, state.id)
        self.records[key] = state
        self.conflicts[key] = conflicts

    def save_rejected(self, raw: object, op_id: str | None, reason: str) -> None:
        """Keep a refused op with its reason."""
        self.rejected.append(RejectedOp(raw, op_id, reason))

    def changes_since(self, cursor: int, limit: int) -> list[RecordState]:
        """Return records changed after `cursor`, in server order."""
        newer = sorted((s for s in self.records.values() if s.rev > cursor), key=lambda s: s.rev)
        return newer[:limit]

    def open_conflicts(self) -> list[Conflict]:
        """Return every open conflict."""
        return sorted((c for cs in self.conflicts.values() for c in cs), key=lambda c: c.key)
