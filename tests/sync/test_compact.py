"""Compact ops (docs/protocol.md §5): the shared vectors, and what expanding a compact op gives the validator."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sync.compact import compact_ack, compact_op, expand_op, op_key, own_op_id
from sync.ops import Op, Rejection, parse_op
from tests.sync.vector_files import freshly_written

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
COMPACT = json.loads((VECTORS / "compact.json").read_text(encoding="utf-8"))
NOW_MS = 1_795_444_300_000


def named(cases: list[dict[str, Any]]) -> Any:
    return pytest.mark.parametrize("case", cases, ids=[c["name"] for c in cases])


def key_for(case: dict[str, Any]) -> str | None:
    return op_key(case["token"]) if case["token"] is not None else None


def test_vectors_are_current() -> None:
    # Regenerate with: python tests/vectors/write_compact.py
    assert freshly_written("write_compact.py") == COMPACT


@pytest.mark.parametrize("case", COMPACT["op_keys"])
def test_op_key(case: dict[str, Any]) -> None:
    assert op_key(case["token"]) == case["expected"]


@pytest.mark.parametrize("case", COMPACT["own_op_ids"])
def test_own_op_id(case: dict[str, Any]) -> None:
    assert own_op_id(op_key(case["token"]), case["hlc"]) == case["expected"]


@named(COMPACT["compact"])
def test_compact(case: dict[str, Any]) -> None:
    assert compact_op(case["op"], key_for(case)) == case["expected"]


@named(COMPACT["compact"])
def test_a_compact_op_expands_to_the_op_made(case: dict[str, Any]) -> None:
    # The sender's own token: what the server knows from the request.
    assert expand_op(compact_op(case["op"], key_for(case)), op_key(case["token"] or "any token")) == case["op"]


@named(COMPACT["expand"])
def test_expand(case: dict[str, Any]) -> None:
    assert expand_op(case["wire"], op_key(case["token"])) == case["expected"]


def test_compact_leaves_the_op_it_was_given_alone() -> None:
    op = COMPACT["compact"][0]["op"]
    before = json.dumps(op, sort_keys=True)
    compact_op(op, op_key(COMPACT["compact"][0]["token"]))
    assert json.dumps(op, sort_keys=True) == before


def test_an_expanded_op_passes_validation_as_the_full_op_does() -> None:
    case = COMPACT["expand"][0]
    expanded = parse_op(expand_op(case["wire"], op_key(case["token"])), NOW_MS)
    assert isinstance(expanded, Op) and expanded == parse_op(case["expected"], NOW_MS)


@pytest.mark.parametrize(("name", "reason"), [
    ("no clock: no op id", "op_id must be a lowercase UUID"),
    ("a delete's id cannot be worked out", "id must be a lowercase UUID"),
    ("a trainee's id cannot be worked out", "id must be a lowercase UUID"),
])
def test_what_cannot_be_worked_out_is_refused_by_validation(name: str, reason: str) -> None:
    case = next(c for c in COMPACT["expand"] if c["name"] == name)
    refused = parse_op(expand_op(case["wire"], op_key(case["token"])), NOW_MS)
    assert isinstance(refused, Rejection) and refused.reason == reason


@pytest.mark.parametrize(("sent", "expected"), [
    ({"entity": "attendance", "hlc": "1795444286401-0000-node"}, {"status": "applied"}),
    ({"op_id": "0196f3a0-0000-7000-8000-00000000000a"}, {"op_id": "0196f3a0-0000-7000-8000-00000000000a",
                                                         "status": "applied"}),
    (None, {"op_id": "0196f3a0-0000-7000-8000-00000000000a", "status": "applied"}),
], ids=["sent without op id", "sent with op id", "not an op"])
def test_an_ack_leaves_out_the_op_id_only_if_the_op_came_without_one(sent: object, expected: dict[str, Any]) -> None:
    ack = {"op_id": "0196f3a0-0000-7000-8000-00000000000a", "status": "applied"}
    assert compact_ack(ack, sent) == expected


@pytest.mark.parametrize("broken", ["hlc", "trainee_id"])
def test_a_lone_surrogate_leaves_the_id_missing_for_validation_to_refuse(broken: str) -> None:
    case = COMPACT["expand"][0]
    wire = json.loads(json.dumps(case["wire"]))
    if broken == "hlc":
        wire["hlc"] = wire["hlc"][:-1] + "\ud800"
    else:
        wire["fields"]["trainee_id"] = "\ud800"
    expanded = expand_op(wire, op_key(case["token"]))
    assert isinstance(expanded, dict)
    assert ("op_id" if broken == "hlc" else "id") not in expanded
    assert isinstance(parse_op(expanded, NOW_MS), Rejection)
