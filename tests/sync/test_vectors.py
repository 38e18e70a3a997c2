"""The shared golden vectors in tests/vectors/ hold for the Python rules (the PWA runs the same files)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sync.entities import ENTITIES, to_plain
from sync.hlc import hlc_problem, parse_hlc, receive, tick
from sync.ids import NAMESPACE, derived_id
from sync.merge import LoggedOp, conflict_to_plain, merge_record, state_to_plain
from sync.ops import Op, Rejection, parse_op

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
# The PWA validates ops with its own copy of the entity table.
PWA_ENTITIES = Path(__file__).resolve().parents[2] / "pwa" / "src" / "sync" / "entities.json"


def load(name: str) -> Any:
    return json.loads((VECTORS / name).read_text(encoding="utf-8"))


def named(cases: list[dict[str, Any]], key: str = "name") -> Any:
    """Parametrize over vector cases, each shown by its name."""
    return pytest.mark.parametrize("case", cases, ids=[str(c.get(key)) for c in cases])


HLC = load("hlc.json")
IDS = load("ids.json")
VALIDATION = load("validation.json")
MERGE = load("merge.json")


def clock(text: str | None) -> Any:
    if text is None:
        return None
    parsed = parse_hlc(text)
    assert parsed is not None, text
    return parsed


@named(HLC["tick"])
def test_hlc_tick(case: dict[str, Any]) -> None:
    assert str(tick(clock(case["last"]), case["now_ms"], case["node"])) == case["expected"]


@named(HLC["receive"])
def test_hlc_receive(case: dict[str, Any]) -> None:
    got = receive(clock(case["last"]), clock(case["remote"]), case["now_ms"], case["node"])
    assert str(got) == case["expected"]


@named(HLC["problem"], "hlc")
def test_hlc_problem(case: dict[str, Any]) -> None:
    problem = hlc_problem(case["hlc"], case["server_now_ms"])
    if case["expected"] is None:
        assert problem is None
    else:
        assert problem is not None and case["expected"] in problem


def test_ids_namespace() -> None:
    assert IDS["namespace"] == str(NAMESPACE)


@named(IDS["cases"])
def test_derived_ids(case: dict[str, Any]) -> None:
    assert derived_id(case["entity"], case["fields"]) == case["expected"]


@named(VALIDATION["cases"])
def test_validation(case: dict[str, Any]) -> None:
    result = parse_op(case["op"], case["server_now_ms"])
    if case["expected"] == "ok":
        assert isinstance(result, Op), result
    else:
        assert isinstance(result, Rejection)
        assert case["reason_contains"] in result.reason


def _op(raw: dict[str, Any]) -> Op:
    """Parse a merge vector's op, which must be valid at its own clock."""
    op = parse_op(raw, int(raw["hlc"][:13]))
    assert isinstance(op, Op), op
    return op


@named(MERGE["cases"])
def test_merge(case: dict[str, Any]) -> None:
    log = [LoggedOp(_op(item["op"]), item["seq"]) for item in case["ops"]]
    state, conflicts = merge_record(case["entity"], case["id"], log)
    assert state_to_plain(state) == case["expected"]["state"]
    assert [conflict_to_plain(c) for c in conflicts] == case["expected"]["conflicts"]


def test_merge_vectors_do_not_depend_on_op_order() -> None:
    for case in MERGE["cases"]:
        log = [LoggedOp(_op(item["op"]), item["seq"]) for item in reversed(case["ops"])]
        state, _ = merge_record(case["entity"], case["id"], log)
        assert state_to_plain(state) == case["expected"]["state"], case["name"]


@pytest.mark.parametrize("path", [VECTORS / "entities.json", PWA_ENTITIES], ids=["vectors", "pwa"])
def test_entities_json_is_the_entity_table(path: Path) -> None:
    # Regenerate both copies with: python tests/vectors/write_entities.py
    on_disk = json.loads(path.read_text(encoding="utf-8"))
    assert on_disk == {name: to_plain(spec) for name, spec in ENTITIES.items()}
