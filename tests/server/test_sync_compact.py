"""Compact ops through real HTTP: the server fills in the ids a device left out (protocol §5)."""

from __future__ import annotations

from typing import Any

import pytest

from server.extensions import db
from server.models import Attendance, OpLog
from sync.compact import compact_op, op_key, own_op_id
from tests.server.protocol_client import Api, Device, World, count_rows, op


def own_mark(world: World, device: Device, status: str = "present") -> dict[str, Any]:
    """A mark made the way the PWA makes it: its op id follows from the device's op key and clock."""
    made = op(device, "attendance", session_id=world.ids["session_a"], trainee_id=world.ids["trainee_a"],
              status=status)
    made["op_id"] = own_op_id(op_key(device.token), made["hlc"])
    return made


def test_a_compact_op_is_applied_as_the_op_the_device_made(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    mark = own_mark(world, device)
    wire = compact_op(mark, op_key(device.token))
    assert set(wire) == {"entity", "hlc", "kind", "fields"}
    reply = api.sync(device, [wire])
    assert reply.body["acks"] == [{"status": "applied"}], "acked by position, as it was sent: without its op id"
    with world.app.app_context():
        assert db.session.get(OpLog, mark["op_id"]) is not None
        row = db.session.get(Attendance, mark["id"])
        assert row is not None and row.status == "present"


def test_a_compact_op_sent_again_compact_or_in_full_is_a_duplicate(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    mark = own_mark(world, device)
    api.sync(device, [compact_op(mark, op_key(device.token))])
    ops_before = count_rows(world.app, OpLog)
    again = api.sync(device, [compact_op(mark, op_key(device.token)), mark])
    assert again.body["acks"] == [{"status": "duplicate"}, {"op_id": mark["op_id"], "status": "duplicate"}]
    assert count_rows(world.app, OpLog) == ops_before


def test_another_device_cannot_take_a_devices_op_id_by_copying_its_clock(world: World, api: Api) -> None:
    victim = world.device("trainer_a")
    intruder = world.device("trainer_a")
    mark = own_mark(world, victim, status="present")
    # The intruder sends an op stamped with the clock the victim's next op will carry.
    forged = compact_op({**mark, "fields": {**mark["fields"], "status": "absent"}}, None)
    del forged["op_id"]
    assert api.sync(intruder, [forged]).body["acks"] == [{"status": "applied"}]
    landed = api.sync(victim, [compact_op(mark, op_key(victim.token))]).body["acks"][0]
    # Not "duplicate": the victim's op is applied (its clock ties the intruder's, hence a conflict).
    assert landed["status"] in ("applied", "conflict")
    with world.app.app_context():
        logged = db.session.get(OpLog, mark["op_id"])
        assert logged is not None and logged.device_id == victim.id
        taken = db.session.get(OpLog, own_op_id(op_key(intruder.token), mark["hlc"]))
        assert taken is not None and taken.device_id == intruder.id


def test_what_cannot_be_worked_out_is_refused_alone_and_changes_nothing(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    mark = own_mark(world, device)
    deleted = {**own_mark(world, device), "kind": "delete", "fields": {}}
    delete = compact_op(deleted, op_key(device.token))
    assert "id" in delete
    no_clock = compact_op(own_mark(world, device), op_key(device.token))
    del no_clock["hlc"], delete["id"]
    ops_before = count_rows(world.app, OpLog)
    acks = api.sync(device, [delete, no_clock, compact_op(mark, op_key(device.token))]).body["acks"]
    assert acks == [{"status": "rejected", "reason": "id must be a lowercase UUID"},
                    {"status": "rejected", "reason": "op_id must be a lowercase UUID"},
                    {"status": "applied"}]
    assert count_rows(world.app, OpLog) == ops_before + 1
    with world.app.app_context():
        row = db.session.get(Attendance, mark["id"])
        assert row is not None and not row.deleted


@pytest.mark.parametrize("sent", ["compact", "in full"])
def test_an_op_with_a_lone_surrogate_in_an_id_is_refused_alone(world: World, api: Api, sent: str) -> None:
    device = world.device("trainer_a")
    good = own_mark(world, device)
    made = own_mark(world, device)
    broken = compact_op(made, op_key(device.token)) if sent == "compact" else made
    broken["fields"] = {**broken["fields"], "trainee_id": "\ud800"}
    reply = api.sync(device, [broken, compact_op(good, op_key(device.token))])
    assert reply.status == 200, reply.body
    assert [a["status"] for a in reply.body["acks"]] == ["rejected", "applied"]
