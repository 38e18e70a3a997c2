"""Rate limits on sign-in, enrolment codes, trainee passkeys and check-in: per address, per
fixed window, counted in the database so every worker sees the same counts."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from server import admin, rate_limits
from server.extensions import db
from server.models import Device, EnrolmentCode, RateLimitHit, User
from server.openapi import build_spec
from tests.server.conftest import app_for

LIMIT = 3
WINDOW_S = 600
START_S = 1_800_000_000  # the start of a window: a multiple of WINDOW_S
VILLAGE, OTHER = "203.0.113.7", "198.51.100.9"
SETTINGS = {"RATE_LIMIT_WINDOW_S": WINDOW_S, "RATE_LIMIT_SIGN_IN": LIMIT, "RATE_LIMIT_ENROLMENT": LIMIT,
            "RATE_LIMIT_TRAINEE_PASSKEY": LIMIT, "RATE_LIMIT_CHECKIN": LIMIT}
# One request per guarded endpoint, each wrong on purpose: failures count as much as successes.
GUARDED = [
    ("POST", "/api/v1/devices", {"code": "WRONG-CODE1"}),
    ("POST", "/api/v1/webauthn/login/options", {}),
    ("POST", "/api/v1/webauthn/login", {}),
    ("POST", "/api/v1/webauthn/trainee/register/options", {}),
    ("POST", "/api/v1/webauthn/trainee/register", {}),
    ("GET", "/api/v1/checkins/roster?token=nope", None),
    ("POST", "/api/v1/checkins", {}),
]


class Clock:
    def __init__(self) -> None:
        self.now_s = START_S + 100.0

    def __call__(self) -> float:
        return self.now_s


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(rate_limits, "now_s", clock)
    return clock


@pytest.fixture
def limited_app(database_url: str) -> Iterator[Flask]:
    app = app_for(database_url, **SETTINGS)
    yield app
    with app.app_context():
        db.engine.dispose()


def call(client: FlaskClient, method: str, path: str, body: Any, address: str = VILLAGE) -> TestResponse:
    return client.open(path, method=method, json=body, environ_base={"REMOTE_ADDR": address})


def enrol(client: FlaskClient, code: str, address: str = VILLAGE) -> TestResponse:
    return call(client, "POST", "/api/v1/devices", {"code": code}, address)


def new_code(app: Flask, user: str = "tuan.trainer") -> str:
    with app.app_context():
        if db.session.query(User).filter_by(name=user).one_or_none() is None:
            admin.add_user(user, "trainer", None)
        return admin.enrolment_code_for(user)


def devices(app: Flask) -> int:
    with app.app_context():
        return db.session.query(Device).count()


@pytest.mark.parametrize(("method", "path", "body"), GUARDED, ids=[path for _, path, _ in GUARDED])
def test_the_attempt_after_the_limit_is_refused_429_with_retry_after(
        limited_app: Flask, clock: Clock, method: str, path: str, body: Any) -> None:
    client = limited_app.test_client()
    allowed = [call(client, method, path, body).status_code for _ in range(LIMIT)]
    refused = call(client, method, path, body)
    assert 429 not in allowed
    assert refused.status_code == 429
    error = (refused.json or {})["error"]
    assert (error["code"], error["details"]) == ("too_many_attempts", {"retry_after_s": WINDOW_S - 100})
    assert "wait" in error["message"]
    assert refused.headers["Retry-After"] == str(WINDOW_S - 100)


def test_a_refused_redemption_spends_no_code_and_makes_no_device(limited_app: Flask, clock: Clock) -> None:
    client = limited_app.test_client()
    for _ in range(LIMIT):
        assert enrol(client, "WRONG-CODE1").status_code == 400
    code = new_code(limited_app)
    assert enrol(client, code).status_code == 429
    with limited_app.app_context():
        assert db.session.query(EnrolmentCode).one().used_at is None
    assert devices(limited_app) == 0
    # The same code still works, from another address now, or from this one in the next window.
    assert enrol(client, code, OTHER).status_code == 201
    assert devices(limited_app) == 1


def test_another_address_is_not_held_back(limited_app: Flask, clock: Clock) -> None:
    client = limited_app.test_client()
    for _ in range(LIMIT + 2):
        enrol(client, "WRONG-CODE1")
    assert enrol(client, "WRONG-CODE1", OTHER).status_code == 400
    assert enrol(client, new_code(limited_app), OTHER).status_code == 201


def test_each_action_has_its_own_count(limited_app: Flask, clock: Clock) -> None:
    client = limited_app.test_client()
    for _ in range(LIMIT + 1):
        enrol(client, "WRONG-CODE1")
    assert call(client, "POST", "/api/v1/webauthn/login/options", {}).status_code == 200


def test_the_next_window_lets_the_address_in_again_and_drops_ended_counts(limited_app: Flask, clock: Clock) -> None:
    client = limited_app.test_client()
    for _ in range(LIMIT + 1):
        enrol(client, "WRONG-CODE1")
    code = new_code(limited_app)
    clock.now_s = START_S + WINDOW_S - 1
    refused = enrol(client, code)
    assert (refused.status_code, refused.headers["Retry-After"]) == (429, "1")
    clock.now_s = START_S + WINDOW_S
    assert enrol(client, code).status_code == 201
    with limited_app.app_context():
        counts = [(hit.client, hit.window_start_s, hit.hits) for hit in db.session.query(RateLimitHit)]
    assert counts == [(VILLAGE, START_S + WINDOW_S, 1)]


def test_the_count_is_shared_by_every_worker_on_the_database(
        limited_app: Flask, database_url: str, clock: Clock) -> None:
    # A second app on the same database stands for another gunicorn worker: its own engine and pool.
    other_worker = app_for(database_url, **SETTINGS)
    try:
        for n in range(LIMIT):
            worker = limited_app if n % 2 == 0 else other_worker
            assert enrol(worker.test_client(), "WRONG-CODE1").status_code == 400
        assert enrol(other_worker.test_client(), "WRONG-CODE1").status_code == 429
        assert enrol(limited_app.test_client(), "WRONG-CODE1").status_code == 429
    finally:
        with other_worker.app_context():
            db.engine.dispose()


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(database_url: str, clock: Clock) -> None:
    app = app_for(database_url, **SETTINGS, TRUSTED_PROXIES=1)
    try:
        client = app.test_client()
        for _ in range(LIMIT + 1):
            client.post("/api/v1/devices", json={"code": "WRONG-CODE1"}, headers={"X-Forwarded-For": VILLAGE})
        refused = client.post("/api/v1/devices", json={"code": "WRONG-CODE1"}, headers={"X-Forwarded-For": VILLAGE})
        other = client.post("/api/v1/devices", json={"code": "WRONG-CODE1"}, headers={"X-Forwarded-For": OTHER})
        assert (refused.status_code, other.status_code) == (429, 400)
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_limit_of_zero_turns_the_limit_off(database_url: str, clock: Clock) -> None:
    app = app_for(database_url, **{**SETTINGS, "RATE_LIMIT_ENROLMENT": 0})
    try:
        client = app.test_client()
        assert {enrol(client, "WRONG-CODE1").status_code for _ in range(LIMIT + 2)} == {400}
        with app.app_context():
            assert db.session.query(RateLimitHit).count() == 0
    finally:
        with app.app_context():
            db.engine.dispose()


def test_the_api_document_tells_of_the_429_on_every_guarded_endpoint() -> None:
    paths = build_spec()["paths"]
    for method, path, _ in GUARDED:
        answer = paths[path.split("?")[0]][method.lower()]["responses"]["429"]
        assert "too_many_attempts" in answer["description"]
        assert "Retry-After" in answer["headers"]
