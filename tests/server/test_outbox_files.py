"""A trainer's saved outbox, brought in by a coordinator, applies exactly as that phone's own sync."""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from server import admin
from server.extensions import db
from server.models import Attendance, Confirmation, Conflict, OpLog, RejectedOp, Trainee
from tests.server.confirmations import signed_confirmation
from tests.server.protocol_client import Api, Device, World, count_rows, op, outbox_file, sign_outbox_payload
from tests.server.soft_authenticator import SoftAuthenticator, checkin_token, register_trainee_passkey

NOT_A_STATUS = "status: must be one of present, late, absent, excused"


def _snapshot(world: World) -> tuple[int, ...]:
    return tuple(count_rows(world.app, model) for model in (OpLog, RejectedOp, Attendance, Trainee, Conflict))


def _day_offline(world: World, trainer: Device) -> list[dict[str, Any]]:
    """A walk-in trainee, a good attendance mark and a mistyped one."""
    keys = {"session_id": world.ids["session_a"], "trainee_id": world.ids["trainee_a"]}
    return [op(trainer, "trainee", str(uuid.uuid4()), full_name="Lò Văn Pó", commune_id=world.ids["commune_a"]),
            op(trainer, "attendance", status="present", **keys),
            op(trainer, "attendance", status="here", **keys)]


def test_a_coordinator_imports_a_trainers_file_as_that_phones_sync(world: World, api: Api) -> None:
    trainer, coordinator = world.device("trainer_a"), world.device("coord_a")
    ops = _day_offline(world, trainer)
    file = outbox_file(trainer, ops)

    first = api.upload_outbox(coordinator, file)
    assert first.status == 200, first.body
    assert first.body == {
        "device_id": trainer.id, "applied": 2, "duplicate": 0, "conflict": 0, "rejected": 1,
        "acks": [{"op_id": ops[0]["op_id"], "status": "applied"}, {"op_id": ops[1]["op_id"], "status": "applied"},
                 {"op_id": ops[2]["op_id"], "status": "rejected", "reason": NOT_A_STATUS}]}
    with world.app.app_context():
        assert {row.device_id for row in db.session.query(OpLog).filter(OpLog.op_id.in_(
            [o["op_id"] for o in ops]))} == {trainer.id}
        assert db.session.query(RejectedOp).one().device_id == trainer.id
        new_trainee = db.session.get(Trainee, ops[0]["id"])
        assert new_trainee is not None and new_trainee.origin_user_id == world.ids["trainer_a"]

    before = _snapshot(world)
    again = api.upload_outbox(coordinator, file)
    assert (again.body["applied"], again.body["duplicate"], again.body["rejected"]) == (0, 2, 1)
    assert _snapshot(world) == before
    # When the phone gets signal, its own sync of the same outbox changes nothing either.
    synced = api.sync(trainer, ops)
    assert [a["status"] for a in synced.body["acks"]] == ["duplicate", "duplicate", "rejected"]
    assert _snapshot(world) == before


def test_a_gzipped_file_counts_conflicts(world: World, api: Api) -> None:
    trainer, coordinator = world.device("trainer_a"), world.device("coord_p")
    trainer.skew_ms = 60_000
    keys = {"session_id": world.ids["session_a"], "trainee_id": world.ids["trainee_a"]}
    api.sync(coordinator, [op(coordinator, "attendance", status="absent", **keys)])
    reply = api.upload_outbox(coordinator, outbox_file(trainer, [op(trainer, "attendance", status="late", **keys)]),
                              gzip_body=True, accept_gzip=True)
    assert reply.status == 200 and reply.body["conflict"] == 1
    assert count_rows(world.app, Conflict) == 1


def test_an_admin_may_import_anyones_file(world: World, api: Api) -> None:
    world.user("an.admin", "admin")
    trainer = world.device("trainer_b")
    reply = api.upload_outbox(world.device("an.admin"), outbox_file(trainer, _day_offline(world, trainer)[:1]))
    assert reply.status == 200 and reply.body["applied"] == 1


def test_a_coordinator_carries_files_of_their_own_phones_and_of_people_of_their_area(
        world: World, api: Api) -> None:
    world.user("vang.trainer", "trainer", "commune_a")  # an area, no course yet
    coordinator = world.device("coord_a")
    for writer in (world.device("vang.trainer"), world.device("coord_a")):
        reply = api.upload_outbox(coordinator, outbox_file(writer, []))
        assert (reply.status, reply.body["device_id"]) == (200, writer.id)


