"""Push and pull through real HTTP: scope of the first pull, idempotent retry, conflicts."""

from __future__ import annotations

import uuid

import pytest

from server.extensions import db
from server.models import Attendance, Conflict, OpLog
from tests.server.protocol_client import Api, World, count_rows, op


def test_first_pull_holds_only_the_trainers_course(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    records, _ = api.pull_all(device)
    ids = {record_id for _, record_id in records}
    assert {world.ids["course_a"], world.ids["session_a"], world.ids["trainee_a"]} <= ids
    assert not {world.ids["course_b"], world.ids["session_b"], world.ids["trainee_b"]} & ids
    assert ("area", world.ids["commune_b"]) in records  # areas are shared reference data


def test_attendance_is_applied_once_however_often_it_is_sent(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    mark = op(device, "attendance", session_id=world.ids["session_a"], trainee_id=world.ids["trainee_a"],
              status="present")
    first = api.sync(device, [mark])
    again = api.sync(device, [mark])
    assert first.body["acks"] == [{"op_id": mark["op_id"], "status": "applied"}]
    assert again.body["acks"] == [{"op_id": mark["op_id"], "status": "duplicate"}]
    assert count_rows(world.app, OpLog) - _seeded_ops(world) == 1
    with world.app.app_context():
        row = db.session.get(Attendance, mark["id"])
        assert row is not None and row.status == "present"


def test_the_pull_in_the_same_round_trip_returns_what_was_pushed(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    _, cursor = api.pull_all(device)
    mark = op(device, "attendance", session_id=world.ids["session_a"], trainee_id=world.ids["trainee_a"],
              status="late")
    reply = api.sync(device, [mark], cursor=cursor)
    assert [(c["entity"], c["fields"]["status"]) for c in reply.body["changes"]] == [("attendance", "late")]


def test_two_devices_marking_differently_offline_give_one_winner_and_a_conflict(
        world: World, api: Api) -> None:
    trainer = world.device("trainer_a")
    trainer.skew_ms = 60_000  # its clock runs a minute ahead, so its mark wins
    coordinator = world.device("coord_a")
    keys = {"session_id": world.ids["session_a"], "trainee_id": world.ids["trainee_a"]}
    absent = op(coordinator, "attendance", status="absent", **keys)
    present = op(trainer, "attendance", status="present", **keys)
    assert api.sync(coordinator, [absent]).body["acks"][0]["status"] == "applied"
    assert api.sync(trainer, [present]).body["acks"][0]["status"] == "conflict"
    seen = [api.pull_all(d)[0][("attendance", present["id"])]["fields"]["status"]
            for d in (trainer, coordinator)]
    assert seen == ["present", "present"]
    with world.app.app_context():
        conflict = db.session.query(Conflict).one()
        assert (conflict.field, conflict.winner_value, conflict.loser_value) == \
            ("status", "present", "absent")
        assert conflict.resolved_at is None


def test_an_edit_made_after_seeing_the_record_is_not_a_conflict(world: World, api: Api) -> None:
    trainer = world.device("trainer_a")
    coordinator = world.device("coord_a")
    keys = {"session_id": world.ids["session_a"], "trainee_id": world.ids["trainee_a"]}
    api.sync(coordinator, [op(coordinator, "attendance", status="absent", **keys)])
    records, _ = api.pull_all(trainer)
    rev = records[("attendance", _attendance_id(keys))]["rev"]
    reply = api.sync(trainer, [op(trainer, "attendance", base_rev=rev, status="excused", **keys)])
    assert reply.body["acks"][0]["status"] == "applied"
    assert count_rows(world.app, Conflict) == 0


def test_server_clock_moves_devices_past_a_fast_clock(world: World, api: Api) -> None:
    fast = world.device("trainer_a")
    fast.skew_ms = 24 * 3600 * 1000
    mark = op(fast, "attendance", session_id=world.ids["session_a"], trainee_id=world.ids["trainee_a"],
              status="present")
    assert api.sync(fast, [mark]).body["acks"][0]["status"] == "applied"
    other = world.device("coord_a")
    assert api.sync(other).body["server_hlc"] >= mark["hlc"]


def _attendance_id(keys: dict[str, str]) -> str:
    from sync.ids import derived_id

    found = derived_id("attendance", keys)
    assert found is not None
    return found


def _seeded_ops(world: World) -> int:
    with world.app.app_context():
        return db.session.query(OpLog).filter(OpLog.device_id.is_(None)).count()


def test_a_failed_commit_acks_nothing_and_the_retry_applies(world: World, api: Api,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    device = world.device("trainer_a")
    mark = op(device, "attendance", session_id=world.ids["session_a"], trainee_id=world.ids["trainee_a"],
              status="present")
    before = count_rows(world.app, OpLog)

    def disk_full() -> None:
        raise OSError("disk full")

    monkeypatch.setattr(db.session, "commit", disk_full)
    failed = api.sync(device, [mark])
    monkeypatch.undo()
    assert (failed.status, failed.error_code) == (500, "internal_error")
    assert "acks" not in failed.body
    assert count_rows(world.app, OpLog) == before
    retried = api.sync(device, [mark])
    assert retried.body["acks"] == [{"op_id": mark["op_id"], "status": "applied"}]


def test_a_server_error_logs_no_personal_data(world: World, api: Api, monkeypatch: pytest.MonkeyPatch,
                                              caplog: pytest.LogCaptureFixture) -> None:
    device = world.device("trainer_a")
    name = "Sùng Thị Chỉnh 0912345678"

    def fail_loudly() -> None:
        raise RuntimeError(f"could not store {name}")

    monkeypatch.setattr(db.session, "commit", fail_loudly)
    reply = api.sync(device, [op(device, "trainee", str(uuid.uuid4()), full_name=name,
                                 commune_id=world.ids["commune_a"])])
    assert reply.status == 500
    assert "RuntimeError" in caplog.text
    assert "Sùng" not in caplog.text and "0912345678" not in caplog.text
