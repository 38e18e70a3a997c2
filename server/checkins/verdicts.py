"""Judging the confirmations a batch applied, and showing each record the verdict that decides it."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from server.checkins.verify import check_confirmation
from server.extensions import db
from server.models import ConfirmationCheck
from server.sql_store import SqlStore
from sync.engine import Ack
from sync.ops import Op, parse_op
from sync.review import proof_op

ACCEPTED = ("applied", "conflict")


def judge_confirmations(store: SqlStore, ops: Sequence[object], acks: Sequence[Ack]) -> None:
    """Judge every confirmation op the batch accepted, then set each touched record's verdict.

    A record shows the verdict of the op whose proof it holds (`sync.review.proof_op`),
    so a later, failed confirmation of the same trainee and session replaces an earlier
    verified one, and a replayed old op that loses by clock changes nothing.
    """
    touched = sorted({item.op.id for item in store.saved if item.op.entity == "confirmation"})
    if not touched:
        return
    checks = {op.op_id: check_confirmation(op) for op in _accepted_confirmations(ops, acks)}
    db.session.flush()
    history = store.history([("confirmation", record_id) for record_id in touched])
    for (entity, record_id), logged in history.items():
        deciding = proof_op(logged)
        if deciding is None:
            continue
        # An op the batch did not judge: moved by a trainee merge, or stored before checks began.
        check = checks.get(deciding.op.op_id) or check_confirmation(deciding.op)
        _show_verdict(store.rows.get(entity, record_id), check)


def _accepted_confirmations(ops: Sequence[object], acks: Sequence[Ack]) -> list[Op]:
    """Return the accepted confirmation ops as their sender made them: what the proof signs.

    The applied op may differ: one about a merged-away trainee was pointed at the survivor.
    """
    now_ms = int(time.time() * 1000)
    found = []
    for raw, ack in zip(ops, acks, strict=True):
        if ack.status in ACCEPTED and isinstance(raw, dict) and raw.get("entity") == "confirmation":
            parsed = parse_op(raw, now_ms)
            if isinstance(parsed, Op):
                found.append(parsed)
    return found


def _show_verdict(row: Any, check: ConfirmationCheck) -> None:
    if row is not None:
        row.verification, row.verification_reason = check.outcome, check.reason
