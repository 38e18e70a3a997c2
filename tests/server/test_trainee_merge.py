"""A coordinator merges duplicate trainees: records follow, late ops are redirected."""

from __future__ import annotations

import uuid

from server.extensions import db
from server.models import Attendance, Trainee
from sync.ids import derived_id
from tests.server.protocol_client import Api, World, op


def test_merging_moves_attendance_and_redirects_late_marks(world: World, api: Api) -> None:
    coordinator = world.device("coord_a")
    trainer = world.device("trainer_a")
    twin = str(uuid.uuid4())
    keys = {"session_id": world.ids["session_a"]}
    acks = api.sync(trainer, [
        op(trainer, "trainee", twin, full_name="Giàng Thị A", commune_id=world.ids["commune_a"], birth_year=1980),
        op(trainer, "enrollment", course_id=world.ids["course_a"], trainee_id=twin),
        op(trainer, "attendance", status="present", trainee_id=twin, **keys),
    ]).body["acks"]
    assert {a["status"] for a in acks} == {"applied"}
    merge = op(coordinator, "trainee", twin, merged_into=world.ids["trainee_a"])
    assert api.sync(coordinator, [merge]).body["acks"][0]["status"] == "applied"
    late = op(trainer, "attendance", status="late", trainee_id=twin, **keys)  # made offline before the merge
    assert api.sync(trainer, [late]).body["acks"][0]["status"] == "applied"
    survivor_mark = derived_id("attendance", {**keys, "trainee_id": world.ids["trainee_a"]})
    twin_mark = derived_id("attendance", {**keys, "trainee_id": twin})
    with world.app.app_context():
        moved = db.session.get(Attendance, survivor_mark)
        old = db.session.get(Attendance, twin_mark)
        assert moved is not None and moved.status == "late" and not moved.deleted
        assert old is not None and old.deleted
        merged = db.session.get(Trainee, twin)
        assert merged is not None and merged.merged_into == world.ids["trainee_a"]
    records, _ = api.pull_all(trainer)
    assert records[("attendance", survivor_mark)]["fields"]["status"] == "late"
    assert records[("attendance", twin_mark)]["deleted"] is True


def test_only_a_coordinator_merges_and_only_within_their_area(world: World, api: Api) -> None:
    trainer = world.device("trainer_a")
    coordinator = world.device("coord_a")
    by_trainer = op(trainer, "trainee", world.ids["trainee_a"], merged_into=world.ids["trainee_a"])
    into_other_commune = op(coordinator, "trainee", world.ids["trainee_a"], merged_into=world.ids["trainee_b"])
    assert api.sync(trainer, [by_trainer]).body["acks"][0]["reason"] == "only a coordinator merges trainees"
    assert api.sync(coordinator, [into_other_commune]).body["acks"][0]["reason"] == \
        "the trainee to merge into is outside your area"
    with world.app.app_context():
        trainee = db.session.get(Trainee, world.ids["trainee_a"])
        assert trainee is not None and trainee.merged_into is None
