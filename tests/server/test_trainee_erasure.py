"""A trainee asks to be forgotten, or for a copy of what is kept: a coordinator of their area answers."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from server.extensions import db
from server.models import Attendance, AuditEntry, OpLog, Passkey, Trainee
from tests.server.protocol_client import Api, Device, World, op

NAME, PHONE, RENAMED = "Giàng Thị A", "0912 345 678", "Giàng Thị An"


def everything_stored(app: Flask) -> str:
    """Return every row of every table as one text, to look for a name in."""
    with app.app_context():
        return "\n".join(str(row) for table in db.metadata.sorted_tables
                         for row in db.session.execute(select(table)))


def erase(api: Api, device: Device, trainee_id: str) -> Any:
    return api.request("POST", f"/api/v1/trainees/{trainee_id}/erasure", token=device.token)


def history_with_the_name(world: World, api: Api) -> tuple[Device, Device]:
    """Leave the name and phone in the op log, a conflict and a refused op, and a mark beside them."""
    trainer, coordinator, stranger = world.device("trainer_a"), world.device("coord_a"), world.device("trainer_b")
    trainee_id = world.ids["trainee_a"]
    trainer.skew_ms = 60_000  # the trainer's rename wins, the coordinator's loses: a conflict on full_name
    rev = api.pull_all(coordinator)[0][("trainee", trainee_id)]["rev"]
    assert api.sync(coordinator, [op(coordinator, "trainee", trainee_id, rev, full_name=NAME + " (cũ)")]
                    ).body["acks"][0]["status"] == "applied"
    acks = api.sync(trainer, [op(trainer, "trainee", trainee_id, full_name=NAME, phone=PHONE),
                              op(trainer, "attendance", session_id=world.ids["session_a"],
                                 trainee_id=trainee_id, status="present")]).body["acks"]
    assert [a["status"] for a in acks] == ["conflict", "applied"]
    refused = api.sync(stranger, [op(stranger, "trainee", trainee_id, full_name=NAME, phone=PHONE)])
    assert refused.body["acks"][0]["status"] == "rejected"
    with world.app.app_context():
        db.session.add(Passkey(credential_id="cred-a", trainee_id=trainee_id, public_key="pk",
                               created_at=db.func.now()))
        db.session.commit()
    assert NAME in everything_stored(world.app) and PHONE in everything_stored(world.app)
    return trainer, coordinator


def test_erasure_removes_the_name_everywhere_and_keeps_the_marks(world: World, api: Api) -> None:
    trainer, coordinator = history_with_the_name(world, api)
    trainee_id = world.ids["trainee_a"]

    reply = erase(api, coordinator, trainee_id)

    assert reply.status == 200, reply.body
    assert reply.body["already"] is False
    assert (reply.body["conflicts_scrubbed"], reply.body["refused_ops_scrubbed"], reply.body["passkeys_removed"]) \
        == (1, 1, 1)
    stored = everything_stored(world.app)
    assert NAME not in stored and PHONE not in stored
    with world.app.app_context():
        trainee = db.session.get(Trainee, trainee_id)
        assert trainee is not None and trainee.deleted and trainee.erased_at is not None
        assert (trainee.full_name, trainee.birth_year, trainee.commune_id) == (None, None, world.ids["commune_a"])
        marks = db.session.scalars(select(Attendance.status).where(Attendance.trainee_id == trainee_id)).all()
        assert marks == ["present"]
        assert db.session.scalar(select(db.func.count()).select_from(OpLog).where(
            OpLog.record_id == trainee_id, OpLog.kind == "delete")) == 1
    with world.app.app_context():
        entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "trainee.erased")).one()
        assert (entry.target_id, entry.details["records"], entry.details["ops_scrubbed"]) == (trainee_id, 1, 3)
    pulled = api.pull_all(trainer)[0][("trainee", trainee_id)]
    assert pulled["deleted"] is True
    assert pulled["fields"].get("full_name") is None and pulled["fields"].get("phone") is None


def test_an_edit_from_a_phone_still_offline_is_refused_and_its_name_not_kept(world: World, api: Api) -> None:
    trainer, coordinator = world.device("trainer_a"), world.device("coord_a")
    trainee_id = world.ids["trainee_a"]
    late_edit = op(trainer, "trainee", trainee_id, full_name=RENAMED, phone=PHONE)
    late_mark = op(trainer, "attendance", session_id=world.ids["session_a"], trainee_id=trainee_id, status="late")
    assert erase(api, coordinator, trainee_id).status == 200

    acks = api.sync(trainer, [late_edit, late_mark]).body["acks"]

    assert [a["status"] for a in acks] == ["rejected", "applied"]
    assert "erased" in acks[0]["reason"]
    stored = everything_stored(world.app)
    assert RENAMED not in stored and PHONE not in stored
    with world.app.app_context():
        assert db.session.scalar(select(Attendance.status).where(Attendance.trainee_id == trainee_id)) == "late"


def test_erasing_twice_does_nothing_more(world: World, api: Api) -> None:
    coordinator = world.device("coord_a")
    first = erase(api, coordinator, world.ids["trainee_a"])
    second = erase(api, coordinator, world.ids["trainee_a"])
    assert (first.status, second.status) == (200, 200)
    assert second.body["already"] is True and second.body["erased_at"] == first.body["erased_at"]


def test_only_a_coordinator_of_the_trainees_area_may_erase_or_copy(world: World, api: Api) -> None:
    trainee_b = world.ids["trainee_b"]
    other_commune, trainer = world.device("coord_a"), world.device("trainer_b")
    before = everything_stored(world.app)
    for device, status in ((other_commune, 404), (trainer, 403)):
        assert erase(api, device, trainee_b).status == status
        copy = api.request("GET", f"/api/v1/trainees/{trainee_b}/data-copy", token=device.token)
        assert copy.status == status and "Giàng Thị B" not in copy.raw.decode()
    assert erase(api, other_commune, "not-an-id").status == 404
    assert everything_stored(world.app).replace(" ", "") .count("GiàngThịB") == before.replace(" ", "").count(
        "GiàngThịB")
    with world.app.app_context():
        trainee = db.session.get(Trainee, trainee_b)
        assert trainee is not None and trainee.erased_at is None and not trainee.deleted


def test_the_data_copy_holds_the_trainees_records_and_nobody_elses(world: World, api: Api) -> None:
    trainer, province = world.device("trainer_a"), world.device("coord_p")
    trainee_id = world.ids["trainee_a"]
    api.sync(trainer, [op(trainer, "attendance", session_id=world.ids["session_a"], trainee_id=trainee_id,
                          status="present")])

    reply = api.request("GET", f"/api/v1/trainees/{trainee_id}/data-copy", token=province.token)

    assert reply.status == 200
    assert reply.headers["content-disposition"].startswith("attachment")
    assert reply.body["trainee"]["full_name"] == NAME and reply.body["trainee"]["birth_year"] == 1980
    assert [e["course_id"] for e in reply.body["enrollments"]] == [world.ids["course_a"]]
    assert [(a["session_id"], a["status"]) for a in reply.body["attendance"]] == [(world.ids["session_a"], "present")]
    assert "Giàng Thị B" not in reply.raw.decode()
