"""The shipped gunicorn config serves the app: several worker processes, concurrent syncs, one truth."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from server import admin
from server.extensions import db
from server.models import OpLog
from tests.server.conftest import app_for, seed_world
from tests.server.protocol_client import Api, World, op

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def gunicorn_url(database_url: str) -> Iterator[str]:
    port = _free_port()
    env = {**os.environ, "FIELDROLL_DATABASE_URL": database_url, "FIELDROLL_BIND": f"127.0.0.1:{port}",
           "WEB_CONCURRENCY": "3"}
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    proc = subprocess.Popen([gunicorn, "-c", "config/gunicorn.conf.py", "server:create_app()"], cwd=ROOT,
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://localhost:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(30)


def test_concurrent_devices_through_gunicorn_all_land_exactly_once(database_url: str, gunicorn_url: str) -> None:
    app = app_for(database_url)
    api = Api(gunicorn_url)
    world = seed_world(World(app, api))
    with app.app_context():
        for n in range(6):
            admin.add_user(f"extra{n}", "coordinator", world.ids["province"])
    devices = [world.device(f"extra{n}") for n in range(6)]

    def day_of_work(device: object) -> list[str]:
        statuses = []
        for _ in range(4):
            ops = [op(device, "trainee", str(uuid.uuid4()), full_name="Hờ Thị Chía",  # type: ignore[arg-type]
                      commune_id=world.ids["commune_a"]) for _ in range(25)]
            reply = api.sync(device, ops)  # type: ignore[arg-type]
            assert reply.status == 200, reply.body
            statuses += [a["status"] for a in reply.body["acks"]]
        return statuses

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(day_of_work, devices))
    assert all(s == ["applied"] * 100 for s in results)
    with app.app_context():
        seqs = [row.seq for row in db.session.query(OpLog).filter(OpLog.device_id.is_not(None))]
        assert len(seqs) == len(set(seqs)) == 600
        db.engine.dispose()
    pulled, _ = api.pull_all(devices[0], limit=200)
    assert sum(1 for entity, _ in pulled if entity == "trainee") == 602
