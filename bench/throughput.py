"""Server throughput on SQLite under gunicorn (shipped config): ops applied per second and sync latency.

Each device belongs to its own trainer and course, has already pulled its course ("got ready"),
then pushes the first taps of its days (one sync per day) the way the PWA does (chunks of at most 400 ops, gzip, pull
pages of 500) from its own thread, all devices at once. Client threads share the machine's
CPUs with the server, as a load generator on the same host does.
"""

from __future__ import annotations

import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bench.harness import PwaLikeClient, SyncRun, fresh_database, gunicorn
from bench.workloads import DAY_OPS, load_demo_once, seed_course, trainers_day

# concurrent devices: ops each device pushes, taken from the start of its days (a day is 560 ops), in one
# sync per day; bounded so the lot runs in about 2 minutes at the speed measured so far (~100-400 ops/s)
PLAN = {1: 2800, 10: 560, 50: 200}
DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class ThroughputRow:
    devices: int
    ops: int
    requests: int
    wall_s: float
    ops_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    failed_syncs: int
    first_failure: str
    server_errors: tuple[str, ...]  # distinct exception lines from gunicorn's log


def run(plan: dict[int, int] | None = None, seed: int = 1) -> list[ThroughputRow]:
    return [_one(devices, ops, seed) for devices, ops in (plan or PLAN).items()]


def _one(devices: int, ops_per_device: int, seed: int) -> ThroughputRow:
    days = -(-ops_per_device // DAY_OPS)
    now_ms = int(time.time() * 1000)
    with fresh_database() as (app, url, tmp):
        with app.app_context():
            load_demo_once()
            courses = [seed_course(f"tp{devices}-{n}", f"bench.tp.{n}", now_ms, seed) for n in range(devices)]
        with gunicorn(app, url, tmp) as server:
            clients = []
            for n, course in enumerate(courses):
                client = PwaLikeClient(server.enrol(f"bench.tp.{n}"), server.port)
                client.sync()  # got ready: the course is on the phone before the day starts
                clients.append((client, course))
            plans = []
            for client, course in clients:
                work, clock = [], client.device.clock
                for day in range(days):
                    day_start = now_ms - (days - day) * DAY_MS
                    ops, clock = trainers_day(course, client.device.id, day, day_start, seed, clock)
                    work.append(ops[:max(0, ops_per_device - day * DAY_OPS)])
                client.device.clock = clock
                plans.append((client, work))
            start = threading.Barrier(devices)

            def device_day(item: tuple[PwaLikeClient, list[list[dict[str, object]]]]) -> tuple[list[SyncRun], str]:
                client, work = item
                start.wait(60)
                runs, failure = [], ""
                for ops in work:
                    client.outbox = list(ops)
                    try:
                        runs.append(client.sync())
                    except (OSError, RuntimeError) as error:  # reported, not hidden: a failed sync is a finding
                        failure = str(error)[:200]
                        break
                client.close()
                return runs, failure

            t0 = time.perf_counter()
            with ThreadPoolExecutor(max_workers=devices) as pool:
                results = list(pool.map(device_day, plans))
            wall = time.perf_counter() - t0
            errors = _server_errors(server.log_path)
    runs = [r for device_runs, _ in results for r in device_runs]
    failures = [f for _, f in results if f]
    latencies = sorted(lat * 1000 for r in runs for lat in r.latencies_s)
    ops = sum(r.ops_sent for r in runs)
    return ThroughputRow(devices, ops, len(latencies), wall, ops / wall, _pct(latencies, 50), _pct(latencies, 95),
                         _pct(latencies, 99), len(failures), failures[0] if failures else "", errors)


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
