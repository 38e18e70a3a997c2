"""Bad requests get a clear 4xx JSON error and change nothing; a bad op is refused alone."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from server.extensions import db
from server.models import Attendance, OpLog, RejectedOp, Trainee
from tests.server.protocol_client import Api, Device, World, count_rows, op


def _snapshot(world: World) -> tuple[int, int, int]:
    return (count_rows(world.app, OpLog), count_rows(world.app, Attendance),
            count_rows(world.app, RejectedOp))


def _good_body(device: Device, world: World) -> dict[str, Any]:
    mark = op(device, "attendance", session_id=world.ids["session_a"], trainee_id=world.ids["trainee_a"],
              status="present")
    return {"protocol": 1, "device_id": device.id, "cursor": None, "ops": [mark]}


BAD_BODIES = {
    "protocol as text": ({"protocol": "1"}, 400, "invalid_request"),
    "ops not a list": ({"ops": {"op_id": "x"}}, 400, "invalid_request"),
    "unknown top-level key": ({"extra": True}, 400, "invalid_request"),
    "negative pull limit": ({"pull_limit": -1}, 400, "invalid_request"),
    "negative pending ops": ({"pending_ops": -1}, 400, "invalid_request"),
    "pending ops as text": ({"pending_ops": "3"}, 400, "invalid_request"),
    "app version too long": ({"app_version": "1." * 30}, 400, "invalid_request"),
    "cursor not from this server": ({"cursor": "page-2"}, 400, "bad_cursor"),
    "another device's id": ({"device_id": str(uuid.uuid4())}, 400, "wrong_device"),
    "future protocol": ({"protocol": 2}, 426, "protocol_unsupported"),
    "future protocol with new keys": ({"protocol": 2, "hints": {}}, 426, "protocol_unsupported"),
}


@pytest.mark.parametrize("change", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_request_bodies_are_refused_whole(world: World, api: Api, change: tuple[Any, int, str]) -> None:
    device = world.device("trainer_a")
    before = _snapshot(world)
    body = {**_good_body(device, world), **change[0]}
    reply = api.request("POST", "/api/v1/sync", body, token=device.token)
    assert (reply.status, reply.error_code) == change[1:]
    assert reply.body["error"]["message"]
    assert _snapshot(world) == before


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe", b"[" * 100_000],
                         ids=["malformed", "array", "not utf-8", "deeply nested"])
def test_unparseable_bodies_are_400(world: World, api: Api, raw: bytes) -> None:
    device = world.device("trainer_a")
    before = _snapshot(world)
    reply = api.request("POST", "/api/v1/sync", raw=raw, token=device.token)
    assert (reply.status, reply.error_code) == (400, "malformed_json")
    assert _snapshot(world) == before


@pytest.mark.parametrize("token", [None, "", "made-up-token"], ids=["none", "empty", "unknown"])
def test_sync_without_a_valid_token_is_401(world: World, api: Api, token: str | None) -> None:
    device = world.device("trainer_a")
    before = _snapshot(world)
    headers = {"Authorization": "Bearer "} if token == "" else None
    reply = api.request("POST", "/api/v1/sync", _good_body(device, world), token=token or None,
                        headers=headers)
    assert reply.status == 401
    assert reply.error_code in ("missing_token", "invalid_token")
    assert _snapshot(world) == before


def _bad_ops(device: Device, world: World) -> dict[str, tuple[dict[str, Any], str]]:
    keys = {"session_id": world.ids["session_a"], "trainee_id": world.ids["trainee_a"]}
    good = op(device, "attendance", status="present", **keys)

    def variant(**changes: Any) -> dict[str, Any]:
        return {**good, "op_id": str(uuid.uuid4()), **changes}

    return {
        "unknown entity": (variant(entity="payroll"), "unknown entity"),
        "unknown field": (variant(fields={**good["fields"], "salary": 1}), "has no field 'salary'"),
        "status not allowed": (variant(fields={**keys, "status": "asleep"}), "status: must be one of"),
        "level as text": (op(device, "skill_check", course_id=world.ids["course_a"],
                             trainee_id=world.ids["trainee_a"], skill_code="QR", level="3"),
                          "level: must be a whole number"),
        "bad record uuid": (variant(id="1234"), "id must be a lowercase UUID"),
        "id not derived": (variant(id=str(uuid.uuid4())), "id must be derived"),
        "year 2286 clock": (variant(hlc="9999999999999-0000-x"), "30 days ahead"),
        "1970 clock": (variant(hlc="0000000000001-0000-x"), "before 2020"),
        "garbled clock": (variant(hlc="yesterday"), "hlc must look like"),
        "unknown session": (op(device, "attendance", status="present", session_id=str(uuid.uuid4()),
                               trainee_id=world.ids["trainee_a"]), "session the server does not have"),
    }


def test_each_bad_op_is_rejected_alone_with_a_reason_and_kept(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    bad = _bad_ops(device, world)
    first = op(device, "trainee", str(uuid.uuid4()), full_name="Lò Văn Tiến",
               commune_id=world.ids["commune_a"])
    last = op(device, "attendance", session_id=world.ids["session_a"], trainee_id=world.ids["trainee_a"],
              status="late")
    ops = [first, *[b[0] for b in bad.values()], last]
    before = _snapshot(world)
    reply = api.sync(device, ops)
    acks = reply.body["acks"]
    assert reply.status == 200 and len(acks) == len(ops)
    assert acks[0]["status"] == "applied" and acks[-1]["status"] == "applied"
    for ack, (_, reason) in zip(acks[1:-1], bad.values(), strict=True):
        assert ack["status"] == "rejected"
        assert reason in ack["reason"]
    assert _snapshot(world) == (before[0] + 2, before[1] + 1, before[2] + len(bad))


def test_an_op_without_a_usable_op_id_is_rejected_alone(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    good = _good_body(device, world)["ops"][0]
    reply = api.sync(device, [{"op_id": 42}, "not an op", good])
    assert [a["status"] for a in reply.body["acks"]] == ["rejected", "rejected", "applied"]
    assert reply.body["acks"][0] == {"op_id": None, "status": "rejected",
                                     "reason": "op_id must be a lowercase UUID"}


def test_a_resent_rejected_op_gets_the_same_rejection_and_is_kept_once(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    bad = op(device, "attendance", session_id=world.ids["session_a"], trainee_id=world.ids["trainee_a"],
             status="asleep")
    first = api.sync(device, [bad]).body["acks"][0]
    again = api.sync(device, [bad]).body["acks"][0]
    assert first == again and first["status"] == "rejected"
    with world.app.app_context():
        kept = db.session.query(RejectedOp).filter_by(op_id=bad["op_id"]).all()
        assert len(kept) == 1 and json.loads(kept[0].raw)["fields"]["status"] == "asleep"


def test_a_new_record_must_carry_its_required_fields(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    reply = api.sync(device, [op(device, "trainee", str(uuid.uuid4()), full_name="Sùng Thị Mai")])
    assert reply.body["acks"][0]["status"] == "rejected"
    assert "needs commune_id" in reply.body["acks"][0]["reason"]


def test_a_natural_key_cannot_change(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    session_id = str(uuid.uuid4())
    reply = api.sync(device, [
        op(device, "session", session_id, course_id=world.ids["course_a"], date="2026-11-24"),
        op(device, "session", session_id, course_id=world.ids["course_b"]),
    ])
    assert [a["status"] for a in reply.body["acks"]] == ["applied", "rejected"]
    assert "course_id cannot change" in reply.body["acks"][1]["reason"]


def test_text_with_nul_characters_is_rejected_not_a_server_error(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    reply = api.sync(device, [op(device, "trainee", str(uuid.uuid4()), full_name="Lò\x00Văn",
                                 commune_id=world.ids["commune_a"])])
    assert reply.status == 200
    assert reply.body["acks"][0]["reason"] == "full_name: must not contain NUL characters"


def test_an_op_the_database_refuses_is_rejected_alone(world: World, api: Api,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy.exc import DataError

    from server.sql_store import SqlStore

    device = world.device("trainer_a")
    ops = [op(device, "trainee", str(uuid.uuid4()), full_name=name, commune_id=world.ids["commune_a"])
           for name in ("Vàng A Dế", "Không lưu được", "Hạng A Tủa")]
    store_one = SqlStore._save_applied

    def refuse_one(self: SqlStore, logged: Any, state: Any, conflicts: Any) -> None:
        store_one(self, logged, state, conflicts)
        if logged.op.op_id == ops[1]["op_id"]:  # the database refuses this value, as a bad driver would
            raise DataError("INSERT", {}, ValueError("value out of range"))

    monkeypatch.setattr(SqlStore, "_save_applied", refuse_one)
    before = _snapshot(world)
    acks = api.sync(device, ops).body["acks"]
    assert [a["status"] for a in acks] == ["applied", "rejected", "applied"]
    assert "the database refused this op" in acks[1]["reason"]
    assert _snapshot(world)[0] == before[0] + 2
    with world.app.app_context():
        assert db.session.get(Trainee, ops[1]["id"]) is None
        assert db.session.get(Trainee, ops[2]["id"]) is not None
