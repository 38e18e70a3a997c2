"""Review conflicts: a trainer's "absent" against a trainee's verified confirmation (docs/checkin.md §5).

`sync.review` decides; this module reads the records a batch touched, asks it, and
opens, moves or resolves the conflict rows. Each change takes a fresh rev from the
store's sequence, so devices pull it like any other conflict.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from server.extensions import db
from server.models import Conflict
from server.sql_store import SqlStore, now_utc
from sync.ids import derived_id
from sync.merge import LoggedOp, Write
from sync.review import ABSENT, CONFIRMED, VERIFIED, Review, absent_against_confirmation, proof_op, status_write

CAUSE = "confirmation"
IN_CHUNK = 500
Pair = tuple[str, str]


def review_touched(store: SqlStore) -> None:
    """Review every (session, trainee) whose attendance or confirmation the batch changed."""
    pairs = _touched_pairs(store)
    if not pairs:
        return
    ids = {pair: (_record_id("attendance", pair), _record_id("confirmation", pair)) for pair in pairs}
    store.rows.prefetch(key for pair in pairs for key in
                        (("attendance", ids[pair][0]), ("confirmation", ids[pair][1])))
    reviews = _reviews_of(sorted(attendance_id for attendance_id, _ in ids.values()))
    wanted = [pair for pair in pairs if reviews.get(ids[pair][0]) or _may_need_review(store, *ids[pair])]
    history = store.history([key for pair in wanted for key in
                             (("attendance", ids[pair][0]), ("confirmation", ids[pair][1]))])
    for pair in wanted:
        attendance_id, confirmation_id = ids[pair]
        _review(store, attendance_id, confirmation_id, history.get(("attendance", attendance_id), []),
                history.get(("confirmation", confirmation_id), []), reviews.get(attendance_id, []))


def _touched_pairs(store: SqlStore) -> list[Pair]:
    pairs: set[Pair] = set()
    for item in store.saved:
        if item.op.entity in ("attendance", "confirmation"):
            row: Any = store.rows.get(item.op.entity, item.op.id)
            if row is not None and row.session_id and row.trainee_id:
                pairs.add((row.session_id, row.trainee_id))
    return sorted(pairs)


def _record_id(entity: str, pair: Pair) -> str:
    record_id = derived_id(entity, {"session_id": pair[0], "trainee_id": pair[1]})
    assert record_id is not None
    return record_id


def _reviews_of(attendance_ids: list[str]) -> dict[str, list[Conflict]]:
    """Return the review conflicts already opened about these attendance records."""
    found: dict[str, list[Conflict]] = {}
    for start in range(0, len(attendance_ids), IN_CHUNK):
        query = select(Conflict).where(Conflict.entity == "attendance", Conflict.cause == CAUSE,
                                       Conflict.record_id.in_(attendance_ids[start:start + IN_CHUNK]))
        for row in db.session.scalars(query):
            found.setdefault(row.record_id, []).append(row)
    return found


def _may_need_review(store: SqlStore, attendance_id: str, confirmation_id: str) -> bool:
    """Tell, from the rows alone, whether a pair with no review yet could need one."""
    attendance: Any = store.rows.get("attendance", attendance_id)
    confirmation: Any = store.rows.get("confirmation", confirmation_id)
    return (attendance is not None and not attendance.deleted and attendance.status == ABSENT
            and confirmation is not None and not confirmation.deleted
            and confirmation.verification == VERIFIED)


def _review(store: SqlStore, attendance_id: str, confirmation_id: str, attendance_ops: list[LoggedOp],
            confirmation_ops: list[LoggedOp], rows: list[Conflict]) -> None:
    attendance: Any = store.rows.get("attendance", attendance_id)
    confirmation: Any = store.rows.get("confirmation", confirmation_id)
    status = status_write(attendance_ops) if attendance is not None and not attendance.deleted else None
    verification = confirmation.verification if confirmation is not None and not confirmation.deleted else None
    deciding = proof_op(confirmation_ops)
    current = next((r for r in rows if deciding and r.loser_op_id == deciding.op.op_id), None)
    review = Review(current.winner_op_id, current.rev, current.resolved_at is None) if current else None
    if deciding is not None and status is not None and absent_against_confirmation(status, verification, review):
        _open(store, current, attendance_id, status, deciding.op.op_id)
    elif current is not None:
        _resolve(store, current, status)
    for row in rows:
        if row is not current:  # about a confirmation op that no longer decides the record
            _resolve(store, row, None)


def _open(store: SqlStore, row: Conflict | None, attendance_id: str, status: Write, loser_op_id: str) -> None:
    if row is None:
        db.session.add(Conflict(
            entity="attendance", record_id=attendance_id, field="status", cause=CAUSE,
            winner_op_id=status.op_id, loser_op_id=loser_op_id, winner_value=ABSENT, loser_value=CONFIRMED,
            opened_at=now_utc(), rev=store.next_seq()))
    elif row.resolved_at is not None or row.winner_op_id != status.op_id:
        row.winner_op_id, row.resolved_at, row.rev = status.op_id, None, store.next_seq()


def _resolve(store: SqlStore, row: Conflict, status: Write | None) -> None:
    """Close the review; a trainer's "absent" that settled it becomes the conflict's winner."""
    settled_by = status.op_id if status is not None and status.value == ABSENT else row.winner_op_id
    if row.resolved_at is None:
        row.winner_op_id, row.resolved_at, row.rev = settled_by, now_utc(), store.next_seq()