def test_ops_are_checked_as_the_trainers_not_the_coordinators(world: World, api: Api) -> None:
    trainer, coordinator = world.device("trainer_a"), world.device("coord_p")
    other_course = op(trainer, "attendance", session_id=world.ids["session_b"], trainee_id=world.ids["trainee_b"],
                      status="present")
    reply = api.upload_outbox(coordinator, outbox_file(trainer, [other_course]))
    assert reply.body["acks"][0]["reason"] == "this course is not assigned to you"


def _file(world: World, trainer: Device) -> dict[str, Any]:
    return outbox_file(trainer, _day_offline(world, trainer))


def _altered(world: World, trainer: Device) -> dict[str, Any]:
    file = _file(world, trainer)
    return {**file, "payload": file["payload"].replace("present", "absent")}


def _signed_by_another_phone(world: World, trainer: Device) -> dict[str, Any]:
    file = _file(world, trainer)
    return {**file, "signature": sign_outbox_payload(world.device("trainer_b"), file["payload"])}


def _from_a_stranger(world: World, trainer: Device) -> dict[str, Any]:
    stranger = Device(str(uuid.uuid4()), secrets.token_urlsafe(32), str(uuid.uuid4()))
    return outbox_file(stranger, _day_offline(world, trainer))


def _resigned(payload_text: Callable[[dict[str, Any]], str]) -> Callable[[World, Device], dict[str, Any]]:
    """Make a file whose payload text was replaced, then properly signed again."""
    def make(world: World, trainer: Device) -> dict[str, Any]:
        file = _file(world, trainer)
        text = payload_text(json.loads(file["payload"]))
        return {**file, "payload": text, "signature": sign_outbox_payload(trainer, text)}
    return make


def _changed(**keys: Any) -> Callable[[World, Device], dict[str, Any]]:
    return lambda world, trainer: {**_file(world, trainer), **keys}


Make = Callable[[World, Device], "dict[str, Any] | bytes"]
BAD_UPLOADS: dict[str, tuple[str, Make, int, str]] = {
    "a trainer uploads": ("trainer_b", _file, 403, "not_a_coordinator"),
    "another commune's coordinator": ("coord_b", _file, 403, "outside_your_area"),
    "payload altered on the way": ("coord_a", _altered, 400, "bad_signature"),
    "signed by another phone": ("coord_a", _signed_by_another_phone, 400, "bad_signature"),
    "signature not hex": ("coord_a", _changed(signature="é" * 64), 400, "bad_signature"),
    "unknown phone": ("coord_a", _from_a_stranger, 404, "unknown_device"),
    "not an outbox file": ("coord_a", _changed(format="zalo-backup"), 400, "invalid_outbox_file"),
    "a newer file version": ("coord_a", _changed(version=2), 400, "invalid_outbox_file"),
    "no signature": ("coord_a", lambda w, t: {k: v for k, v in _file(w, t).items() if k != "signature"},
                     400, "invalid_outbox_file"),
    "payload not JSON": ("coord_a", _resigned(lambda p: '{"ops": ['), 400, "invalid_outbox_file"),
    "payload without ops": ("coord_a", _resigned(lambda p: json.dumps({k: v for k, v in p.items() if k != "ops"})),
                            400, "invalid_outbox_file"),
    "payload with an unknown key": ("coord_a", _resigned(lambda p: json.dumps({**p, "extra": 1})),
                                    400, "invalid_outbox_file"),
    "body not JSON": ("coord_a", lambda w, t: b"{not json", 400, "invalid_outbox_file"),
    "body a JSON array": ("coord_a", lambda w, t: b"[]", 400, "invalid_outbox_file"),
}


@pytest.mark.parametrize("case", BAD_UPLOADS.values(), ids=BAD_UPLOADS.keys())
def test_a_refused_file_says_why_and_changes_nothing(world: World, api: Api,
                                                    case: tuple[str, Make, int, str]) -> None:
    world.user("coord_b", "coordinator", "commune_b")
    uploader_name, make, status, code = case
    trainer = world.device("trainer_a")
    body = make(world, trainer)
    uploader = world.device(uploader_name)
    before = _snapshot(world)
    if isinstance(body, bytes):
        reply = api.request("POST", "/api/v1/outbox-files", raw=body, token=uploader.token)
    else:
        reply = api.upload_outbox(uploader, body)
    assert (reply.status, reply.error_code) == (status, code), reply.body
    assert reply.body["error"]["message"]
    assert _snapshot(world) == before


