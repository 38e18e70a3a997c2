"""Confirmations sent by trainees' own phones: sorted from junk before anything is stored.

The endpoint is open to anyone, so an op is let near the database only if it is a
confirmation whose proof carries a check-in code the server made for the op's own
session. Expired codes pass: the proof is judged and marked, not refused (docs/checkin.md §4).
"""

from __future__ import annotations

from collections.abc import Sequence

from server.checkins.gate import CheckinGate
from server.checkins.roster import genuine_token
from server.scope import Actor
from server.sync_api.push import apply_ops
from sync.engine import Ack
from sync.ids import is_uuid

# Stored as the records' origin, as "server" is for the server's own ops: a trainee has no account.
TRAINEE = Actor(user_id="trainee", role="trainee")


def receive_confirmations(ops: Sequence[object]) -> list[Ack]:
    """Apply the trainee's confirmations that carry a genuine code of their session; refuse the rest unstored."""
    refusals = [_refusal(raw) for raw in ops]
    accepted = [raw for raw, reason in zip(ops, refusals, strict=True) if reason is None]
    applied = iter(apply_ops(accepted, TRAINEE, None, gate=CheckinGate, keep_rejected=False) if accepted else [])
    return [next(applied) if reason is None else Ack(_op_id(raw), "rejected", reason)
            for raw, reason in zip(ops, refusals, strict=True)]


def _refusal(raw: object) -> str | None:
    if not isinstance(raw, dict) or raw.get("entity") != "confirmation":
        return "a check-in carries a trainee's confirmation, nothing else"
    fields = raw.get("fields")
    proof = fields.get("proof") if isinstance(fields, dict) else None
    token = genuine_token(proof.get("token")) if isinstance(proof, dict) else None
    if token is None:
        return "this confirmation carries no genuine check-in code: scan the trainer's code again"
    if isinstance(fields, dict) and token.session_id != fields.get("session_id"):
        return "this confirmation's check-in code is of another session"
    return None


def _op_id(raw: object) -> str | None:
    op_id = raw.get("op_id") if isinstance(raw, dict) else None
    return op_id if is_uuid(op_id) else None
