"""Web push (docs/dashboard.md §7), against a stub push service on localhost.

The stub checks what a real push service checks: a VAPID JWT signed (ES256) by the
server's key, for the stub's own origin, not expired, with the configured subject, and
a body encrypted with aes128gcm, which it decrypts with the subscription's private key.
"""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import http_ece
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from flask import Flask
from py_vapid import Vapid
from sqlalchemy import select, update

from server import admin
from server.extensions import db
from server.models import Attendance, AuditEntry, PushSubscription
from server.push.keys import load_keys, private_key_text, public_key_text
from server.sql_store import now_utc
from tests.server.conftest import app_for
from tests.server.protocol_client import Api, Device, World, op, outbox_file

SUBJECT = "mailto:push-test@fieldroll.example"
_PAIR = Vapid()
_PAIR.generate_keys()
PRIVATE_KEY, PUBLIC_KEY = private_key_text(_PAIR), public_key_text(_PAIR)
FIELDROLL = str(Path(sys.executable).parent / "fieldroll")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Received:
    path: str
    payload: dict[str, Any] | None
    problems: list[str]
    headers: dict[str, str]


@dataclass
class StubPushService:
    """A push service on localhost: checks and decrypts each push, answers as told per path."""

    origin: str = ""
    received: list[Received] = field(default_factory=list)
    answers: dict[str, int] = field(default_factory=dict)
    delays_s: dict[str, float] = field(default_factory=dict)
    browser_keys: dict[str, tuple[ec.EllipticCurvePrivateKey, bytes]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def subscription(self, name: str) -> dict[str, Any]:
        """Make a browser's PushSubscriptionJSON whose endpoint is this stub's /push/<name>."""
        private = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        self.browser_keys[f"/push/{name}"] = (private, auth)
        point = private.public_key().public_bytes(serialization.Encoding.X962,
                                                  serialization.PublicFormat.UncompressedPoint)
        return {"endpoint": f"{self.origin}/push/{name}", "expirationTime": None,
                "keys": {"p256dh": b64url(point), "auth": b64url(auth)}}

    def to(self, name: str) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.path == f"/push/{name}"]

    def check(self, path: str, headers: dict[str, str], body: bytes) -> Received:
        problems = self._check_vapid(headers.get("authorization", ""))
        if headers.get("content-encoding") != "aes128gcm":
            problems.append(f"content-encoding {headers.get('content-encoding')!r}")
        if not headers.get("ttl", "").isdigit():
            problems.append("no TTL")
        payload = None
        if path in self.browser_keys:
            private, auth = self.browser_keys[path]
            try:
                payload = json.loads(http_ece.decrypt(body, private_key=private, auth_secret=auth,
                                                      version="aes128gcm"))
            except Exception as err:  # reported as a problem, the test fails on it
                problems.append(f"cannot decrypt: {err!r}")
        return Received(path, payload, problems, headers)

    def _check_vapid(self, header: str) -> list[str]:
        scheme, _, rest = header.partition(" ")
        if scheme.lower() != "vapid":
            return [f"authorization scheme {scheme!r}"]
        parts = dict(item.strip().split("=", 1) for item in rest.split(",") if "=" in item)
        token, key = parts.get("t", ""), parts.get("k", "")
        if key != PUBLIC_KEY:
            return ["k is not the server's public key"]
        signing_input, _, signature = token.rpartition(".")
        head_b64, _, claims_b64 = signing_input.partition(".")
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
        raw = unb64url(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
        try:
            public.verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return ["bad JWT signature"]
        problems = []
        if json.loads(unb64url(head_b64)).get("alg") != "ES256":
            problems.append("alg is not ES256")
        claims = json.loads(unb64url(claims_b64))
        if claims.get("aud") != self.origin:
            problems.append(f"aud {claims.get('aud')!r}")
        if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
            problems.append("exp not within the next 24 hours")
        if claims.get("sub") != SUBJECT:
            problems.append(f"sub {claims.get('sub')!r}")
        return problems


@pytest.fixture
def stub() -> Iterator[StubPushService]:
    service = StubPushService()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # http.server names it so
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            time.sleep(service.delays_s.get(self.path, 0))
            got = service.check(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            with service.lock:
                service.received.append(got)
            self.send_response(service.answers.get(self.path, 201))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("localhost", 0), Handler)
    service.origin = f"http://localhost:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield service
    server.shutdown()
    thread.join(5)


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    """The app with push set up: this module's key pair, the stub allowed, sends inside the request."""
    app = app_for(database_url, VAPID_PRIVATE_KEY=PRIVATE_KEY, VAPID_SUBJECT=SUBJECT,
                  PUSH_SERVICE_HOSTS=("localhost",), PUSH_ALLOW_PLAIN_HTTP=True, PUSH_SEND_AFTER_RESPONSE=False)
    yield app
    with app.app_context():
        db.engine.dispose()


def subscribe(api: Api, device: Device, subscription: dict[str, Any], *topics: str) -> Any:
    return api.request("POST", "/api/v1/push/subscriptions", {"subscription": subscription, "topics": list(topics)},
                       token=device.token)


def mark(world: World, device: Device, side: str, status: str = "present") -> dict[str, Any]:
    return op(device, "attendance", status=status, session_id=world.ids[f"session_{side}"],
              trainee_id=world.ids[f"trainee_{side}"])


def synced(api: Api, device: Device, *ops: dict[str, Any]) -> Any:
    reply = api.sync(device, list(ops))
    assert reply.status == 200, reply.body
    return reply


def forget_the_minute(world: World) -> None:
    """Let every subscription be sent to again at once."""
    with world.app.app_context():
        db.session.execute(update(PushSubscription).values(last_sent_at=now_utc() - timedelta(seconds=61)))
        db.session.commit()


def test_the_public_key_is_served_and_push_is_off_without_one(app: Flask, api: Api) -> None:
    reply = api.request("GET", "/api/v1/push/key")
    assert (reply.status, reply.body) == (200, {"public_key": PUBLIC_KEY})
    app.config.update(VAPID_PRIVATE_KEY=None, VAPID_KEY_FILE="")
    assert api.request("GET", "/api/v1/push/key").error_code == "push_not_configured"


def test_coordinators_hear_of_new_data_in_their_area_only_and_not_of_their_own(
        world: World, api: Api, stub: StubPushService) -> None:
    coord_a, coord_p = world.device("coord_a"), world.device("coord_p")
    trainer_a, trainer_b = world.device("trainer_a"), world.device("trainer_b")
    assert subscribe(api, coord_a, stub.subscription("coord_a"), "new_data").status == 201
    assert subscribe(api, coord_p, stub.subscription("coord_p"), "new_data", "conflicts").status == 201

    synced(api, trainer_b, mark(world, trainer_b, "b"))  # commune B: the province hears, commune A does not
    assert (len(stub.to("coord_a")), len(stub.to("coord_p"))) == (0, 1)
    forget_the_minute(world)
    synced(api, coord_a, mark(world, coord_a, "a", "late"))  # coord_a's own sync: only the province hears
    assert (len(stub.to("coord_a")), len(stub.to("coord_p"))) == (0, 2)
    forget_the_minute(world)
    synced(api, trainer_a, op(trainer_a, "session", course_id=world.ids["course_a"], date="2026-11-24",
                              start_time="08:00", place="Nhà văn hoá"))
    [got] = stub.to("coord_a")
    assert got.problems == [] and got.payload == {"topic": "new_data", "title_key": "push.new_data", "count": 1}
    assert all(r.problems == [] for r in stub.received)
    assert len(stub.to("coord_p")) == 3


def test_a_conflict_tells_coordinators_subscribed_to_conflicts(world: World, api: Api, stub: StubPushService) -> None:
    coord_a, phone_1, phone_2 = world.device("coord_a"), world.device("trainer_a"), world.device("trainer_a")
    subscribe(api, coord_a, stub.subscription("conflicts"), "conflicts")
    first, second = mark(world, phone_1, "a", "absent"), mark(world, phone_2, "a", "present")
    synced(api, phone_1, first)
    assert stub.to("conflicts") == []  # new data, but this subscription asked only for conflicts
    reply = synced(api, phone_2, second)
    assert reply.body["acks"][0]["status"] in ("applied", "conflict")
    [got] = stub.to("conflicts")
    assert got.problems == [] and got.payload == {"topic": "conflicts", "title_key": "push.conflicts", "count": 1}


def test_a_trainer_hears_when_someone_else_changes_their_course(world: World, api: Api, stub: StubPushService) -> None:
    coord_a, trainer_a, trainer_b = world.device("coord_a"), world.device("trainer_a"), world.device("trainer_b")
    assert subscribe(api, trainer_a, stub.subscription("trainer_a"), "roster_changed").status == 201
    assert subscribe(api, trainer_b, stub.subscription("trainer_b"), "roster_changed").status == 201
    synced(api, trainer_a, mark(world, trainer_a, "a"))  # their own change: nothing
    assert stub.to("trainer_a") == []
    synced(api, coord_a, op(coord_a, "session", course_id=world.ids["course_a"], date="2026-11-30",
                            start_time="14:00", place="Trường tiểu học"))
    [got] = stub.to("trainer_a")
    assert got.problems == []
    assert got.payload == {"topic": "roster_changed", "title_key": "push.roster_changed", "count": 1}
    assert stub.to("trainer_b") == []


def test_an_outbox_file_brought_in_tells_the_province_as_the_phones_sync_would(
        world: World, api: Api, stub: StubPushService) -> None:
    coord_a, coord_p, trainer_a = world.device("coord_a"), world.device("coord_p"), world.device("trainer_a")
    assert subscribe(api, coord_p, stub.subscription("coord_p"), "new_data").status == 201
    file = outbox_file(trainer_a, [mark(world, trainer_a, "a")])
    assert api.upload_outbox(coord_a, file).status == 200
    [got] = stub.to("coord_p")
    assert got.problems == [] and got.payload == {"topic": "new_data", "title_key": "push.new_data", "count": 1}


def test_a_revoked_phone_is_told_nothing(world: World, api: Api, stub: StubPushService) -> None:
    coord_a, trainer_a = world.device("coord_a"), world.device("trainer_a")
    subscribe(api, coord_a, stub.subscription("lost"), "new_data")
    with world.app.app_context():
        admin.revoke_device(coord_a.id)
    synced(api, trainer_a, mark(world, trainer_a, "a"))
    assert stub.received == []


def test_a_subscription_the_push_service_forgot_is_deleted(world: World, api: Api, stub: StubPushService) -> None:
    coord_a, trainer_a = world.device("coord_a"), world.device("trainer_a")
    subscribe(api, coord_a, stub.subscription("gone"), "new_data")
    stub.answers["/push/gone"] = 410
    synced(api, trainer_a, mark(world, trainer_a, "a"))
    assert len(stub.to("gone")) == 1
    with world.app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []


def test_a_push_service_that_is_down_never_fails_the_sync(world: World, api: Api) -> None:
    coord_a, trainer_a = world.device("coord_a"), world.device("trainer_a")
    subscription = StubPushService(origin="http://localhost:9").subscription("down")  # nothing listens there
    assert subscribe(api, coord_a, subscription, "new_data").status == 201
    reply = synced(api, trainer_a, mark(world, trainer_a, "a"))
    assert reply.body["acks"][0]["status"] == "applied"
    with world.app.app_context():
        assert db.session.scalars(select(Attendance.status)).all() == ["present"]
        assert len(db.session.scalars(select(PushSubscription)).all()) == 1  # kept: the service may come back


def test_a_slow_push_service_does_not_hold_up_the_answer(world: World, api: Api, stub: StubPushService) -> None:
    world.app.config["PUSH_SEND_AFTER_RESPONSE"] = True
    coord_a, trainer_a = world.device("coord_a"), world.device("trainer_a")
    subscribe(api, coord_a, stub.subscription("slow"), "new_data")
    stub.delays_s["/push/slow"] = 2.0
    started = time.monotonic()
    synced(api, trainer_a, mark(world, trainer_a, "a"))
    assert time.monotonic() - started < 1.5
    deadline = time.monotonic() + 10
    while not stub.to("slow") and time.monotonic() < deadline:
        time.sleep(0.05)
    [got] = stub.to("slow")
    assert got.problems == [] and got.payload is not None and got.payload["topic"] == "new_data"


def test_at_most_one_push_a_minute_per_subscription(world: World, api: Api, stub: StubPushService) -> None:
    coord_a, trainer_a = world.device("coord_a"), world.device("trainer_a")
    subscribe(api, coord_a, stub.subscription("busy"), "new_data")
    for status in ("present", "late", "absent"):
        synced(api, trainer_a, mark(world, trainer_a, "a", status))
    assert len(stub.to("busy")) == 1
    forget_the_minute(world)
    synced(api, trainer_a, mark(world, trainer_a, "a", "excused"))
    assert len(stub.to("busy")) == 2


def test_topics_are_checked_against_the_role(world: World, api: Api, stub: StubPushService) -> None:
    coord_a, trainer_a = world.device("coord_a"), world.device("trainer_a")
    refused = subscribe(api, trainer_a, stub.subscription("t"), "new_data")
    assert (refused.status, refused.error_code) == (400, "topic_not_allowed")
    assert refused.body["error"]["details"]["allowed"] == ["roster_changed"]
    assert subscribe(api, coord_a, stub.subscription("c"), "roster_changed").error_code == "topic_not_allowed"
    assert subscribe(api, coord_a, stub.subscription("c"), "gossip").error_code == "invalid_request"
    assert subscribe(api, coord_a, stub.subscription("c")).error_code == "invalid_request"
    elsewhere = {**stub.subscription("c"), "endpoint": "https://push.attacker.example/x"}
    assert subscribe(api, coord_a, elsewhere, "new_data").error_code == "push_endpoint_refused"
    with world.app.app_context():
        assert db.session.scalars(select(PushSubscription)).all() == []


def test_subscribing_again_replaces_and_unsubscribing_stops(world: World, api: Api, stub: StubPushService) -> None:
    coord_a, coord_p, trainer_a = world.device("coord_a"), world.device("coord_p"), world.device("trainer_a")
    browser = stub.subscription("browser")
    assert subscribe(api, coord_a, browser, "new_data").body == {"topics": ["new_data"]}
    assert subscribe(api, coord_a, browser, "conflicts", "new_data").body == {"topics": ["conflicts", "new_data"]}
    not_theirs = api.request("DELETE", "/api/v1/push/subscriptions", {"subscription": browser}, token=coord_p.token)
    assert not_theirs.body == {"removed": False}
    gone = api.request("DELETE", "/api/v1/push/subscriptions", {"subscription": browser}, token=coord_a.token)
    assert (gone.status, gone.body) == (200, {"removed": True})
    synced(api, trainer_a, mark(world, trainer_a, "a"))
    assert stub.received == []
    with world.app.app_context():
        logged = [(e.action, e.actor_user_id, e.actor_device_id, e.details) for e in db.session.scalars(
            select(AuditEntry).where(AuditEntry.action.like("push.%")).order_by(AuditEntry.id))]
    assert logged == [("push.subscribed", world.ids["coord_a"], coord_a.id, {"topics": "new_data"}),
                      ("push.subscribed", world.ids["coord_a"], coord_a.id, {"topics": "conflicts,new_data"}),
                      ("push.unsubscribed", world.ids["coord_a"], coord_a.id, {})], "the refused removal left none"


def test_fieldroll_vapid_makes_a_key_once_and_keeps_it(tmp_path: Path) -> None:
    helped = subprocess.run([FIELDROLL, "vapid", "--help"], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "FIELDROLL_DATABASE_URL": "sqlite://"})
    assert helped.returncode == 0 and "VAPID" in helped.stdout, helped.stderr
    key_file = tmp_path / "instance" / "vapid.pem"
    runner = app_for("sqlite://", VAPID_KEY_FILE=str(key_file)).test_cli_runner()

    def last_line(*args: str) -> str:
        result = runner.invoke(args=["vapid", *args])
        assert result.exit_code == 0, result.output
        return result.stdout.strip().splitlines()[-1]

    public = last_line()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    keys = load_keys({"VAPID_KEY_FILE": str(key_file), "VAPID_SUBJECT": SUBJECT})
    assert keys is not None and keys.public_key == public and len(unb64url(public)) == 65
    assert last_line() == public  # kept: a new key would strand every subscription
    assert last_line("--force") != public
    printed = runner.invoke(args=["vapid", "--env"]).stdout.split()
    env_lines = dict(line.split("=", 1) for line in printed)
    from_env = load_keys({"VAPID_PRIVATE_KEY": env_lines["FIELDROLL_VAPID_PRIVATE_KEY"],
                          "VAPID_PUBLIC_KEY": env_lines["FIELDROLL_VAPID_PUBLIC_KEY"], "VAPID_SUBJECT": SUBJECT})
    assert from_env is not None and from_env.public_key == env_lines["FIELDROLL_VAPID_PUBLIC_KEY"]
