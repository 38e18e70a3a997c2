"""Device enrolment with one-time codes, device check-ins, and revoked devices told to wipe."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from server import admin
from server.extensions import db
from server.models import Device, EnrolmentCode, OpLog
from server.sql_store import now_utc
from tests.server.protocol_client import Api, World, count_rows, op


def test_a_code_enrols_one_device_once(world: World, api: Api) -> None:
    with world.app.app_context():
        code = admin.enrolment_code_for("trainer_a")
    typed = code.lower().replace("-", " ")  # however the trainer typed it
    first = api.request("POST", "/api/v1/devices", {"code": typed, "label": "Điện thoại của Tuấn"})
    second = api.request("POST", "/api/v1/devices", {"code": code})
    assert first.status == 201 and first.body["user"]["role"] == "trainer"
    assert (second.status, second.error_code) == (400, "invalid_enrolment_code")
    assert count_rows(world.app, Device) == 1


def test_an_expired_code_is_refused(world: World, api: Api) -> None:
    with world.app.app_context():
        code = admin.enrolment_code_for("trainer_a")
        entry = db.session.query(EnrolmentCode).one()
        entry.expires_at = now_utc() - timedelta(seconds=1)
        db.session.commit()
    reply = api.request("POST", "/api/v1/devices", {"code": code})
    assert (reply.status, reply.error_code) == (400, "invalid_enrolment_code")
    assert count_rows(world.app, Device) == 0


def test_a_malformed_enrolment_request_is_400(world: World, api: Api) -> None:
    for body in ({}, {"code": 12345678}, {"code": "ABCDE-FGHJK", "admin": True}):
        reply = api.request("POST", "/api/v1/devices", body)
        assert (reply.status, reply.error_code) == (400, "invalid_request")
    assert count_rows(world.app, Device) == 0


def test_a_sync_records_when_and_what_the_device_reported(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    api.sync(device, app_version="0.3.1", pending_ops=12)
    with world.app.app_context():
        row = db.session.get(Device, device.id)
        assert row is not None
        assert (row.app_version, row.pending_ops) == ("0.3.1", 12)
        assert row.last_sync_at is not None
    api.sync(device)  # an app that does not say keeps its version; its outbox size is unknown
    with world.app.app_context():
        row = db.session.get(Device, device.id)
        assert row is not None and (row.app_version, row.pending_ops) == ("0.3.1", None)


def test_a_revoked_device_is_refused_told_to_wipe_and_nothing_it_sends_applies(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    result = world.app.test_cli_runner().invoke(args=["device", "revoke", device.id])
    assert result.exit_code == 0, result.output
    listed = world.app.test_cli_runner().invoke(args=["device", "list"]).output
    assert f"{device.id}\ttrainer_a\tnever\t-\trevoked" in listed
    before = count_rows(world.app, OpLog)
    reply = api.sync(device, [op(device, "attendance", session_id=world.ids["session_a"],
                                 trainee_id=world.ids["trainee_a"], status="present")])
    assert (reply.status, reply.error_code) == (401, "device_revoked")
    assert reply.body["error"]["details"] == {"wipe": True}
    assert count_rows(world.app, OpLog) == before


def test_phones_enrolling_at_the_same_moment_all_get_their_token(world: World, api: Api) -> None:
    # A training day starts with a room of trainers enrolling at once, each request in its own thread.
    with world.app.app_context():
        codes = [admin.enrolment_code_for(name) for name in ("trainer_a", "trainer_b", "coord_a", "coord_p") * 3]
    start = threading.Barrier(len(codes))

    def enrol(code: str) -> int:
        start.wait()
        return api.request("POST", "/api/v1/devices", {"code": code}).status

    with ThreadPoolExecutor(len(codes)) as pool:
        statuses = list(pool.map(enrol, codes))
    assert statuses == [201] * len(codes)
    assert count_rows(world.app, Device) == len(codes)
