"""The `sync.engine.Store` protocol over the database, inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import DBAPIError

from server.extensions import db
from server.models import (
    ENTITY_MODELS,
    Conflict,
    CourseTrainer,
    OpLog,
    RejectedOp,
    Revision,
)
from server.row_cache import RowCache
from sync.engine import Ack, Key, Unstorable
from sync.merge import Conflict as MergeConflict
from sync.merge import LoggedOp, RecordState
from sync.ops import Op

MAX_KEPT_RAW_CHARS = 8000
HISTORY_CHUNK = 500
MERGE_CAUSE = "merge"


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def logged_from_row(row: OpLog) -> LoggedOp:
    op = Op(row.op_id, row.entity, row.record_id, row.hlc, row.kind,  # type: ignore[arg-type]
            row.fields or {}, row.base_rev)
    return LoggedOp(op, row.seq)


def revision_row() -> Revision:
    """Return the single row holding the server's counters, made on first use."""
    row = db.session.get(Revision, 1)
    if row is None:
        row = Revision(id=1, value=0, hlc=None)
        db.session.add(row)
    return row


class SqlStore:
    """Reads and writes through the Flask-SQLAlchemy session; the caller commits."""

    def __init__(self, device_id: str | None, user_id: str | None, rows: RowCache,
                 careful: bool = False, keep_rejected: bool = True) -> None:
        self.device_id = device_id
        self.user_id = user_id
        self.rows = rows
        # Careful mode stores each op in its own savepoint, so the one the database refuses
        # is rejected alone; it is the slow path, taken only after a batch failed to store.
        self.careful = careful
        self.keep_rejected = keep_rejected
        self._seq: int | None = None
        # Every op stored in this batch, replayed ones of a trainee merge too: what the
        # after-apply checks (server/checkins/) look at.
        self.saved: list[LoggedOp] = []

    def known_acks(self, op_ids: Sequence[str]) -> dict[str, Ack]:
        """Return the earlier outcome of each op id already received."""
        if not op_ids:
            return {}
        applied = db.session.scalars(select(OpLog.op_id).where(OpLog.op_id.in_(op_ids)))
        acks = {op_id: Ack(op_id, "applied") for op_id in applied}
        rejected = db.session.execute(
            select(RejectedOp.op_id, RejectedOp.reason).where(RejectedOp.op_id.in_(op_ids))
        )
        for op_id, reason in rejected:
            acks.setdefault(op_id, Ack(op_id, "rejected", reason))
        return acks

    def history(self, keys: Sequence[Key]) -> dict[Key, list[LoggedOp]]:
        """Return every applied op of each record."""
        wanted = set(keys)
        ids = sorted({record_id for _, record_id in wanted})
        # Every asked-for record gets an entry, empty if it is new: the engine fetches a record
        # it has no entry for, one query per op, which made a batch of new records slow.
        found: dict[Key, list[LoggedOp]] = {key: [] for key in wanted}
        for start in range(0, len(ids), HISTORY_CHUNK):
            query = select(OpLog).where(OpLog.record_id.in_(ids[start:start + HISTORY_CHUNK]))
            for row in db.session.scalars(query):
                key = (row.entity, row.record_id)
                if key in wanted:
                    found.setdefault(key, []).append(logged_from_row(row))
        return found

    def ops_about_trainee(self, trainee_id: str) -> list[LoggedOp]:
        """Return the applied ops of records that point at a trainee."""
        rows = db.session.scalars(select(OpLog).where(OpLog.trainee_id == trainee_id))
        return [logged_from_row(row) for row in rows]

    def next_seq(self) -> int:
        """Return the next server sequence number; the caller holds the write lock."""
        if self._seq is None:
            self._seq = revision_row().value
        self._seq += 1
        return self._seq

    def flush_seq(self) -> None:
        """Store the sequence counter; call once per batch, before commit."""
        if self._seq is not None:
            revision_row().value = self._seq

    def save_applied(self, logged: LoggedOp, state: RecordState, conflicts: list[MergeConflict]) -> None:
        """Log the op, write the record's state row and refresh its open conflicts."""
        if not self.careful:
            self._save_applied(logged, state, conflicts)
        else:
            try:
                with db.session.begin_nested():
                    self._save_applied(logged, state, conflicts)
                    db.session.flush()
            except DBAPIError as err:
                self.rows.forget(state.entity, state.id)
                reason = f"the database refused this op ({type(err.orig).__name__}): tell your coordinator"
                raise Unstorable(reason) from err
        self.saved.append(logged)

    def _save_applied(self, logged: LoggedOp, state: RecordState, conflicts: list[MergeConflict]) -> None:
        op = logged.op
        db.session.add(OpLog(
            op_id=op.op_id, seq=logged.seq, entity=op.entity, record_id=op.id, hlc=op.hlc,
            kind=op.kind, fields=dict(op.fields), base_rev=op.base_rev, device_id=self.device_id,
            received_at=now_utc(), trainee_id=state.fields.get("trainee_id"),
        ))
        is_new = self._write_state(state)
        if conflicts or not is_new:
            self._write_conflicts(state, conflicts)

    def save_rejected(self, raw: object, op_id: str | None, reason: str) -> None:
        """Keep a refused op with its reason, unless told to keep nothing refused."""
        if not self.keep_rejected:
            return
        text = json.dumps(raw, ensure_ascii=False, default=str)[:MAX_KEPT_RAW_CHARS]
        db.session.add(RejectedOp(op_id=op_id, device_id=self.device_id, reason=reason, raw=text,
                                  received_at=now_utc()))

    def _write_state(self, state: RecordState) -> bool:
        """Write the record's row; tell whether it is new."""
        row: Any = self.rows.get(state.entity, state.id)
        is_new = row is None
        if is_new:
            row = ENTITY_MODELS[state.entity](id=state.id, origin_user_id=self.user_id)
            db.session.add(row)
            self.rows.put(state.entity, state.id, row)
        for name, value in state.fields.items():
            setattr(row, name, value)
        row.deleted, row.hlc, row.rev = state.deleted, state.hlc, state.rev
        if state.entity == "course":
            self._write_course_trainers(state)
        if state.entity == "enrollment":
            self._touch_trainee(state.fields.get("trainee_id"))
        return is_new

    def _touch_trainee(self, trainee_id: str | None) -> None:
        """Re-stamp an enrolled trainee so devices that can now see them pull them.

        The new rev is a fresh one: revs stay unique, so a page boundary never splits a rev.
        """
        trainee: Any = self.rows.get("trainee", trainee_id) if trainee_id else None
        if trainee is not None:
            trainee.rev = self.next_seq()

    def _write_course_trainers(self, state: RecordState) -> None:
        wanted = set() if state.deleted else set(state.fields.get("trainer_ids") or [])
        have = {r.user_id: r for r in db.session.scalars(
            select(CourseTrainer).where(CourseTrainer.course_id == state.id))}
        for user_id in wanted - set(have):
            db.session.add(CourseTrainer(course_id=state.id, user_id=user_id))
        for user_id in set(have) - wanted:
            db.session.delete(have[user_id])

    def _write_conflicts(self, state: RecordState, conflicts: list[MergeConflict]) -> None:
        """Open new conflicts, update changed ones and resolve those gone, each with a fresh rev.

        Devices pull conflicts by rev; a fresh rev per change keeps revs unique, so a page
        boundary never splits one, and an unchanged conflict keeps its rev and is not resent.
        Only the merge rules' own conflicts: review conflicts (server/checkins/review.py)
        follow rules of their own.
        """
        rows = {(r.field, r.loser_op_id): r for r in db.session.scalars(
            select(Conflict).where(Conflict.entity == state.entity, Conflict.record_id == state.id,
                                   Conflict.cause == MERGE_CAUSE))}
        now = now_utc()
        open_keys = set()
        for c in conflicts:
            key = (c.field, c.loser_op_id)
            open_keys.add(key)
            row = rows.get(key)
            if row is None:
                db.session.add(Conflict(
                    entity=c.entity, record_id=c.id, field=c.field, loser_op_id=c.loser_op_id,
                    winner_op_id=c.winner_op_id, winner_value=c.winner_value,
                    loser_value=c.loser_value, opened_at=now, rev=self.next_seq(), cause=MERGE_CAUSE))
            elif (row.winner_op_id, row.winner_value, row.resolved_at) != (c.winner_op_id, c.winner_value, None):
                row.winner_op_id, row.winner_value, row.resolved_at = c.winner_op_id, c.winner_value, None
                row.rev = self.next_seq()
        for key, row in rows.items():
            if key not in open_keys and row.resolved_at is None:
                row.resolved_at, row.rev = now, self.next_seq()
