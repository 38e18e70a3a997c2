"""Profile the sync server's apply path in-process: `.venv/bin/python -m bench.profile_sync`.

Runs the real endpoint (Flask test client, no gunicorn, no network) on a fresh SQLite file, or on
PostgreSQL with `--database-url`, under cProfile, and prints ops/s and the functions that cost the most.
Two loads: "week" is one device pushing a week offline (2,800 ops, chunks of 400, as the PWA sends them);
"mixed" is several trainers each pushing a day, then each correcting records with their `base_rev` (some
edits race another trainer's on the same course, so conflicts are opened too).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from bench.harness import MAX_CHUNK_OPS, PULL_LIMIT, fresh_database
from bench.workloads import BenchCourse, edits, load_demo_once, seed_course, trainers_day, week_offline
from server import admin, create_app
from server.database import init_db
from tests.server.protocol_client import Device

TOP = 40


class TestClientDevice:
    """A device syncing through Flask's test client: chunks of 400 ops, then pull until nothing more."""

    def __init__(self, client: FlaskClient, device: Device) -> None:
        self.client, self.device = client, device
        self.cursor: str | None = None
        self.records: dict[tuple[str, str], dict[str, Any]] = {}

    def sync(self, ops: list[dict[str, Any]]) -> None:
        outbox = list(ops)
        while True:
            chunk, outbox = outbox[:MAX_CHUNK_OPS], outbox[MAX_CHUNK_OPS:]
            body = {"protocol": 1, "device_id": self.device.id, "cursor": self.cursor, "ops": chunk,
                    "pull_limit": PULL_LIMIT}
            reply = self.client.post("/api/v1/sync", json=body,
                                     headers={"Authorization": f"Bearer {self.device.token}"})
            answer = reply.get_json()
            if reply.status_code != 200:
                raise RuntimeError(f"sync answered {reply.status_code}: {answer}")
            rejected = [a for a in answer["acks"] if a["status"] == "rejected"]
            if rejected:
                raise RuntimeError(f"{len(rejected)} ops rejected, first: {rejected[0]}")
            for change in answer["changes"]:
                self.records[(change["entity"], change["id"])] = change
            self.cursor = answer["cursor"]
            if not outbox and not answer["more"]:
                return


def enrol(app: Flask, client: FlaskClient, user_name: str) -> TestClientDevice:
    with app.app_context():
        code = admin.enrolment_code_for(user_name)
    reply = client.post("/api/v1/devices", json={"code": code, "label": "profiled phone"})
    body = reply.get_json()
    if reply.status_code != 201:
        raise RuntimeError(f"enrolment failed: {reply.status_code} {body}")
    device = TestClientDevice(client, Device(body["device_id"], body["token"], body["user"]["id"]))
    device.sync([])  # got ready: the course is on the phone first
    return device


@contextmanager
def database(url: str | None) -> Iterator[Flask]:
    if url is None:
        with fresh_database() as (app, _, _):
            yield app
        return
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        init_db()
    yield app


def setup(app: Flask, devices: int, key: str) -> list[tuple[TestClientDevice, BenchCourse]]:
    now_ms = int(time.time() * 1000)
    with app.app_context():
        load_demo_once()
        courses = [seed_course(f"{key}-{n}", f"bench.{key}.{n}", now_ms) for n in range(devices)]
    client = app.test_client()
    return [(enrol(app, client, f"bench.{key}.{n}"), course) for n, course in enumerate(courses)]


def week_load(app: Flask) -> tuple[int, Any]:
    """One device, a week offline: returns (ops pushed, a function that pushes them)."""
    [(device, course)] = setup(app, 1, "week")
    ops = week_offline(course, device.device.id, int(time.time() * 1000))
    return len(ops), lambda: device.sync(ops)


def mixed_load(app: Flask, devices: int = 5) -> tuple[int, Any]:
    """Several trainers push a day each, then 20 corrections each with base_rev."""
    pairs = setup(app, devices, "mixed")
    now_ms = int(time.time() * 1000)
    days = []
    for device, course in pairs:
        ops, device.device.clock = trainers_day(course, device.device.id, 0, now_ms - 3600_000, 1,
                                                device.device.clock)
        days.append(ops)
    total = sum(len(d) for d in days) + 20 * devices

    def push() -> None:
        for (device, _), ops in zip(pairs, days, strict=True):
            device.sync(ops)
        for device, _ in pairs:
            fixes, device.device.clock = edits(device.records, device.device.id, 20, int(time.time() * 1000),
                                               device.device.clock)
            device.sync(fixes)

    return total, push


def profile(name: str, app: Flask, sort: str, timer: str) -> None:
    ops, push = week_load(app) if name == "week" else mixed_load(app)
    # CPU time by default: on a machine shared with other work, wall time mostly measures the others.
    profiler = cProfile.Profile(time.process_time if timer == "cpu" else time.perf_counter)
    t0, cpu0 = time.perf_counter(), time.process_time()
    profiler.enable()
    push()
    profiler.disable()
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(f"\n== {name}: {ops:,} ops under cProfile in {wall:.2f} s wall ({ops / wall:,.0f} ops/s), "
          f"{cpu:.2f} s CPU ({ops / cpu:,.0f} ops/s of CPU); load average {os.getloadavg()[0]:.1f}; "
          f"profile timer: {timer} ==")
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    serial = _cumulative(stats, "_apply_under_lock")
    print(f"   under the write lock (serial across workers): {serial:.2f} s of CPU, "
          f"{serial / cpu:.0%} of the run's, {serial / ops * 1e6:,.0f} us per op")
    stats.strip_dirs().sort_stats(sort).print_stats(TOP)
    print("\n".join(line for line in out.getvalue().splitlines() if line.strip()
                    and not line.lstrip().startswith(("Ordered by", "List reduced"))))


def _cumulative(stats: pstats.Stats, function: str) -> float:
    """Return the cumulative time of every function of that name (pstats keeps no public accessor)."""
    table: dict[tuple[str, int, str], tuple[Any, ...]] = stats.stats  # type: ignore[attr-defined]
    return float(sum(entry[3] for (_, _, name), entry in table.items() if name == function))


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.profile_sync", description=__doc__.split("\n\n")[0])
    parser.add_argument("--load", choices=("week", "mixed", "both"), default="both")
    parser.add_argument("--sort", choices=("cumulative", "tottime"), default="cumulative")
    parser.add_argument("--timer", choices=("cpu", "wall"), default="cpu")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a fresh SQLite file)")
    args = parser.parse_args()
    for name in ("week", "mixed") if args.load == "both" else (args.load,):
        with database(args.database_url) as app:
            profile(name, app, args.sort, args.timer)


if __name__ == "__main__":
    main()
