"""The pieces every benchmark shares: a real server on a fresh SQLite file, and a client that syncs like the PWA."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from server import admin, create_app
from server.database import init_db
from server.extensions import db
from sync.compact import compact_op, op_key, own_op_id
from sync.hlc import parse_hlc, receive
from tests.server.protocol_client import Device

ROOT = Path(__file__).resolve().parents[1]
LOOPBACK = "127.0.0.1"
SERVER_START_TIMEOUT_S = 120  # gunicorn took 15 s and more to boot while test suites shared the 2 CPUs
# What the PWA does (pwa/src/transport/http.js and docs/protocol.md §11).
MAX_CHUNK_OPS = 400
MAX_CHUNK_JSON_BYTES = 160_000
GZIP_MIN_BYTES = 1024
PULL_LIMIT = 500
MAX_REQUESTS_PER_SYNC = 200
REQUEST_TIMEOUT_S = 300


@dataclass
class Server:
    """A FieldRoll server under gunicorn with the shipped config, on a SQLite file in a temp dir."""

    app: Flask
    url: str
    port: int
    database_url: str
    log_path: Path

    def enrol(self, user_name: str, port: int | None = None) -> Device:
        """Make an enrolment code with the admin function and redeem it over HTTP (through `port` if given)."""
        with self.app.app_context():
            code = admin.enrolment_code_for(user_name)
        return self.redeem(code, port)

    def redeem(self, code: str, port: int | None = None) -> Device:
        """Redeem an enrolment code over HTTP (through `port` if given); safe from many threads at once."""
        status, body, _ = _post(port or self.port, "/api/v1/devices", {"code": code, "label": "bench phone"})
        if status != 201:
            raise RuntimeError(f"enrolment failed: {status} {body}")
        return Device(body["device_id"], body["token"], body["user"]["id"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_database(server_url: str | None = None) -> Iterator[tuple[Flask, str, Path]]:
    """Yield an app on a new, migrated database in a temporary directory's care.

    A SQLite file by default; given a PostgreSQL server's URL, a new database on it, dropped afterwards.
    """
    with tempfile.TemporaryDirectory(prefix="fieldroll-bench-") as tmp:
        if server_url is None:
            url = f"sqlite:///{tmp}/bench.sqlite"
            yield _migrated(url), url, Path(tmp)
            return
        name = f"fieldroll_bench_{uuid.uuid4().hex[:12]}"
        admin_engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name}"))
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)
        try:
            app = _migrated(url)
            yield app, url, Path(tmp)
            with app.app_context():
                db.engine.dispose()
        finally:
            with admin_engine.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            admin_engine.dispose()


def _migrated(url: str) -> Flask:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        init_db()
    return app


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """Start a PostgreSQL server with scripts/postgres.sh (loopback only), yield its URL, then remove it."""
    script = str(ROOT / "scripts" / "postgres.sh")
    # Its own directory straight under /tmp: the script hands it to the postgres user when run as root.
    cluster = tempfile.mkdtemp(prefix="fieldroll-pg.")
    try:
        started = subprocess.run(["bash", script, "start", cluster], capture_output=True, text=True, check=False)
        if started.returncode != 0:
            raise RuntimeError(f"scripts/postgres.sh could not start PostgreSQL: {started.stderr[-1000:]}")
        yield started.stdout.strip()
    finally:
        subprocess.run(["bash", script, "stop", cluster], capture_output=True, check=False)


@contextmanager
def gunicorn(app: Flask, database_url: str, tmp: Path) -> Iterator[Server]:
    """Run gunicorn with config/gunicorn.conf.py (its default worker count) on the database, loopback only."""
    with app.app_context():
        db.engine.dispose()  # the workers open their own connections
    port = free_port()
    env = {**os.environ, "FIELDROLL_DATABASE_URL": database_url, "FIELDROLL_BIND": f"{LOOPBACK}:{port}",
           "FIELDROLL_INSTANCE_DIR": str(tmp), "FIELDROLL_LOG_LEVEL": "warning",
           # every bench device enrols from 127.0.0.1: a real province's phones come from many addresses
           "FIELDROLL_RATE_LIMIT_ENROLMENT": "100000"}
    env.pop("WEB_CONCURRENCY", None)
    log_path = tmp / "gunicorn.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c", "config/gunicorn.conf.py",
                                 "server:create_app()"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        _wait_until_serving(proc, port, log_path)
        yield Server(app, f"http://{LOOPBACK}:{port}", port, database_url, log_path)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


def _wait_until_serving(proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited: {log_path.read_text()[-2000:]}")
        status = None
        try:
            status, _, _ = _post(port, "/api/v1/devices", {"code": "XXXXX-XXXXX"})
        except OSError:
            time.sleep(0.2)
        if status is not None:
            return
    raise RuntimeError("gunicorn did not start in time")


def _post(port: int, path: str, body: Any) -> tuple[int, Any, dict[str, str]]:
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=30)
    try:
        conn.request("POST", path, body=json.dumps(body), headers={"Content-Type": "application/json"})
        resp = conn.getresponse()
        return resp.status, json.loads(resp.read() or b"null"), dict(resp.getheaders())
    finally:
        conn.close()


@dataclass
class SyncRun:
    """What one sync (until the outbox is empty and `more` is false) cost, as the client saw it."""

    requests: int = 0
    ops_sent: int = 0
    duplicates: int = 0  # acked ops the server had already applied (their first answer was lost)
    changes_pulled: int = 0
    latencies_s: list[float] = field(default_factory=list)
    wall_s: float = 0.0


class PwaLikeClient:
    """Syncs one device the way the PWA does: ops named by its op key and sent compact, chunked outbox,
    gzip when worth it, keep-alive connection."""

    def __init__(self, device: Device, port: int) -> None:
        self.device, self.port = device, port
        self.key = op_key(device.token)
        self.outbox: list[dict[str, Any]] = []
        self.cursor: str | None = None
        self.records: dict[tuple[str, str], dict[str, Any]] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.ops_on_wire = 0  # ops in every request sent, counting a chunk again each time it is re-sent

    def queue(self, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Put a workload's ops in the outbox with the op ids the PWA gives them (from its op key and clock)."""
        self.outbox = [{**made, "op_id": own_op_id(self.key, made["hlc"])} for made in ops]
        return list(self.outbox)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def sync(self) -> SyncRun:
        """Sync until the outbox is empty and the server has nothing more; at most MAX_REQUESTS_PER_SYNC requests."""
        run = SyncRun()
        started = time.perf_counter()
        for _ in range(MAX_REQUESTS_PER_SYNC):
            chunk = self._next_chunk()
            body = {"protocol": 1, "device_id": self.device.id, "cursor": self.cursor,
                    "ops": [compact_op(made, self.key) for made in chunk],
                    "pull_limit": PULL_LIMIT, "app_version": "bench", "pending_ops": len(self.outbox) - len(chunk)}
            t0 = time.perf_counter()
            reply = self._post_sync(body)
            run.latencies_s.append(time.perf_counter() - t0)
            run.requests += 1
            if len(reply["acks"]) != len(chunk):
                raise RuntimeError(f"{len(reply['acks'])} acks for {len(chunk)} ops")
            bad = [a for a in reply["acks"] if a["status"] == "rejected"]
            if bad:
                raise RuntimeError(f"{len(bad)} ops rejected, first: {bad[0]}")
            del self.outbox[:len(chunk)]
            run.ops_sent += len(chunk)
            run.duplicates += sum(a["status"] == "duplicate" for a in reply["acks"])
            for change in reply["changes"]:
                self.records[(change["entity"], change["id"])] = change
            run.changes_pulled += len(reply["changes"])
            self.cursor = reply["cursor"]
            remote = parse_hlc(reply["server_hlc"])
            if remote is not None:
                self.device.clock = receive(self.device.clock, remote, int(time.time() * 1000), self.device.id)
            if not self.outbox and not reply["more"]:
                run.wall_s = time.perf_counter() - started
                return run
        raise RuntimeError(f"sync did not finish in {MAX_REQUESTS_PER_SYNC} requests")

    def _next_chunk(self) -> list[dict[str, Any]]:
        chunk: list[dict[str, Any]] = []
        size = 200  # the envelope around the ops
        for op in self.outbox[:MAX_CHUNK_OPS]:
            op_bytes = len(json.dumps(op, ensure_ascii=False).encode()) + 1
            if chunk and size + op_bytes > MAX_CHUNK_JSON_BYTES:
                break
            chunk.append(op)
            size += op_bytes
        return chunk

    def _post_sync(self, body: dict[str, Any]) -> dict[str, Any]:
        text = json.dumps(body, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json", "Accept-Encoding": "gzip",
                   "Authorization": f"Bearer {self.device.token}"}
        if len(text) >= GZIP_MIN_BYTES:
            text = gzip.compress(text)
            headers["Content-Encoding"] = "gzip"
        for attempt in range(2):  # one retry on a keep-alive connection the server closed meanwhile
            if self.conn is None:
                self.conn = http.client.HTTPConnection(LOOPBACK, self.port, timeout=REQUEST_TIMEOUT_S)
            self.ops_on_wire += len(body["ops"])
            try:
                self.conn.request("POST", "/api/v1/sync", body=text, headers=headers)
                resp = self.conn.getresponse()
                payload = resp.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt:
                    raise
        if resp.getheader("Connection", "").lower() == "close":
            self.close()
        if resp.getheader("Content-Encoding") == "gzip":
            payload = gzip.decompress(payload)
        if resp.status != 200:
            raise RuntimeError(f"sync answered {resp.status}: {payload[:500]!r}")
        answer: dict[str, Any] = json.loads(payload)
        return answer
