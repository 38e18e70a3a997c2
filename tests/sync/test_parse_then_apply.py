"""parse_batch then apply_parsed: checking shapes first (before a server's write lock) decides as apply_batch does."""

from __future__ import annotations

from sync.engine import apply_batch, apply_parsed, parse_batch
from sync.memory_store import MemoryStore
from sync.ops import Op, Rejection
from tests.sync.sync_factories import NOW_MS, OpenGate, attendance, clock, statuses


def _batch() -> list[object]:
    first = attendance("s1", "t1", "present", clock(0, "a"))
    return [first, attendance("s1", "t1", "absent", clock(5, "b")), {"op_id": "not-a-uuid"}, None,
            dict(first), attendance("s1", "t2", "late", clock(9, "a"))]


def test_parse_batch_checks_every_op_alone_and_in_order() -> None:
    parsed = parse_batch(_batch(), NOW_MS)
    assert [type(p) for p in parsed] == [Op, Op, Rejection, Rejection, Op, Op]
    assert parsed[2] == Rejection(None, "op_id must be a lowercase UUID")


def test_ops_parsed_first_are_applied_as_apply_batch_applies_them() -> None:
    at_once, parsed_first = MemoryStore(), MemoryStore()
    raws = _batch()
    expected = apply_batch(at_once, raws, OpenGate(at_once), NOW_MS)
    acks = apply_parsed(parsed_first, raws, parse_batch(raws, NOW_MS), OpenGate(parsed_first))
    assert acks == expected
    assert statuses(acks) == ["applied", "conflict", "rejected", "rejected", "duplicate", "applied"]
    assert (parsed_first.records, parsed_first.rejected, parsed_first.seq) == \
        (at_once.records, at_once.rejected, at_once.seq)
