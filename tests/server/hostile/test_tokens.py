"""Tokens: on every endpoint that needs a device, a forged, tampered, revoked or misplaced token
is a 401 with a clear code and changes nothing. Device tokens do not expire (server/devices/tokens.py):
a phone offline for weeks must still sync; a lost one is revoked. Trainees' check-in codes: codes of
a deleted session, another session or a forged secret get no roster and no passkey ceremony."""

from __future__ import annotations

import re
import secrets
from typing import Any

import pytest
from flask import Flask

from server.openapi import build_spec
from tests.server.dashboard_register import TRAINEES
from tests.server.hostile.conftest import leaked, table_counts
from tests.server.protocol_client import Device, World
from tests.server.soft_authenticator import checkin_token

pytestmark = pytest.mark.usefixtures("register")


def api_routes(app: Flask) -> list[tuple[str, str]]:
    """Every (method, path) the app serves under /api/v1, path parameters filled with a made-up id."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            path = re.sub(r"<(?:\w+:)?(\w+)>", "0196f3a0-0000-7000-8000-00000000dead", rule.rule)
            routes += [(method, path) for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})]
    return routes


def call(app: Flask, method: str, path: str, headers: dict[str, str]) -> Any:
    return app.test_client().open(path, method=method, data=b"{}",
                                  headers={"Content-Type": "application/json", **headers})


def guarded_routes(app: Flask) -> list[tuple[str, str]]:
    """The routes that refuse a request without a token."""
    return [(m, p) for m, p in api_routes(app) if call(app, m, p, {}).status_code == 401]


def test_the_routes_that_need_a_device_are_those_the_document_says(app: Flask) -> None:
    secured = {(method.upper(), re.sub(r"\{\w+\}", "0196f3a0-0000-7000-8000-00000000dead", path))
               for path, methods in build_spec()["paths"].items()
               for method, operation in methods.items() if operation.get("security")}
    assert set(guarded_routes(app)) == secured


def _forgeries(real: str) -> dict[str, tuple[dict[str, str], str]]:
    flipped = ("A" if real[0] != "A" else "B") + real[1:]
    return {
        "no header": ({}, "missing_token"),
        "empty bearer": ({"Authorization": "Bearer "}, "missing_token"),
        "another scheme": ({"Authorization": f"Basic {real}"}, "missing_token"),
        "lower-case scheme": ({"Authorization": f"bearer {real}"}, "missing_token"),
        "random, right-shaped": ({"Authorization": f"Bearer {secrets.token_urlsafe(32)}"}, "invalid_token"),
        "one character changed": ({"Authorization": f"Bearer {flipped}"}, "invalid_token"),
        "real token plus a suffix": ({"Authorization": f"Bearer {real}x"}, "invalid_token"),
        "real token cut short": ({"Authorization": f"Bearer {real[:-1]}"}, "invalid_token"),
        "the token's stored hash": ({"Authorization": f"Bearer {'0' * 64}"}, "invalid_token"),
        "sql in the token": ({"Authorization": "Bearer ' OR '1'='1"}, "invalid_token"),
        "a huge token": ({"Authorization": f"Bearer {'x' * 6000}"}, "invalid_token"),
    }


def test_forged_and_tampered_tokens_are_401_on_every_guarded_route(app: Flask, phones: dict[str, Device]) -> None:
    routes = guarded_routes(app)
    before = table_counts(app)
    for name, (headers, code) in _forgeries(phones["admin"].token).items():
        for method, path in routes:
            reply = call(app, method, path, headers)
            body = reply.get_json()
            assert (reply.status_code, body["error"]["code"]) == (401, code), (name, method, path)
            assert body["error"]["message"] and not leaked(reply.get_data(), [n for n, *_ in TRAINEES.values()])
    assert table_counts(app) == before


def test_a_revoked_token_is_401_told_to_wipe_on_every_guarded_route(register: World, app: Flask,
                                                                     phones: dict[str, Device]) -> None:
    lost = register.device("coord_a")  # a coordinator's second phone, lost
    admin = {"Authorization": f"Bearer {phones['admin'].token}"}
    revoke = call(app, "POST", f"/api/v1/devices/{lost.id}/revoke", admin)
    assert revoke.status_code == 200
    routes = guarded_routes(app)
    before = table_counts(app)
    for method, path in routes:
        reply = call(app, method, path, {"Authorization": f"Bearer {lost.token}"})
        error = reply.get_json()["error"]
        assert (reply.status_code, error["code"], error["details"]) == (401, "device_revoked", {"wipe": True}), path
    assert table_counts(app) == before
    still = call(app, "GET", "/api/v1/devices", {"Authorization": f"Bearer {phones['coord_a'].token}"})
    assert still.status_code == 200  # the same person's other phone is untouched


def test_a_revoked_coordinator_phone_cannot_revoke_or_make_codes(register: World, app: Flask,
                                                                 phones: dict[str, Device]) -> None:
    stolen = phones["coord_a"]
    assert call(app, "POST", f"/api/v1/devices/{stolen.id}/revoke",
                {"Authorization": f"Bearer {phones['coord_p'].token}"}).status_code == 200
    before = table_counts(app)
    victim = phones["trainer_a"]
    attempts = [call(app, "POST", f"/api/v1/devices/{victim.id}/revoke", {"Authorization": f"Bearer {stolen.token}"}),
                call(app, "POST", f"/api/v1/users/{register.ids['trainer_a']}/enrolment-codes",
                     {"Authorization": f"Bearer {stolen.token}"})]
    assert [(r.status_code, r.get_json()["error"]["code"]) for r in attempts] == [(401, "device_revoked")] * 2
    assert table_counts(app) == before
    synced = call(app, "POST", "/api/v1/sync", {"Authorization": f"Bearer {victim.token}"})
    assert synced.get_json()["error"]["code"] == "invalid_request"  # the victim's token still works


def test_check_in_codes_of_a_deleted_or_another_session_open_nothing(register: World, app: Flask) -> None:
    client = app.test_client()
    ids = register.ids
    before = table_counts(app)
    deleted = client.get("/api/v1/checkins/roster", query_string={"token": str(checkin_token(app, ids["S5"]))})
    assert (deleted.status_code, deleted.get_json()["error"]["code"]) == (400, "invalid_checkin_token")
    commune_b = client.get("/api/v1/checkins/roster", query_string={"token": str(checkin_token(app, ids["S8"]))})
    assert commune_b.status_code == 200
    assert not leaked(commune_b.get_data(), ["Giàng Thị Mai", "Lò Văn Tiến", "Hoàng Thị Thu"])  # K1's trainees
    attempts = {
        "another session's code": (checkin_token(app, ids["S8"]), ids["T1"], 2000, (403, "not_on_roster")),
        "a forged secret": (checkin_token(app, ids["S1"], secret="B" * 43), ids["T1"], 2000,
                            (400, "invalid_checkin_token")),
        "a deleted session": (checkin_token(app, ids["S5"]), ids["T1"], 2000, (400, "invalid_checkin_token")),
        "a stale code": (checkin_token(app, ids["S1"], windows_ago=3), ids["T1"], 2000,
                         (400, "invalid_checkin_token")),
        "a wrong birth year": (checkin_token(app, ids["S1"]), ids["T1"], 1999, (403, "birth_year_mismatch")),
    }
    for name, (token, trainee, born, expected) in attempts.items():
        reply = client.post("/api/v1/webauthn/trainee/register/options",
                            json={"token": str(token), "trainee_id": trainee, "birth_year": born})
        assert (reply.status_code, reply.get_json()["error"]["code"]) == expected, name
        assert not leaked(reply.get_data(), [n for n, *_ in TRAINEES.values()])
    assert table_counts(app) == before
