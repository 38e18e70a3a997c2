"""What every path that applies ops does next, in the same transaction: check-in verdicts and reviews."""

from __future__ import annotations

from collections.abc import Sequence

from server.checkins.review import review_touched
from server.checkins.verdicts import judge_confirmations
from server.sql_store import SqlStore
from sync.engine import Ack


def after_apply(store: SqlStore, ops: Sequence[object], acks: Sequence[Ack]) -> None:
    """Judge the confirmations the batch accepted, then review attendance against them."""
    judge_confirmations(store, ops, acks)
    review_touched(store)
