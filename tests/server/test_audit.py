"""The audit log: every administrative and security action is recorded with who, from where, on what;
never a name or phone number; in the action's own transaction; shown to managers by area."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from server import admin
from server.devices.manage import revoke_in_area
from server.extensions import db
from server.models import AuditEntry, Device, Trainee
from server.scope import actor_for
from server.sql_store import now_utc
from tests.server.protocol_client import Api, World, count_rows, op, outbox_file
from tests.server.soft_authenticator import SoftAuthenticator, checkin_token, register_trainee_passkey
from tests.server.spreadsheets import VI_HEADERS, upload, xlsx_file
from tests.server.test_webauthn import login, register_staff_passkey

IMPORTED = [
    [1, "Giàng Thị Mỷ", "Nữ", "1986", "H'Mông", "Tả Trung Hồ", "0912345678", "HTX Bản Hồ", "C-A", "có"],
    [2, "Lò Văn Đức", "Nam", "1990", "Thái", "Bản Dền", "0987654321", "", "C-A", "có"],
]


def audit_entries(app: Flask) -> list[AuditEntry]:
    with app.app_context():
        found = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        db.session.expunge_all()
        return found


def test_every_action_is_recorded_with_ids_and_counts_never_names_or_phones(
        world: World, api: Api, live_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    app, ids = world.app, world.ids
    coordinator, trainer = world.device("coord_a"), world.device("trainer_a")
    # A coordinator imports a list with names and phones, downloads the roster, brings an outbox file.
    reply = upload(api, coordinator, xlsx_file([VI_HEADERS, *IMPORTED]), dry_run=False, course_id=ids["course_a"])
    assert reply.status == 200 and reply.body["imported"] == 2, reply.body
    for path in (f"/api/v1/exports/roster.csv?course_id={ids['course_a']}",
                 f"/api/v1/exports/attendance-sheet.pdf?session_id={ids['session_a']}",
                 f"/api/v1/exports/figures.csv?area_id={ids['commune_a']}"):
        assert api.request("GET", path, token=coordinator.token).status == 200, path
    marks = [op(trainer, "attendance", session_id=ids["session_a"], trainee_id=ids["trainee_a"], status="present")]
    assert api.upload_outbox(coordinator, outbox_file(trainer, marks)).status == 200
    # Passkeys: a trainer registers one and signs in with it; a trainee registers one to check in.
    authenticator = SoftAuthenticator(live_url)
    credential_id = register_staff_passkey(api, trainer, authenticator)
    signed_in = login(api, authenticator, label="laptop")
    assert signed_in.status == 201
    register_trainee_passkey(api, SoftAuthenticator(live_url), checkin_token(app, ids["session_a"]), ids["trainee_a"])
    # The coordinator recovers and revokes a phone; the command line adds, assigns, issues, revokes.
    recovery = api.request("POST", f"/api/v1/users/{ids['trainer_a']}/enrolment-codes", token=coordinator.token)
    assert recovery.status == 201
    assert api.request("POST", f"/api/v1/devices/{trainer.id}/revoke", token=coordinator.token).status == 200
    with app.app_context():
        admin.add_user("vu.trainer", "trainer", None)
        admin.assign_trainer("vu.trainer", ids["course_b"])
        admin.enrolment_code_for("vu.trainer")
        admin.revoke_device(signed_in.body["device_id"])

    entries = audit_entries(app)
    by_action = {e.action: e for e in entries}
    assert set(by_action) == {
        "user.added", "enrolment_code.issued", "device.enrolled", "spreadsheet.imported", "export.downloaded",
        "outbox_file.imported", "passkey.registered", "passkey.signed_in", "device.revoked", "trainer.assigned"}
    imported = by_action["spreadsheet.imported"]
    assert (imported.actor_user_id, imported.actor_device_id, imported.target_id, imported.details) == (
        ids["coord_a"], coordinator.id, ids["course_a"], {"imported": 2, "enrolled": 2})
    carried = by_action["outbox_file.imported"]
    assert (carried.actor_user_id, carried.actor_device_id, carried.target_id, carried.subject_user_id) == (
        ids["coord_a"], coordinator.id, trainer.id, ids["trainer_a"])
    assert carried.details == {"applied": 1, "duplicate": 0, "conflict": 0, "rejected": 0}
    downloads = [(e.actor_user_id, e.details["file"], e.target_id) for e in entries if e.action == "export.downloaded"]
    assert downloads == [(ids["coord_a"], "roster.csv", ids["course_a"]),
                         (ids["coord_a"], "attendance-sheet.pdf", ids["session_a"]),
                         (ids["coord_a"], "figures.csv", ids["commune_a"])]
    revoked = [(e.actor_user_id, e.target_id) for e in entries if e.action == "device.revoked"]
    assert revoked == [(ids["coord_a"], trainer.id), ("server", signed_in.body["device_id"])]
    assert next(e.target_id for e in entries if e.action == "passkey.registered") == credential_id
    assert by_action["passkey.signed_in"].actor_device_id == signed_in.body["device_id"]

    with app.app_context():
        people = [(t.full_name, t.phone, t.birth_year) for t in db.session.scalars(select(Trainee))]
    assert {"Giàng Thị Mỷ", "Giàng Thị A"} <= {name for name, _, _ in people}
    secrets = [text for name, phone, _ in people for text in (name, phone) if text]
    years = {year for _, _, year in people if year}
    for entry in entries:
        written = json.dumps([entry.action, entry.actor_user_id, entry.actor_device_id, entry.subject_user_id,
                              entry.target_id, entry.details], ensure_ascii=False)
        assert not [s for s in secrets if s in written], written
        assert not years & set(entry.details.values()), entry.details
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert not [s for s in secrets if s in logged]


def test_an_action_rolled_back_leaves_no_entry(world: World) -> None:
    trainer = world.device("trainer_a")
    before = len(audit_entries(world.app))
    with world.app.app_context():
        boss = actor_for(admin.find_user("coord_p"))
        revoke_in_area(boss, trainer.id)
        db.session.rollback()
        assert db.session.get(Device, trainer.id).revoked_at is None  # type: ignore[union-attr]
    assert len(audit_entries(world.app)) == before
    with world.app.app_context():
        revoke_in_area(actor_for(admin.find_user("coord_p")), trainer.id)
        db.session.commit()
    assert [e.action for e in audit_entries(world.app)][before:] == ["device.revoked"]


def test_details_with_a_name_in_them_are_refused(app: Flask) -> None:
    from server import audit

    with app.app_context(), pytest.raises(ValueError, match="ids and counts only"):
        audit.record("export.downloaded", "server", details={"file": "Giàng Thị A"})


def test_managers_see_the_entries_of_their_area_trainers_are_refused(world: World, api: Api) -> None:
    ids = world.ids
    coord_a, coord_p, trainer_a, trainer_b = (world.device(n) for n in ("coord_a", "coord_p", "trainer_a", "trainer_b"))
    assert api.request("POST", f"/api/v1/devices/{trainer_b.id}/revoke", token=coord_p.token).status == 200
    boss_id = world.user("an.admin", "admin")
    boss_device = world.device("an.admin")

    def seen(device: object, query: str = "") -> list[dict[str, object]]:
        reply = api.request("GET", f"/api/v1/audit{query}", token=device.token)  # type: ignore[attr-defined]
        assert reply.status == 200, reply.body
        return list(reply.body["entries"])

    everything = seen(boss_device, "?limit=1000")
    assert len(everything) == count_rows(world.app, AuditEntry) > 10
    assert [e["id"] for e in everything] == sorted((e["id"] for e in everything), reverse=True)
    local = seen(coord_a, "?limit=1000")
    about = {e["subject_user_id"] for e in local} | {e["actor_user_id"] for e in local}
    assert {ids["trainer_a"], ids["coord_a"]} <= about
    assert ids["trainer_b"] not in about and boss_id not in about
    province = seen(coord_p, "?limit=1000")
    assert any(e["action"] == "device.revoked" and e["target_id"] == trainer_b.id for e in province)
    assert len(province) < len(everything)
    assert seen(boss_device, "?limit=2") == everything[:2]
    future = (now_utc() + timedelta(hours=1)).isoformat() + "Z"
    assert seen(boss_device, f"?since={future}") == []
    since = everything[0]["at"]
    assert seen(boss_device, f"?since={str(since).replace('+', '%2B')}")[0] == everything[0]
    refused = api.request("GET", "/api/v1/audit", token=trainer_a.token)
    assert (refused.status, refused.error_code) == (403, "not_a_coordinator")
    for bad in ("?since=yesterday", "?limit=0", "?limit=5000"):
        reply = api.request("GET", f"/api/v1/audit{bad}", token=boss_device.token)
        assert (reply.status, reply.error_code) == (400, "invalid_request"), bad


def test_the_audit_command_prints_tab_separated_lines_newest_first(world: World) -> None:
    trainer = world.device("trainer_a")
    with world.app.app_context():
        admin.revoke_device(trainer.id)
    runner = world.app.test_cli_runner()
    result = runner.invoke(args=["audit", "--limit", "2"])
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.strip().splitlines()]
    assert [len(line) for line in lines] == [7, 7]
    assert lines[0][1:6] == ["device.revoked", "server", "-", trainer.user_id, trainer.id]
    assert lines[1][1] == "device.enrolled" and json.loads(lines[1][6]) == {"via": "enrolment_code"}
    assert datetime.fromisoformat(lines[0][0]) >= datetime.fromisoformat(lines[1][0])
    tomorrow = (now_utc() + timedelta(days=1)).strftime("%Y-%m-%d")
    later = runner.invoke(args=["audit", "--since", tomorrow])
    assert later.exit_code == 0 and later.output == ""
