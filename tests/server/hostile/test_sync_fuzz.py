"""Hypothesis-made sync bodies: any shape, wrong types, unknown names, huge strings, bad clocks,
repeated op ids, good and bad ops mixed. A broken envelope is a 4xx that changes nothing; a broken
op is rejected alone, and only the good ops change the database."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sync.entities import ENTITIES
from sync.hlc import hlc_problem
from tests.server.hostile.conftest import table_counts
from tests.server.protocol_client import Device, World, op

# Fuzzing is about the endpoints, not the database: SQLite only, to stay quick.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

FUZZ = settings(max_examples=40, derandomize=True, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                    max_leaves=12)
ENVELOPE_KEYS = ("protocol", "device_id", "cursor", "ops", "pull_limit", "app_version", "pending_ops")
# What a rejected op may add: its copy in rejected_op. A good op adds its trainee and its op_log entry.
GROWS_WITH_REJECTIONS = {"rejected_op"}
GROWS_WITH_GOOD_OPS = {"trainee", "op_log"}


def post_sync(client: FlaskClient, device: Device, body: Any) -> Any:
    return client.post("/api/v1/sync", data=json.dumps(body), content_type="application/json",
                       headers={"Authorization": f"Bearer {device.token}"})


def assert_error_shape(reply: Any) -> None:
    error = reply.get_json()["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] and error["message"]


def test_a_body_of_any_shape_is_answered_4xx_or_its_ops_rejected(app: Flask, phones: dict[str, Device]) -> None:
    device = phones["trainer_a"]
    client = app.test_client()
    envelope = st.fixed_dictionaries({}, optional={
        "protocol": st.just(1) | JSON, "device_id": st.just(device.id) | JSON, "cursor": st.none() | JSON,
        "ops": st.lists(JSON, max_size=5) | JSON, "pull_limit": st.integers() | JSON, "extra": JSON})

    @given(body=JSON | envelope)
    @FUZZ
    def answered(body: Any) -> None:
        before = table_counts(app)
        reply = post_sync(client, device, body)
        after = table_counts(app)
        if reply.status_code == 200:  # only an envelope that is right to the letter; none of its junk ops applies
            acks = reply.get_json()["acks"]
            assert [a["status"] for a in acks] == ["rejected"] * len(body.get("ops", []))
            assert {t for t in after if after[t] != before[t]} <= GROWS_WITH_REJECTIONS
        else:
            assert reply.status_code in (400, 426), reply.get_data()
            assert_error_shape(reply)
            assert after == before

    answered()


def _not_an_hlc(text: str) -> bool:
    return hlc_problem(text, int(time.time() * 1000)) is not None


def _hostile_ops(good: dict[str, Any]) -> st.SearchStrategy[dict[str, Any] | Any]:
    """Ops each broken in one way, built on a good op, each with its own op_id."""
    fields = good["fields"]

    def broken(**changes: Any) -> dict[str, Any]:
        return {**good, "op_id": str(uuid.uuid4()), "id": str(uuid.uuid4()), **changes}

    not_text = st.integers() | st.booleans() | st.lists(st.text(max_size=3), max_size=2) | st.floats(allow_nan=False)
    return st.one_of(
        JSON.filter(lambda v: not isinstance(v, dict)),
        st.builds(lambda v: broken(op_id=v), JSON),
        st.builds(lambda e: broken(entity=e), st.text(max_size=12).filter(lambda e: e not in ENTITIES)),
        st.builds(lambda name, v: broken(fields={**fields, name: v}),
                  st.text(min_size=1, max_size=12).filter(lambda n: n not in ENTITIES["trainee"].fields), JSON),
        st.builds(lambda v: broken(fields={**fields, "full_name": v}), not_text | st.none()),
        st.builds(lambda v: broken(fields={**fields, "birth_year": v}), st.text(max_size=4) | st.floats()),
        st.builds(lambda v: broken(fields={**fields, "gender": v}),
                  st.text(max_size=8).filter(lambda g: g not in ("female", "male", "other"))),
        st.builds(lambda n: broken(fields={**fields, "full_name": "Mùa " * n}), st.integers(60, 10_000)),
        st.builds(lambda h: broken(hlc=h), st.text(max_size=30).filter(_not_an_hlc) | not_text),
        st.builds(lambda k: broken(kind=k), JSON.filter(lambda k: k not in ("upsert", "delete"))),
        st.builds(lambda k: broken(**{k: 1}), st.text(min_size=1, max_size=8).filter(lambda k: k not in good)),
        st.builds(lambda v: broken(fields=v), JSON.filter(lambda v: not isinstance(v, dict) and v is not None)),
    )


def test_mixed_good_bad_and_repeated_ops_are_acked_one_by_one(register: World, app: Flask,
                                                              phones: dict[str, Device]) -> None:
    device = phones["trainer_a"]
    client = app.test_client()
    template = op(device, "trainee", str(uuid.uuid4()), full_name="Lò Thị Hoa", commune_id=register.ids["A"],
                  gender="female", birth_year=1990)
    # (kind, position of the op it repeats): good ops are made when drawn, so their clocks are real
    plan = st.lists(st.one_of(st.tuples(st.just("good"), st.just(0)), st.tuples(st.just("bad"), _hostile_ops(template)),
                              st.tuples(st.just("again"), st.integers(0, 30))), min_size=1, max_size=12)

    @given(steps=plan)
    @FUZZ
    def acked_one_by_one(steps: list[tuple[str, Any]]) -> None:
        ops: list[Any] = []
        expected: list[str] = []
        good_ids: list[str] = []
        for kind, arg in steps:
            if kind == "good":
                ops.append(op(device, "trainee", str(uuid.uuid4()), full_name="Lò Thị Hoa",
                              commune_id=register.ids["A"], gender="female", birth_year=1990))
                good_ids.append(ops[-1]["id"])
                expected.append("applied")
            elif kind == "bad":
                ops.append(arg)
                expected.append("rejected")
            elif ops:  # send an earlier op again in the same batch
                earlier = arg % len(ops)
                ops.append(ops[earlier])
                expected.append("rejected" if expected[earlier] == "rejected" else "duplicate")
        before = table_counts(app)
        reply = post_sync(client, device, {"protocol": 1, "device_id": device.id, "cursor": None, "ops": ops})
        assert reply.status_code == 200, reply.get_data()[:500]
        acks = reply.get_json()["acks"]
        assert [a["status"] for a in acks] == expected
        assert all(a["reason"] for a in acks if a["status"] == "rejected")
        after = table_counts(app)
        grown = {t: after[t] - before[t] for t in after if after[t] != before[t]}
        assert {t: grown.get(t, 0) for t in GROWS_WITH_GOOD_OPS} == {t: len(good_ids) for t in GROWS_WITH_GOOD_OPS}
        assert set(grown) <= GROWS_WITH_GOOD_OPS | GROWS_WITH_REJECTIONS
        assert grown.get("rejected_op", 0) <= expected.count("rejected")

    acked_one_by_one()
