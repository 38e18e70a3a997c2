"""The `sync.engine.Store` protocol over the database, inside the caller's transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import DBAPIError

from server.attendance_counts import ChangedCourses
from server.extensions import db
from server.models import (
    Conflict,
    CourseTrainer,
    OpLog,
    RejectedOp,
    Revision,
)
from server.row_cache import RowCache
from server.trainees.personal import ERASED_REFUSAL, redact_raw
from sync.engine import Ack, Key, Unstorable
from sync.merge import Conflict as MergeConflict
from sync.merge import LoggedOp, RecordState
from sync.ops import Op

MAX_KEPT_RAW_CHARS = 8000
HISTORY_CHUNK = 500
MERGE_CAUSE = "merge"


def now_utc() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# The op_log columns an op is rebuilt from: read as plain rows, not ORM objects, which cost
# more to build than the merge that uses them.
LOGGED_COLUMNS = (OpLog.op_id, OpLog.entity, OpLog.record_id, OpLog.hlc, OpLog.kind, OpLog.fields,
                  OpLog.base_rev, OpLog.seq)
ConflictRows = dict[tuple[str, str], Conflict]


def logged_from_row(row: Any) -> LoggedOp:
    op = Op(row.op_id, row.entity, row.record_id, row.hlc, row.kind, row.fields or {}, row.base_rev)
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
        # Applied ops not yet in op_log: written in one statement before anything reads op_log,
        # and at the latest by `flush`, instead of one ORM object and INSERT each.
        self._unlogged: list[dict[str, Any]] = []
        # Each record's merge conflicts, loaded with its history: one query per batch, not per op.
        self._conflicts: dict[Key, ConflictRows] = {}
        # Every op stored in this batch, replayed ones of a trainee merge too: what the
        # after-apply checks (server/checkins/) look at.
        self.saved: list[LoggedOp] = []
        # The courses whose dashboard counts this batch's writes may change, recounted in `flush_seq`.
        self.counted = ChangedCourses(rows)

    def known_acks(self, op_ids: Sequence[str]) -> dict[str, Ack]:
        """Return the earlier outcome of each op id already received."""
        if not op_ids:
            return {}
        self.flush()
        applied = db.session.scalars(select(OpLog.op_id).where(OpLog.op_id.in_(op_ids)))
        acks = {op_id: Ack(op_id, "applied") for op_id in applied}
        rejected = db.session.execute(
            select(RejectedOp.op_id, RejectedOp.reason).where(RejectedOp.op_id.in_(op_ids))
        )
        for op_id, reason in rejected:
            acks.setdefault(op_id, Ack(op_id, "rejected", reason))
        return acks

    def history(self, keys: Sequence[Key]) -> dict[Key, list[LoggedOp]]:
        """Return every applied op of each record; load their merge conflicts on the way."""
        self.flush()
        # A record with no row has no applied op (every applied op writes its record's row in the
        # same transaction): a batch of new records skips the op_log and conflict queries.
        absent = {key for key in keys if self.rows.known_absent(*key)}
        for key in absent:
            self._conflicts.setdefault(key, {})
        wanted = set(keys) - absent
        entities = sorted({entity for entity, _ in wanted})
        ids = sorted({record_id for _, record_id in wanted})
        # Every asked-for record gets an entry, empty if it is new: the engine fetches a record
        # it has no entry for, one query per op, which made a batch of new records slow.
        found: dict[Key, list[LoggedOp]] = {key: [] for key in (*wanted, *absent)}
        for start in range(0, len(ids), HISTORY_CHUNK):
            chunk = ids[start:start + HISTORY_CHUNK]
            # The entity too, so the (entity, record_id) index serves the query.
            query = select(*LOGGED_COLUMNS).where(OpLog.entity.in_(entities), OpLog.record_id.in_(chunk))
            for row in db.session.execute(query):
                key = (row.entity, row.record_id)
                if key in wanted:
                    found[key].append(logged_from_row(row))
            self._load_conflicts(wanted, entities, chunk)
        return found

    def _load_conflicts(self, wanted: set[Key], entities: list[str], ids: list[str]) -> None:
        missing = [record_id for record_id in ids if any((e, record_id) not in self._conflicts for e in entities)]
        if not missing:
            return
        query = select(Conflict).where(Conflict.entity.in_(entities), Conflict.record_id.in_(missing),
                                       Conflict.cause == MERGE_CAUSE)
        loaded: dict[Key, ConflictRows] = {key: {} for key in wanted if key[1] in missing}
        for row in db.session.scalars(query):
            loaded.setdefault((row.entity, row.record_id), {})[(row.field, row.loser_op_id)] = row
        for key, rows in loaded.items():
            self._conflicts.setdefault(key, rows)

    def _conflict_rows(self, entity: str, record_id: str) -> ConflictRows:
        """Return the record's merge conflicts by (field, loser op), loading them if its history did not."""
        key = (entity, record_id)
        if key not in self._conflicts:
            self._load_conflicts({key}, [entity], [record_id])
        return self._conflicts[key]

    def ops_about_trainee(self, trainee_id: str) -> list[LoggedOp]:
        """Return the applied ops of records that point at a trainee."""
        self.flush()
        rows = db.session.execute(select(*LOGGED_COLUMNS).where(OpLog.trainee_id == trainee_id))
        return [logged_from_row(row) for row in rows]

    def next_seq(self) -> int:
        """Return the next server sequence number; the caller holds the write lock."""
        if self._seq is None:
            self._seq = revision_row().value
        self._seq += 1
        return self._seq

    def flush_seq(self) -> None:
        """Store the counter, the ops not logged yet, the new records and the counts; once per batch, before commit."""
        self.flush()
        self.rows.write_new()
        self.counted.recount()
        if self._seq is not None:
            revision_row().value = self._seq

    def flush(self) -> None:
        """Write the applied ops still held back to op_log, in one statement."""
        if self._unlogged:
            rows, self._unlogged = self._unlogged, []
            db.session.execute(insert(OpLog), rows)

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
                self._conflicts.pop((state.entity, state.id), None)
                reason = f"the database refused this op ({type(err.orig).__name__}): tell your coordinator"
                raise Unstorable(reason) from err
        self.saved.append(logged)

    def _save_applied(self, logged: LoggedOp, state: RecordState, conflicts: list[MergeConflict]) -> None:
        op = logged.op
        self._unlogged.append({
            "op_id": op.op_id, "seq": logged.seq, "entity": op.entity, "record_id": op.id, "hlc": op.hlc,
            "kind": op.kind, "fields": dict(op.fields), "base_rev": op.base_rev, "device_id": self.device_id,
            "received_at": now_utc(), "trainee_id": state.fields.get("trainee_id"),
        })
        if self.careful:
            self.flush()  # inside the op's savepoint, so a refused op leaves nothing behind
        is_new = self._write_state(state)
        if conflicts or not is_new:
            self._write_conflicts(state, conflicts)
        if self.careful:
            self.rows.write_new()

    def save_rejected(self, raw: object, op_id: str | None, reason: str) -> None:
        """Keep a refused op with its reason, unless told to keep nothing refused."""
        if not self.keep_rejected:
            return
        # A lone surrogate (valid JSON, refused by validation) cannot be stored: kept as "?".
        text = json.dumps(raw, ensure_ascii=False, default=str)[:MAX_KEPT_RAW_CHARS]
        text = text.encode("utf-8", "replace").decode("utf-8")
        if reason == ERASED_REFUSAL:  # the person asked to be forgotten: keep the op, not their data
            text = redact_raw(text)
        db.session.add(RejectedOp(op_id=op_id, device_id=self.device_id, reason=reason, raw=text,
                                  received_at=now_utc()))

    def _write_state(self, state: RecordState) -> bool:
        """Write the record's row; tell whether it is new."""
        row: Any = self.rows.get(state.entity, state.id)
        is_new = row is None
        if is_new:
            row = self.rows.add_new(state.entity, state.id, self.user_id)
        self.counted.note(state.entity, row, state.fields, state.deleted)
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
        rows = self._conflict_rows(state.entity, state.id)
        now = now_utc()
        open_keys = set()
        for c in conflicts:
            key = (c.field, c.loser_op_id)
            open_keys.add(key)
            row = rows.get(key)
            if row is None:
                rows[key] = Conflict(
                    entity=c.entity, record_id=c.id, field=c.field, loser_op_id=c.loser_op_id,
                    winner_op_id=c.winner_op_id, winner_value=c.winner_value,
                    loser_value=c.loser_value, opened_at=now, rev=self.next_seq(), cause=MERGE_CAUSE)
                db.session.add(rows[key])
            elif (row.winner_op_id, row.winner_value, row.resolved_at) != (c.winner_op_id, c.winner_value, None):
                row.winner_op_id, row.winner_value, row.resolved_at = c.winner_op_id, c.winner_value, None
                row.rev = self.next_seq()
        for key, row in rows.items():
            if key not in open_keys and row.resolved_at is None:
                row.resolved_at, row.rev = now, self.next_seq()
