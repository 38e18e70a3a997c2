"""Scope: a trainer reads and writes only their courses, a coordinator only their area."""

from __future__ import annotations

import uuid

from server.models import Attendance, Course, OpLog
from tests.server.protocol_client import Api, World, count_rows, op


def _ids(records: dict[tuple[str, str], dict[str, object]], entity: str) -> set[str]:
    return {record_id for kind, record_id in records if kind == entity}


def test_trainer_cannot_mark_attendance_in_another_trainers_session(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    before = count_rows(world.app, OpLog)
    reply = api.sync(device, [op(device, "attendance", session_id=world.ids["session_b"],
                                 trainee_id=world.ids["trainee_b"], status="present")])
    assert reply.body["acks"][0]["status"] == "rejected"
    assert reply.body["acks"][0]["reason"] == "this course is not assigned to you"
    assert count_rows(world.app, OpLog) == before
    assert count_rows(world.app, Attendance) == 0


def test_trainer_cannot_enrol_a_trainee_from_another_commune_by_guessing_ids(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    reply = api.sync(device, [op(device, "enrollment", course_id=world.ids["course_a"],
                                 trainee_id=world.ids["trainee_b"])])
    assert reply.body["acks"][0]["reason"] == "this trainee is outside your scope"
    records, _ = api.pull_all(device)
    assert world.ids["trainee_b"] not in _ids(records, "trainee")


def test_trainer_cannot_edit_a_trainee_outside_their_courses(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    reply = api.sync(device, [op(device, "trainee", world.ids["trainee_b"], full_name="Tên giả")])
    assert reply.body["acks"][0]["reason"] == "this trainee is not in your courses"


def test_trainer_cannot_take_over_a_course_or_change_reference_data(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    takeover = op(device, "course", world.ids["course_b"], trainer_ids=[device.user_id])
    rename = op(device, "area", world.ids["commune_b"], name="Xã mới")
    acks = api.sync(device, [takeover, rename]).body["acks"]
    assert [a["reason"] for a in acks] == ["this course is not assigned to you",
                                           "a trainer may not change area records"]
    records, _ = api.pull_all(device)
    assert world.ids["course_b"] not in _ids(records, "course")


def test_trainer_may_create_a_course_and_a_walk_in_trainee(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    course_id, trainee_id = str(uuid.uuid4()), str(uuid.uuid4())
    acks = api.sync(device, [
        op(device, "course", course_id, program_id=world.ids["program"], commune_id=world.ids["commune_a"],
           title="Thanh toán QR", trainer_ids=[device.user_id]),
        op(device, "trainee", trainee_id, full_name="Lò Thị Ánh", commune_id=world.ids["commune_a"]),
        op(device, "enrollment", course_id=course_id, trainee_id=trainee_id),
    ]).body["acks"]
    assert [a["status"] for a in acks] == ["applied"] * 3
    records, _ = api.pull_all(device)
    assert {course_id, world.ids["course_a"]} == _ids(records, "course")
    assert trainee_id in _ids(records, "trainee")


def test_trainers_course_must_list_them(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    acks = api.sync(device, [op(device, "course", str(uuid.uuid4()), program_id=world.ids["program"],
                                commune_id=world.ids["commune_a"], title="Khoá lạ",
                                trainer_ids=[world.ids["trainer_b"]])]).body["acks"]
    assert acks[0]["reason"] == "a trainer's course must list that trainer"
    assert count_rows(world.app, Course) == 2


def test_commune_coordinator_sees_and_writes_only_their_commune(world: World, api: Api) -> None:
    device = world.device("coord_a")
    records, _ = api.pull_all(device)
    assert _ids(records, "course") == {world.ids["course_a"]}
    assert _ids(records, "trainee") == {world.ids["trainee_a"]}
    acks = api.sync(device, [
        op(device, "attendance", session_id=world.ids["session_b"], trainee_id=world.ids["trainee_b"],
           status="absent"),
        op(device, "trainee", world.ids["trainee_b"], full_name="Đổi tên"),
        op(device, "course", str(uuid.uuid4()), program_id=world.ids["program"],
           commune_id=world.ids["commune_b"], title="Khoá xã khác", trainer_ids=[]),
    ]).body["acks"]
    assert [a["reason"] for a in acks] == ["this course is outside your area",
                                           "this trainee is outside your area",
                                           "this course is outside your area"]


def test_province_coordinator_sees_every_commune_below(world: World, api: Api) -> None:
    device = world.device("coord_p")
    records, _ = api.pull_all(device)
    assert _ids(records, "course") == {world.ids["course_a"], world.ids["course_b"]}
    assert _ids(records, "trainee") == {world.ids["trainee_a"], world.ids["trainee_b"]}


def test_a_newly_assigned_course_is_pulled_in_full_on_the_next_sync(world: World, api: Api) -> None:
    from server import admin

    device = world.device("trainer_a")
    records, cursor = api.pull_all(device)
    assert world.ids["course_b"] not in _ids(records, "course")
    with world.app.app_context():
        admin.assign_trainer("trainer_a", world.ids["course_b"])
    reply = api.sync(device, cursor=cursor)
    pulled = {(c["entity"], c["id"]) for c in reply.body["changes"]}
    assert {("course", world.ids["course_b"]), ("session", world.ids["session_b"]),
            ("trainee", world.ids["trainee_b"])} <= pulled


def test_a_course_taken_off_a_trainer_starts_their_pull_over_and_says_so(world: World, api: Api) -> None:
    coordinator = world.device("coord_a")
    trainer = world.device("trainer_a")
    records, cursor = api.pull_all(trainer)
    assert world.ids["trainee_a"] in _ids(records, "trainee")
    assert api.sync(trainer, cursor=cursor).body["restarted"] is False, "nothing changed: no restart"
    course = api.pull_all(coordinator)[0][("course", world.ids["course_a"])]
    taken_off = op(coordinator, "course", world.ids["course_a"], base_rev=course["rev"], trainer_ids=[])
    assert api.sync(coordinator, [taken_off]).body["acks"][0]["status"] == "applied"

    first = api.sync(trainer, cursor=cursor, pull_limit=2)
    assert first.body["restarted"] is True and first.body["more"] is True
    rest, _ = api.pull_all(trainer)
    later = api.sync(trainer, cursor=first.body["cursor"])
    assert later.body["restarted"] is False, "only the first page of the new pull says it started over"
    sent_again = {(c["entity"], c["id"]) for c in first.body["changes"]} | set(rest)
    assert ("trainee", world.ids["trainee_a"]) not in sent_again
    assert ("session", world.ids["session_a"]) not in sent_again
    assert ("area", world.ids["commune_a"]) in sent_again, "reference data is still in scope"


def test_a_trainee_enrolled_later_reaches_the_trainer(world: World, api: Api) -> None:
    coordinator = world.device("coord_p")
    trainer = world.device("trainer_a")
    _, cursor = api.pull_all(trainer)
    api.sync(coordinator, [op(coordinator, "enrollment", course_id=world.ids["course_a"],
                              trainee_id=world.ids["trainee_b"])])
    # trainee_b lives in the other commune: enrolling across communes is the province's call
    reply = api.sync(trainer, cursor=cursor)
    assert ("trainee", world.ids["trainee_b"]) in {(c["entity"], c["id"]) for c in reply.body["changes"]}


def test_an_unenrolled_trainee_leaves_the_trainers_view(world: World, api: Api) -> None:
    coordinator = world.device("coord_a")
    trainer = world.device("trainer_a")
    enrolment = ("enrollment", None)
    records, _ = api.pull_all(coordinator)
    enrolment_id, change = next((rid, c) for (kind, rid), c in records.items() if kind == enrolment[0])
    reply = api.sync(coordinator, [op(coordinator, "enrollment", enrolment_id, base_rev=change["rev"],
                                      kind="delete")])
    assert reply.body["acks"][0]["status"] == "applied"
    pulled, _ = api.pull_all(trainer)
    assert world.ids["trainee_a"] not in _ids(pulled, "trainee")
