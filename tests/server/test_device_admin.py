"""Coordinators look after the phones of their area: list, revoke, and a new enrolment code for recovery."""

from __future__ import annotations

from server.extensions import db
from server.models import Device as DeviceRow
from server.models import OpLog
from tests.server.protocol_client import Api, Device, World, count_rows, op


def phones(world: World) -> dict[str, Device]:
    return {name: world.device(name) for name in ("trainer_a", "trainer_b", "coord_a", "coord_p")}


def listed(api: Api, device: Device) -> list[dict[str, object]]:
    reply = api.request("GET", "/api/v1/devices", token=device.token)
    assert reply.status == 200, reply.body
    return list(reply.body["devices"])


def test_a_coordinator_lists_only_the_phones_of_their_area_latest_sync_first(world: World, api: Api) -> None:
    devices = phones(world)
    api.sync(devices["trainer_b"], app_version="0.4.0", pending_ops=3)
    api.sync(devices["trainer_a"], app_version="0.4.1", pending_ops=0)

    commune = listed(api, devices["coord_a"])
    province = listed(api, devices["coord_p"])

    # The commune's coordinator: the trainer of the commune's course, and their own phone.
    assert [d["id"] for d in commune] == [devices["trainer_a"].id, devices["coord_a"].id]
    first = commune[0]
    assert first["owner"] == {"id": world.ids["trainer_a"], "name": "trainer_a", "role": "trainer"}
    assert (first["label"], first["app_version"], first["pending_ops"], first["revoked_at"]) == \
        ("test phone", "0.4.1", 0, None)
    assert str(first["enrolled_at"]).endswith("+00:00") and str(first["last_sync_at"]).endswith("+00:00")
    assert commune[1]["last_sync_at"] is None
    # The province's coordinator sees the whole province, the latest sync first.
    assert [d["id"] for d in province][:2] == [devices["trainer_a"].id, devices["trainer_b"].id]
    assert {d["id"] for d in province} == {d.id for d in devices.values()}


def test_a_trainer_may_not_list_or_revoke_devices_or_make_codes(world: World, api: Api) -> None:
    trainer = world.device("trainer_a")
    for method, path in (("GET", "/api/v1/devices"), ("POST", f"/api/v1/devices/{trainer.id}/revoke"),
                         ("POST", f"/api/v1/users/{world.ids['trainer_a']}/enrolment-codes")):
        reply = api.request(method, path, token=trainer.token)
        assert (reply.status, reply.error_code) == (403, "not_a_coordinator"), path
    with world.app.app_context():
        row = db.session.get(DeviceRow, trainer.id)
        assert row is not None and row.revoked_at is None


def test_a_revoked_phone_applies_none_of_the_ops_it_sends_and_is_told_to_wipe(world: World, api: Api) -> None:
    devices = phones(world)
    lost = devices["trainer_a"]
    reply = api.request("POST", f"/api/v1/devices/{lost.id}/revoke", token=devices["coord_a"].token)
    assert reply.status == 200, reply.body
    assert reply.body["id"] == lost.id and reply.body["revoked_at"] is not None
    before = count_rows(world.app, OpLog)

    marks = [op(lost, "attendance", session_id=world.ids["session_a"], trainee_id=world.ids["trainee_a"],
                status=status) for status in ("present", "late")]
    refused = api.sync(lost, marks)

    assert (refused.status, refused.error_code) == (401, "device_revoked")
    assert refused.body["error"]["details"] == {"wipe": True}
    assert count_rows(world.app, OpLog) == before
    again = api.request("POST", f"/api/v1/devices/{lost.id}/revoke", token=devices["coord_p"].token)
    assert again.body["revoked_at"] == reply.body["revoked_at"]  # the first revocation stands


def test_a_phone_outside_the_area_or_unknown_is_not_found_and_left_alone(world: World, api: Api) -> None:
    devices = phones(world)
    coordinator = devices["coord_a"]
    for device_id in (devices["trainer_b"].id, devices["coord_p"].id, "no-such-device"):
        reply = api.request("POST", f"/api/v1/devices/{device_id}/revoke", token=coordinator.token)
        assert (reply.status, reply.error_code) == (404, "unknown_device")
    with world.app.app_context():
        assert db.session.query(DeviceRow).filter(DeviceRow.revoked_at.is_not(None)).count() == 0
    assert api.sync(devices["trainer_b"]).status == 200


def test_a_recovery_code_from_the_coordinator_enrols_a_new_phone(world: World, api: Api, live_url: str) -> None:
    coordinator = world.device("coord_a")
    reply = api.request("POST", f"/api/v1/users/{world.ids['trainer_a']}/enrolment-codes", token=coordinator.token)
    assert reply.status == 201, reply.body
    code = reply.body["code"]
    assert reply.body["link"] == f"{live_url}/#/enrol/{code}"

    enrolled = api.request("POST", "/api/v1/devices", {"code": code, "label": "new phone"})
    assert enrolled.status == 201 and enrolled.body["user"]["id"] == world.ids["trainer_a"]
    new_phone = Device(enrolled.body["device_id"], enrolled.body["token"], world.ids["trainer_a"])
    assert api.sync(new_phone).status == 200

    elsewhere = api.request("POST", f"/api/v1/users/{world.ids['trainer_b']}/enrolment-codes",
                            token=coordinator.token)
    unknown = api.request("POST", "/api/v1/users/nobody/enrolment-codes", token=coordinator.token)
    assert (elsewhere.status, elsewhere.error_code) == (404, "unknown_user")
    assert (unknown.status, unknown.error_code) == (404, "unknown_user")


def test_a_trainer_whose_only_course_here_was_deleted_is_no_longer_the_coordinators(world: World, api: Api) -> None:
    devices = phones(world)
    coordinator = devices["coord_a"]
    rev = api.pull_all(coordinator)[0][("course", world.ids["course_a"])]["rev"]
    acks = api.sync(coordinator, [op(coordinator, "course", world.ids["course_a"], rev, kind="delete")]).body["acks"]
    assert acks[0]["status"] == "applied", acks
    assert [d["id"] for d in listed(api, coordinator)] == [coordinator.id]
    reply = api.request("POST", f"/api/v1/devices/{devices['trainer_a'].id}/revoke", token=coordinator.token)
    assert (reply.status, reply.error_code) == (404, "unknown_device")
