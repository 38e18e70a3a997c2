"""Conflicts travel to devices in the pull, in the scope of their record; every change carries its hlc."""

from __future__ import annotations

from typing import Any

from server import admin
from server.extensions import db
from server.models import Conflict
from tests.server.protocol_client import Api, Device, World, op


def _two_trainers_on_course_a(world: World) -> tuple[Device, Device]:
    world.user("trainer_c", "trainer")
    with world.app.app_context():
        admin.assign_trainer("trainer_c", world.ids["course_a"])
    return world.device("trainer_a"), world.device("trainer_c")


def _mark(device: Device, world: World, status: str, base_rev: int | None = None) -> dict[str, Any]:
    return op(device, "attendance", base_rev=base_rev, session_id=world.ids["session_a"],
              trainee_id=world.ids["trainee_a"], status=status)


def _conflicts(records: dict[tuple[str, str], dict[str, Any]]) -> list[dict[str, Any]]:
    return [change for (entity, _), change in records.items() if entity == "conflict"]


def test_both_writers_pull_the_same_conflict_and_the_winner(world: World, api: Api) -> None:
    first, second = _two_trainers_on_course_a(world)
    second.skew_ms = 5_000  # its mark is later, so it wins
    present, absent = _mark(first, world, "present"), _mark(second, world, "absent")
    assert api.sync(first, [present]).body["acks"][0]["status"] == "applied"
    assert api.sync(second, [absent]).body["acks"][0]["status"] == "conflict"

    pulled = [api.pull_all(device)[0] for device in (first, second)]
    for records in pulled:
        assert records[("attendance", present["id"])]["fields"]["status"] == "absent"
    conflict = _conflicts(pulled[0])
    assert conflict == _conflicts(pulled[1]) and len(conflict) == 1
    assert conflict[0]["deleted"] is False and conflict[0]["hlc"] == absent["hlc"]
    assert conflict[0]["fields"] == {
        "record_entity": "attendance", "record_id": present["id"], "field": "status",
        "winner_op_id": absent["op_id"], "loser_op_id": present["op_id"],
        "winner_value": "absent", "loser_value": "present", "resolved": False, "cause": "merge"}
    with world.app.app_context():
        assert conflict[0]["id"] == str(db.session.query(Conflict).one().id)

    elsewhere, _ = api.pull_all(world.device("trainer_b"))
    assert not _conflicts(elsewhere) and ("attendance", present["id"]) not in elsewhere
    coordinator, _ = api.pull_all(world.device("coord_a"))
    assert _conflicts(coordinator) == conflict


def test_a_resolved_conflict_is_pulled_again_as_resolved(world: World, api: Api) -> None:
    first, second = _two_trainers_on_course_a(world)
    api.sync(first, [_mark(first, world, "present")])
    api.sync(second, [_mark(second, world, "absent")])
    records, cursor = api.pull_all(second)
    opened = _conflicts(records)[0]
    record_rev = max(c["rev"] for (entity, _), c in records.items() if entity == "attendance")

    # The first trainer, having seen both marks, settles it: a write that saw the conflict closes it.
    seen, _ = api.pull_all(first)
    settle = _mark(first, world, "late", base_rev=seen[("attendance", opened["fields"]["record_id"])]["rev"])
    assert api.sync(first, [settle]).body["acks"][0]["status"] == "applied"

    later = api.sync(second, cursor=cursor).body["changes"]
    closed = [c for c in later if c["entity"] == "conflict"]
    assert [c["id"] for c in closed] == [opened["id"]]
    assert closed[0]["fields"]["resolved"] is True and closed[0]["rev"] > max(opened["rev"], record_rev)
    assert [c["fields"]["status"] for c in later if c["entity"] == "attendance"] == ["late"]


def test_an_unchanged_conflict_is_not_sent_again(world: World, api: Api) -> None:
    first, second = _two_trainers_on_course_a(world)
    api.sync(first, [_mark(first, world, "present")])
    api.sync(second, [_mark(second, world, "absent")])
    _, cursor = api.pull_all(first)
    # A note from a device that saw nothing touches the record, not the status conflict.
    note = op(first, "attendance", session_id=world.ids["session_a"], trainee_id=world.ids["trainee_a"],
              note="đến muộn")
    changes = api.sync(first, [note], cursor=cursor).body["changes"]
    assert [c["entity"] for c in changes] == ["attendance"]


def test_every_pulled_item_has_its_own_rev_so_one_item_pages_lose_nothing(world: World, api: Api) -> None:
    first, second = _two_trainers_on_course_a(world)
    for status in ("present", "late"):
        api.sync(first, [_mark(first, world, status)])
    api.sync(second, [_mark(second, world, "absent")])
    everything, _ = api.pull_all(second)
    one_by_one, _ = api.pull_all(second, limit=1)
    revs = [c["rev"] for c in everything.values()]
    assert len(revs) == len(set(revs))
    assert one_by_one == everything
    assert len(_conflicts(everything)) == 2


def test_a_change_carries_the_greatest_hlc_of_its_records_ops(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    late_first = _mark(device, world, "present")
    early = _mark(device, world, "late")
    early["hlc"], late_first["hlc"] = late_first["hlc"], early["hlc"]  # sent out of clock order
    api.sync(device, [late_first, early])
    records, _ = api.pull_all(device)
    change = records[("attendance", early["id"])]
    assert change["hlc"] == max(early["hlc"], late_first["hlc"]) == late_first["hlc"]
    assert change["fields"]["status"] == "present"
    assert all(isinstance(c["hlc"], str) for c in records.values())
