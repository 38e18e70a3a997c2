"""Run every benchmark and write bench/RESULTS.md: `.venv/bin/python -m bench.run`.

Benchmarks print figures; they never pass or fail a build.
"""

from __future__ import annotations

import logging
import os
import platform
import sqlite3
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import throughput, wire_cost

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
COMMAND = ".venv/bin/python -m bench.run"
DAY_MAX_REQUESTS = 2
DAY_MAX_UP_BYTES = 15 * 1024
TARGET_OPS_PER_S = 5000


def main() -> None:
    logging.getLogger("alembic").setLevel(logging.WARNING)
    started = time.perf_counter()
    print("wire cost (loopback and 2G)...", flush=True)
    wire = wire_cost.run()
    print("throughput (1, 10, 50 devices)...", flush=True)
    tp = throughput.run()
    total = time.perf_counter() - started
    RESULTS.write_text(render(wire, tp, total))
    print(RESULTS.read_text())


def render(wire: list[wire_cost.WireRow], tp: list[throughput.ThroughputRow], total_s: float) -> str:
    lines = ["# Benchmark results", "",
             f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {total_s:.0f} s. Rerun from the repository root: "
             f"`{COMMAND}` (it rewrites this file).", "", "## Machine", "", *_machine(), ""]
    lines += ["## Wire cost of a sync", "",
              "Real gunicorn (shipped `config/gunicorn.conf.py`) on a fresh SQLite file; a client that syncs like "
              "the PWA (chunks of at most 400 ops and 160 KB of JSON, request bodies gzipped from 1 KB, "
              "`Accept-Encoding: gzip`, `pull_limit` 500, repeated until the outbox is empty and `more` is false, "
              "one keep-alive connection per sync) through `bench/link_proxy.py`. The 2G link adds 300 ms each "
              "way, 50 kbit/s each way, and one round trip per new TCP connection. Bytes are HTTP bytes on the "
              "wire (headers and bodies as sent, compressed where compressed); TCP/IP overhead and TLS are not "
              "counted. Workloads come from `bench/workloads.py` with seed 1: a day is 40 trainees x 2 sessions of "
              "attendance + 40 x 12 skill checks = 560 ops; a week offline is 5 such days = 2,800 ops.", "",
              "\"Re-sent\" counts requests the client had to send again because gunicorn closed the idle "
              "keep-alive connection (`keepalive = 5` s) while the previous answer was still crossing the slow link; "
              "their bytes are included.", "",
              "| link | scenario | ops | HTTP requests | of which re-sent | bytes up | bytes down | wall |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r.link} | {r.scenario} | {r.ops:,} | {r.requests} | {r.resent} | {_kb(r.bytes_up)} | "
              f"{_kb(r.bytes_down)} | {r.wall_s:.2f} s |" for r in wire]
    lines += ["", "## Server throughput (SQLite, gunicorn with the shipped config)", "",
              "Each device is a different trainer with their own course, already synced once; all push at once "
              f"(ops per device: {', '.join(f'{n} device(s): {ops:,}' for n, ops in throughput.PLAN.items())}; "
              "a day is 560) "
              "from threads in the benchmark process (which shares the CPUs with the server). Latency is one "
              "`POST /api/v1/sync` (a chunk of up to 400 ops plus its pull page), as the client measured it.", "",
              "| devices | ops | sync requests | wall | ops applied/s | p50 | p95 | p99 | failed syncs |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r.devices} | {r.ops:,} | {r.requests} | {r.wall_s:.1f} s | {r.ops_per_s:,.0f} | "
              f"{r.p50_ms:,.0f} ms | {r.p95_ms:,.0f} ms | {r.p99_ms:,.0f} ms | {r.failed_syncs}"
              f"{' (' + r.first_failure + ')' if r.first_failure else ''} |" for r in tp]
    lines += ["", "With few requests, p95 and p99 are interpolated from a handful of samples. A failed sync stops "
              "that device's work, so its ops are not counted.", ""]
    errors = [(r.devices, e) for r in tp for e in r.server_errors]
    if errors:
        lines += ["Errors in gunicorn's log (first distinct lines per run):", ""]
        lines += [f"- {n} device(s): `{e}`" for n, e in errors]
        lines += [""]
    lines += ["## DESIGN §7 targets", "", "| target | measured | met? |", "| --- | --- | --- |",
              *_targets(wire, tp), ""]
    lines += ["## Not measured yet", "",
              "- Side-by-side with CouchDB replication (PouchDB 9 to pouchdb-server) on the same workload.",
              "- A sync cut halfway and resumed (what was sent twice).",
              "- PostgreSQL throughput and latency; 200 concurrent devices; the 2-core figure on PostgreSQL.",
              "- The profiler run that finds the throughput bottleneck, and its fix.",
              "- The province workload (100,000 trainees, 1,000,000 attendance records, 2,000 devices) and the "
              "coordinator dashboard's p50/p95 over it.",
              "- PWA budgets: app shell bytes compressed, offline cold start to a 40-trainee roster in headless "
              "Chromium with 4x CPU throttling, IndexedDB time to write a tap and to load 2,000 trainees.", ""]
    return "\n".join(lines)


def _targets(wire: list[wire_cost.WireRow], tp: list[throughput.ThroughputRow]) -> list[str]:
    rows = []
    day = next((r for r in wire if r.link == "2G" and r.scenario.startswith("a trainer's day")), None)
    if day is not None:
        met = day.requests <= DAY_MAX_REQUESTS
        rows.append(f"| a trainer's day in ≤ {DAY_MAX_REQUESTS} round trips | {day.requests} HTTP requests | "
                    f"{'yes' if met else f'no: {day.requests - DAY_MAX_REQUESTS} too many'} |")
        met = day.bytes_up < DAY_MAX_UP_BYTES
        miss = f"no: {_kb(day.bytes_up - DAY_MAX_UP_BYTES)} over ({day.bytes_up / DAY_MAX_UP_BYTES:.1f}x the budget)"
        rows.append(f"| a trainer's day < 15 KB up, compressed | {_kb(day.bytes_up)} up | "
                    f"{'yes' if met else miss} |")
    best = max(tp, key=lambda r: r.ops_per_s, default=None)
    if best is not None:
        met = best.ops_per_s >= TARGET_OPS_PER_S
        short = TARGET_OPS_PER_S - best.ops_per_s
        miss = f"no: {TARGET_OPS_PER_S / best.ops_per_s:.0f}x too slow ({short:,.0f} ops/s short)"
        rows.append(f"| ≥ {TARGET_OPS_PER_S:,} ops/s on SQLite (200 devices not run yet; best of "
                    f"{', '.join(str(r.devices) for r in tp)} devices) | {best.ops_per_s:,.0f} ops/s with "
                    f"{best.devices} device(s) | {'yes' if met else miss} |")
    return rows


def _machine() -> list[str]:
    mem_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    except OSError:
        pass
    return [f"- CPUs: {os.cpu_count()} (usable by this process: {len(os.sched_getaffinity(0))})",
            f"- memory: {mem_kb / 1024 / 1024:.1f} GiB",
            f"- {platform.platform()}; {platform.processor() or platform.machine()}",
            f"- Python {sys.version.split()[0]}; SQLite {sqlite3.sqlite_version}"]


def _kb(n: int) -> str:
    return f"{n / 1024:,.1f} KB"


if __name__ == "__main__":
    main()
