"""Ids holding a NUL or half a UTF-16 pair: no id has one, and PostgreSQL refuses to compare text
holding a NUL (psycopg raises before the query runs). Every such request is a clean 400 or 404 on
both databases, never a 500."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from tests.server.hostile.conftest import table_counts
from tests.server.protocol_client import Device, World

NUL = "0196f3a0-0000-7000-8000-0000000\x00dead"
QUERIES = {  # path: the query parameters that hold ids
    "/api/v1/courses": ("commune_id", "program_id"), "/api/v1/duplicates": ("commune_id",),
    "/api/v1/figures": ("area_id", "program_id"), "/api/v1/exports/figures.csv": ("area_id", "program_id"),
    "/api/v1/exports/roster.csv": ("course_id",), "/api/v1/exports/attendance-sheet.pdf": ("session_id",),
    "/api/v1/duplicates/preview": ("keep", "merge"), "/api/v1/checkins/roster": ("token",),
}
PATHS = [("GET", f"/api/v1/courses/{NUL}"), ("POST", f"/api/v1/devices/{NUL}/revoke"),
         ("POST", f"/api/v1/users/{NUL}/enrolment-codes"), ("GET", f"/api/v1/trainees/{NUL}/data-copy")]


def _bodies(register: World, phones: dict[str, Device]) -> dict[str, Any]:
    payload = json.dumps({"device_id": NUL, "created_at_ms": 1, "app_version": None, "ops": []})
    return {
        "/api/v1/webauthn/login": {"ceremony_id": NUL, "credential": {}},
        "/api/v1/webauthn/register": {"ceremony_id": NUL, "credential": {}},
        "/api/v1/webauthn/trainee/register": {"ceremony_id": "\ud800" * 3, "credential": {}},
        "/api/v1/webauthn/trainee/register/options": {"token": NUL, "trainee_id": register.ids["T1"]},
        "/api/v1/outbox-files": {"format": "fieldroll-outbox", "version": 1, "payload": payload,
                                 "signature": "0" * 64},
        "/api/v1/devices": {"code": "ABCDE\x00FGHJK"},
        "/api/v1/checkins": {"ops": [{"op_id": NUL}]},
        "/api/v1/sync": {"protocol": 1, "device_id": phones["coord_p"].id, "cursor": NUL, "app_version": NUL},
    }


def test_ids_with_a_nul_are_refused_cleanly(register: World, app: Flask, phones: dict[str, Device]) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {phones['coord_p'].token}"}
    before = table_counts(app)
    answers = []
    for path, names in QUERIES.items():
        for name in names:
            reply = client.get(path, query_string={"keep": register.ids["T1"], name: NUL}, headers=headers)
            answers.append((path, name, reply.status_code, reply.get_json()["error"]["code"]))
    for method, path in PATHS:
        reply = client.open(path, method=method, headers=headers)
        answers.append((path, "", reply.status_code, reply.get_json()["error"]["code"]))
    assert [a for a in answers if a[2:] != (400, "invalid_request")] == []
    for path, body in _bodies(register, phones).items():
        raw = json.dumps(body).encode()  # json escapes the lone surrogate, as a broken phone would send it
        reply = client.post(path, data=raw, headers={**headers, "Content-Type": "application/json"})
        if reply.status_code == 200:  # a check-in rejects its ops one by one
            assert [a["status"] for a in reply.get_json()["acks"]] == ["rejected"], path
        else:
            assert 400 <= reply.status_code < 500 and reply.get_json()["error"]["code"], path
    assert table_counts(app) == before
