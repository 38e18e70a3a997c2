"""Absent against a verified confirmation: when a trainer's "absent" stands open for review.

A trainee who confirmed with a passkey was there by their own word; a trainer who
marks them absent may be right (they left early) or may have tapped the wrong name.
Neither value is overwritten: the server opens a review conflict on the attendance's
`status` (docs/checkin.md §5) and closes it when the status changes, or when the
trainer says "absent" again after pulling the conflict. These rules are pure, so the
PWA can show the same thing before it syncs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sync.merge import LoggedOp, Write, field_winner, writes_by_field

ABSENT = "absent"
VERIFIED = "verified"
# What the conflict shows as the confirmation's side of the field.
CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Review:
    """A review conflict as it stands: whose "absent" it is about, its rev, whether open."""

    winner_op_id: str
    rev: int
    open: bool


def proof_op(logged: Sequence[LoggedOp]) -> LoggedOp | None:
    """Return the confirmation op whose proof the record holds: its latest upsert by clock.

    A delete carries no proof, so a tombstoned confirmation keeps the verdict it had.
    """
    upserts = [item for item in logged if item.op.kind == "upsert"]
    return max(upserts, key=lambda item: (item.op.hlc, item.op.op_id), default=None)


def status_write(logged: Sequence[LoggedOp]) -> Write | None:
    """Return the write that holds an attendance record's `status`, by the merge rules."""
    writes = writes_by_field(logged).get("status")
    return field_winner(writes) if writes else None


def absent_against_confirmation(status: Write | None, verification: str | None, review: Review | None) -> bool:
    """Tell whether a trainer's "absent" should stand open for review against a trainee's confirmation.

    `status` is the write holding the attendance's status (None when there is no
    attendance or it is deleted), `verification` the verdict on the confirmation (None
    likewise), `review` the conflict already opened about them, if any. The same
    "absent" keeps the review as it stands; a new "absent" settles it when written after
    pulling the conflict (`base_rev >= rev`): the trainer has seen the confirmation and
    still says absent.
    """
    if status is None or status.value != ABSENT or verification != VERIFIED:
        return False
    if review is None:
        return True
    if status.op_id == review.winner_op_id:
        return review.open
    return status.base_rev is None or status.base_rev < review.rev
