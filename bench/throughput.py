"""Server throughput under gunicorn (shipped config), on SQLite and on PostgreSQL: ops applied per second,
sync latency, errors and lost ops.

Each device belongs to its own trainer and course, has already pulled its course ("got ready"), then
pushes its days (one sync per day) the way the PWA does (chunks of at most 400 ops, gzip, pull pages of 500)
from its own thread, all devices at once. Client threads share the machine's CPUs with the server, as a
load generator on the same host does, but at the lowest CPU priority (nice 19, on Linux): a real phone's
JSON, gzip and merging of what it pulled run on the phone, so the clients here only take CPU the server
leaves idle. Each device's ops are made before the clock starts. After the run, every op a device had
acknowledged is looked up in op_log: an acknowledged op missing there is a lost op.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bench.harness import PwaLikeClient, Server, SyncRun, fresh_database, gunicorn, throwaway_postgres
from bench.workloads import DAY_OPS, BenchCourse, load_demo_once, seed_course, trainers_day
from server import admin
from server.extensions import db
from server.models import OpLog
from tests.server.protocol_client import Device

# concurrent devices: ops each device pushes, taken from the start of its days (a day is 560 ops), in one
# sync per day. Issue 7's load test is the 200-device row: a day each, all at once.
PLAN = {1: 2800, 50: 200, 200: 560}
DATABASES = ("sqlite", "postgresql")
DAY_MS = 24 * 3600 * 1000
CLIENT_NICE = 19  # the phones' own work must not take the server's CPU
SETUP_THREADS = 8  # enrolling and getting ready, before the clock starts
START_TIMEOUT_S = 120
IN_CHUNK = 500

Work = list[list[dict[str, Any]]]


@dataclass(frozen=True)
class ThroughputRow:
    database: str
    devices: int
    ops: int  # acknowledged by the server
    requests: int
    wall_s: float
    ops_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    failed_syncs: int
    first_failure: str
    lost_ops: int  # acknowledged, yet not in op_log after the run
    server_errors: tuple[str, ...]  # distinct exception lines from gunicorn's log


def run(plan: dict[int, int] | None = None, seed: int = 1, databases: tuple[str, ...] = DATABASES,
        postgres_url: str | None = None) -> list[ThroughputRow]:
    """Run each plan row on each database; PostgreSQL is a throwaway server unless `postgres_url` is given."""
    rows = []
    for database in databases:
        with _server_for(database, postgres_url) as server_url:
            for devices, ops in (plan or PLAN).items():
                print(f"  {database}: {devices} device(s), {ops:,} ops each...", flush=True)
                rows.append(_one(database, server_url, devices, ops, seed))
    return rows


@contextmanager
def _server_for(database: str, postgres_url: str | None) -> Iterator[str | None]:
    if database == "sqlite":
        yield None
    elif postgres_url:
        yield postgres_url
    else:
        with throwaway_postgres() as url:
            yield url


def _one(database: str, server_url: str | None, devices: int, ops_per_device: int, seed: int) -> ThroughputRow:
    days = -(-ops_per_device // DAY_OPS)
    now_ms = int(time.time() * 1000)
    setup_t0 = time.perf_counter()
    with fresh_database(server_url) as (app, url, tmp):
        with app.app_context():
            load_demo_once()
            courses = [seed_course(f"tp{devices}-{n}", f"bench.tp.{n}", now_ms, seed) for n in range(devices)]
        with gunicorn(app, url, tmp) as server:
            with app.app_context():
                codes = [admin.enrolment_code_for(f"bench.tp.{n}") for n in range(devices)]
            # One at a time: on SQLite, 8 enrolments at once had some answered 500 (`POST /api/v1/devices`
            # reads, then writes, in a deferred transaction, which SQLite refuses at once when busy).
            devices_made = [server.redeem(code) for code in codes]
            with ThreadPoolExecutor(SETUP_THREADS) as pool:
                clients = list(pool.map(lambda device: _ready_client(server, device), devices_made))
            plans = [(client, _work(client, course, days, ops_per_device, now_ms, seed))
                     for client, course in zip(clients, courses, strict=True)]
            start = threading.Barrier(devices)

            def device_days(item: tuple[PwaLikeClient, Work]) -> tuple[list[SyncRun], list[str], str]:
                client, work = item
                _yield_cpu_to_server()
                start.wait(START_TIMEOUT_S)
                runs: list[SyncRun] = []
                acked: list[str] = []
                failure = ""
                for ops in work:
                    queued = client.queue(ops)
                    try:
                        runs.append(client.sync())
                    except (OSError, RuntimeError) as error:  # reported, not hidden: a failed sync is a finding
                        failure = str(error)[:200]
                    # The client drops an op from its outbox only once the server acknowledged it.
                    acked += [op["op_id"] for op in queued[:len(queued) - len(client.outbox)]]
                    if failure:
                        break
                client.close()
                return runs, acked, failure

            print(f"    ready after {time.perf_counter() - setup_t0:.0f} s; all devices sync now", flush=True)
            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=devices) as pool:
                results = list(pool.map(device_days, plans))
            wall = time.perf_counter() - t0
            errors = _server_errors(server.log_path)
        acked = [op_id for _, device_acked, _ in results for op_id in device_acked]
        with app.app_context():
            lost = _lost(acked, [client.device.id for client in clients])
    runs = [r for device_runs, _, _ in results for r in device_runs]
    failures = [f for _, _, f in results if f]
    latencies = sorted(lat * 1000 for r in runs for lat in r.latencies_s)
    return ThroughputRow(database, devices, len(acked), len(latencies), wall, len(acked) / wall,
                         _pct(latencies, 50), _pct(latencies, 95), _pct(latencies, 99), len(failures),
                         failures[0] if failures else "", lost, errors)


def _yield_cpu_to_server() -> None:
    """Lower this client thread's CPU priority (Linux sets it per thread); elsewhere, leave it."""
    if sys.platform == "linux":
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), CLIENT_NICE)


def _ready_client(server: Server, device: Device) -> PwaLikeClient:
    client = PwaLikeClient(device, server.port)
    client.sync()  # got ready: the course is on the phone before the day starts
    client.close()
    return client


def _work(client: PwaLikeClient, course: BenchCourse, days: int, ops_per_device: int, now_ms: int,
          seed: int) -> Work:
    """The device's days of taps, one sync each, `ops_per_device` in all."""
    work, clock = [], client.device.clock
    for day in range(days):
        day_start = now_ms - (days - day) * DAY_MS
        ops, clock = trainers_day(course, client.device.id, day, day_start, seed, clock)
        work.append(ops[:max(0, ops_per_device - day * DAY_OPS)])
    client.device.clock = clock
    return work


def _lost(acked: list[str], device_ids: list[str]) -> int:
    """Count the acknowledged ops that op_log does not hold (needs an app context)."""
    stored: set[str] = set()
    for start in range(0, len(device_ids), IN_CHUNK):
        chunk = device_ids[start:start + IN_CHUNK]
        stored.update(db.session.scalars(select(OpLog.op_id).where(OpLog.device_id.in_(chunk))))
    db.session.remove()
    db.engine.dispose()
    return len(set(acked) - stored)


def _server_errors(log_path: Path, limit: int = 3) -> tuple[str, ...]:
    seen: list[str] = []
    for line in log_path.read_text(errors="replace").splitlines():
        line = line.strip()
        if ("Error" in line or "Exception" in line) and not line.startswith("File ") and line not in seen:
            seen.append(line[:300])
    return tuple(seen[:limit])


def _pct(values: list[float], pct: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]
