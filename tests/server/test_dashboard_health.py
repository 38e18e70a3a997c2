"""Field health (docs/dashboard.md §3): stale phones, rejected ops and open conflicts, each in its area."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from server.extensions import db
from server.models import Device as DeviceRow
from server.sql_store import now_utc
from tests.server.dashboard_register import seed_register
from tests.server.protocol_client import Api, Device, World, op


@pytest.fixture
def register(app: Flask, api: Api) -> World:
    return seed_register(World(app, api))


def health(api: Api, device: Device, query: str = "") -> Any:
    reply = api.request("GET", f"/api/v1/health{query}", token=device.token)
    assert reply.status == 200, reply.body
    return reply.body


def test_stale_phones_rejected_ops_and_conflicts_of_the_area(register: World, api: Api) -> None:
    w = register
    trainer_a, trainer_b = w.device("trainer_a"), w.device("trainer_b")
    coord_a, coord_b = w.device("coord_a"), w.device("coord_b")
    # trainer_a marks in a course of Tả Van (not theirs); trainer_b in one of Bản Hồ: both refused.
    wrong_a = op(trainer_a, "attendance", session_id=w.ids["S8"], trainee_id=w.ids["T7"], status="present")
    wrong_b = op(trainer_b, "attendance", session_id=w.ids["S1"], trainee_id=w.ids["T1"], status="absent")
    assert api.sync(trainer_a, [wrong_a], pending_ops=0).body["acks"][0]["status"] == "rejected"
    assert api.sync(trainer_b, [wrong_b], pending_ops=1).body["acks"][0]["status"] == "rejected"
    # The coordinator marks T4 absent at S3; the trainer, who never saw it, marks present: a conflict.
    keys = {"session_id": w.ids["S3"], "trainee_id": w.ids["T4"]}
    api.sync(coord_a, [op(coord_a, "attendance", status="absent", **keys)])
    assert api.sync(trainer_a, [op(trainer_a, "attendance", status="present", **keys)]).body["acks"][0]["status"] \
        == "conflict"
    with w.app.app_context():
        row = db.session.get(DeviceRow, trainer_b.id)
        assert row is not None
        row.last_sync_at = now_utc() - timedelta(days=10)
        db.session.commit()

    seen_a = health(api, coord_a)
    assert {d["id"]: d["stale"] for d in seen_a["devices"]} == {trainer_a.id: False, coord_a.id: False}
    assert [(r["op_id"], r["device_id"], r["owner_name"], r["entity"], r["reason"]) for r in seen_a["rejected"]] == \
        [(wrong_a["op_id"], trainer_a.id, "trainer_a", "attendance", "this course is not assigned to you")]
    assert str(seen_a["rejected"][0]["received_at"]).endswith("+00:00")
    [conflict] = seen_a["conflicts"]
    assert conflict["about"] == "Sùng A Páo · 2026-03-16"
    assert (conflict["record_entity"], conflict["field"], conflict["cause"]) == ("attendance", "status", "merge")
    assert {conflict["winner_value"], conflict["loser_value"]} == {"absent", "present"}
    assert isinstance(conflict["rev"], int) and conflict["id"].isdigit()

    seen_b = health(api, coord_b)
    stale_b = {d["id"]: (d["stale"], d["pending_ops"]) for d in seen_b["devices"]}
    assert stale_b == {trainer_b.id: (True, 1), coord_b.id: (False, None)}
    assert [r["op_id"] for r in seen_b["rejected"]] == [wrong_b["op_id"]]
    assert seen_b["conflicts"] == []
    assert {d["id"]: d["stale"] for d in health(api, coord_b, "?stale_days=30")["devices"]}[trainer_b.id] is False

    province = health(api, w.device("coord_p"))
    assert {r["op_id"] for r in province["rejected"]} == {wrong_a["op_id"], wrong_b["op_id"]}
    assert [c["id"] for c in province["conflicts"]] == [conflict["id"]]


def test_a_resolved_conflict_leaves_the_list(register: World, api: Api) -> None:
    w = register
    trainer, coordinator = w.device("trainer_a"), w.device("coord_a")
    keys = {"session_id": w.ids["S3"], "trainee_id": w.ids["T4"]}
    api.sync(coordinator, [op(coordinator, "attendance", status="absent", **keys)])
    api.sync(trainer, [op(trainer, "attendance", status="present", **keys)])
    [conflict] = health(api, coordinator)["conflicts"]
    # The coordinator picks "present": a write that saw both sides (base_rev ≥ the conflict's rev).
    choice = op(coordinator, "attendance", base_rev=conflict["rev"], status="present", **keys)
    assert api.sync(coordinator, [choice]).body["acks"][0]["status"] == "applied"
    assert health(api, coordinator)["conflicts"] == []


def test_bad_stale_days_are_refused(register: World, api: Api) -> None:
    reply = api.request("GET", "/api/v1/health?stale_days=-1", token=register.device("coord_a").token)
    assert (reply.status, reply.error_code) == (400, "invalid_request")


def test_conflicts_about_several_kinds_of_record_each_in_its_area(register: World, api: Api) -> None:
    w = register
    trainer_a, trainer_b = w.device("trainer_a"), w.device("trainer_b")
    coord_a, coord_b = w.device("coord_a"), w.device("coord_b")
    # An attendance conflict in Bản Hồ, then a conflict on the village of T7, a trainee of Tả Van.
    keys = {"session_id": w.ids["S3"], "trainee_id": w.ids["T4"]}
    api.sync(coord_a, [op(coord_a, "attendance", status="absent", **keys)])
    api.sync(trainer_a, [op(trainer_a, "attendance", status="present", **keys)])
    api.sync(coord_b, [op(coord_b, "trainee", w.ids["T7"], village="Bản Dền")])
    assert api.sync(trainer_b, [op(trainer_b, "trainee", w.ids["T7"], village="Séo Mí Tỷ")]).body["acks"][0][
        "status"] == "conflict"

    seen_a, seen_b = health(api, coord_a)["conflicts"], health(api, coord_b)["conflicts"]
    assert [(c["record_entity"], c["about"]) for c in seen_a] == [("attendance", "Sùng A Páo · 2026-03-16")]
    assert [(c["record_entity"], c["field"], c["about"]) for c in seen_b] == [("trainee", "village", "Lý Thị Chài")]
    # The province's coordinator sees both, oldest first.
    assert [c["id"] for c in health(api, w.device("coord_p"))["conflicts"]] == [seen_a[0]["id"], seen_b[0]["id"]]