def test_a_revoked_phones_file_is_refused(world: World, api: Api) -> None:
    trainer, coordinator = world.device("trainer_a"), world.device("coord_a")
    file = outbox_file(trainer, _day_offline(world, trainer))
    with world.app.app_context():
        admin.revoke_device(trainer.id)
    before = _snapshot(world)
    reply = api.upload_outbox(coordinator, file)
    assert (reply.status, reply.error_code) == (403, "source_device_revoked")
    assert _snapshot(world) == before


def test_uploading_needs_a_live_device_token(world: World, api: Api) -> None:
    trainer = world.device("trainer_a")
    reply = api.request("POST", "/api/v1/outbox-files", outbox_file(trainer, []))
    assert (reply.status, reply.error_code) == (401, "missing_token")


def test_a_file_with_too_many_ops_is_refused_whole(world: World, api: Api) -> None:
    world.app.config["MAX_OPS_PER_OUTBOX_FILE"] = 2
    trainer, coordinator = world.device("trainer_a"), world.device("coord_a")
    before = _snapshot(world)
    reply = api.upload_outbox(coordinator, outbox_file(trainer, _day_offline(world, trainer)))
    assert (reply.status, reply.error_code) == (400, "invalid_outbox_file")
    assert reply.body["error"]["details"]["fields"] == {"ops": ["at most 2 ops per file"]}
    assert _snapshot(world) == before


def test_import_outbox_command_applies_a_file_and_prints_the_counts(world: World, api: Api, tmp_path: Path) -> None:
    trainer = world.device("trainer_a")
    ops = _day_offline(world, trainer)
    path = tmp_path / "fieldroll-trainer_a-202611231400.json"
    path.write_text(json.dumps(outbox_file(trainer, ops, created_at_ms=1795444286489)))
    runner = world.app.test_cli_runner()
    first = runner.invoke(args=["import-outbox", str(path)])
    assert first.exit_code == 0, first.output
    assert f"file from device {trainer.id} (app 0.1.0), saved 2026-11-23" in first.output
    assert f"rejected {ops[2]['op_id']}: {NOT_A_STATUS}" in first.output
    assert first.output.strip().endswith("2 applied, 0 duplicate, 0 conflict, 1 rejected")
    again = runner.invoke(args=["import-outbox", str(path)])
    assert again.output.strip().endswith("0 applied, 2 duplicate, 0 conflict, 1 rejected")


def test_import_outbox_command_refuses_an_altered_file(world: World, tmp_path: Path) -> None:
    trainer = world.device("trainer_a")
    file = outbox_file(trainer, _day_offline(world, trainer))
    path = tmp_path / "outbox.json"
    path.write_text(json.dumps({**file, "payload": file["payload"].replace("Pó", "Pò")}))
    before = _snapshot(world)
    result = world.app.test_cli_runner().invoke(args=["import-outbox", str(path)])
    assert result.exit_code != 0 and "changed on the way" in result.output
    assert _snapshot(world) == before


def test_import_outbox_command_checks_relayed_passkey_confirmations_only_when_told_the_origin(
        world: World, api: Api, live_url: str, tmp_path: Path) -> None:
    session_id, trainee_id = world.ids["session_a"], world.ids["trainee_a"]
    phone = SoftAuthenticator(live_url)
    token = checkin_token(world.app, session_id)
    credential_id = register_trainee_passkey(api, phone, token, trainee_id)
    relayed = signed_confirmation(phone, credential_id, token, session_id, trainee_id)
    trainer = world.device("trainer_a")
    path = tmp_path / "outbox.json"
    path.write_text(json.dumps(outbox_file(trainer, [relayed])))
    before = _snapshot(world)

    unsure = world.app.test_cli_runner().invoke(args=["import-outbox", str(path)])

    assert unsure.exit_code != 0 and "FIELDROLL_WEBAUTHN_RP_ID" in unsure.output
    assert _snapshot(world) == before
    world.app.config.update(WEBAUTHN_RP_ID="localhost", WEBAUTHN_ORIGINS=[live_url])
    told = world.app.test_cli_runner().invoke(args=["import-outbox", str(path)])
    assert told.exit_code == 0, told.output
    with world.app.app_context():
        row = db.session.get(Confirmation, relayed["id"])
        assert row is not None and row.verification == "verified"
