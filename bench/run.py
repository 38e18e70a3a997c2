"""Run every benchmark and write bench/RESULTS.md: `.venv/bin/python -m bench.run`.

`--only wire` runs the wire-cost parts alone (FieldRoll, PouchDB, the cut): they are dominated by the
simulated link, so they can run while other work shares the CPUs; the throughput section of the previous
RESULTS.md is then kept, marked with the date of the run that measured it. Benchmarks print figures; they
never pass or fail a build.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import peer_cost, report_wire, throughput, wire_cost

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
COMMAND = ".venv/bin/python -m bench.run"
DAY_MAX_REQUESTS = 2
DAY_MAX_UP_BYTES = 15 * 1024
TARGET_OPS_PER_S = 5000
THROUGHPUT_HEADING = "## Server throughput"
OPS_TARGET_ROW = f"| ≥ {TARGET_OPS_PER_S:,} ops/s"
CARRIED = "_Not rerun by"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("wire",), help="run only the wire-cost parts; keep the last throughput")
    args = parser.parse_args()
    logging.getLogger("alembic").setLevel(logging.WARNING)
    started, load_before = time.perf_counter(), os.getloadavg()
    print("wire cost, FieldRoll (2G and loopback, then a cut day)...", flush=True)
    wire = wire_cost.run()
    print("wire cost, PouchDB on the same records...", flush=True)
    try:
        peer = peer_cost.run(wire.workload)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:  # keep FieldRoll's figures all the same
        print(f"PouchDB side failed: {error}", file=sys.stderr, flush=True)
        peer = peer_cost.PeerResult({}, [], [], f"{type(error).__name__}: {error}")
    tp = None
    if args.only != "wire":
        print("throughput (1, 10, 50 devices)...", flush=True)
        tp = throughput.run()
    total = time.perf_counter() - started
    previous = RESULTS.read_text() if RESULTS.exists() else ""
    command = COMMAND + (f" --only {args.only}" if args.only else "")
    load = f"{load_before[0]:.1f} when the run started, {os.getloadavg()[0]:.1f} when it ended"
    RESULTS.write_text(render(wire, peer, tp, total, command, previous, load))
    print(RESULTS.read_text())


def render(wire: wire_cost.WireResult, peer: peer_cost.PeerResult, tp: list[throughput.ThroughputRow] | None,
           total_s: float, command: str, previous: str, load: str) -> str:
    lines = ["# Benchmark results", "",
             f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {total_s:.0f} s with `{command}`. Rerun everything "
             f"from the repository root with `{COMMAND}` (it rewrites this file; 15 to 20 minutes), or only the "
             f"wire-cost parts with `{COMMAND} --only wire` (12 to 15).", "", "## Machine", "", *_machine(),
             f"- load average (1 min): {load}; other work on the machine slows the servers, which shows in "
             "loopback walls and a little in 2G walls, not in requests or bytes", ""]
    lines += report_wire.wire_section(wire.rows)
    lines += report_wire.side_by_side_section(wire.rows, peer)
    lines += report_wire.cut_section(wire.cuts + peer.cuts)
    lines += _throughput_section(tp) if tp is not None else _carried_throughput(previous)
    lines += ["## DESIGN §7 targets", "", "| target | measured | met? |", "| --- | --- | --- |",
              *_targets(wire.rows, peer, tp, previous), ""]
    lines += ["## Not measured yet", "",
              "- PostgreSQL throughput and latency; 200 concurrent devices; the 2-core figure on PostgreSQL.",
              "- The profiler run that finds the throughput bottleneck, and its fix.",
              "- The province workload (100,000 trainees, 1,000,000 attendance records, 2,000 devices) and the "
              "coordinator dashboard's p50/p95 over it.",
              "- PWA budgets: app shell bytes compressed, offline cold start to a 40-trainee roster in headless "
              "Chromium with 4x CPU throttling, IndexedDB time to write a tap and to load 2,000 trainees.", ""]
    return "\n".join(lines)


def _throughput_section(tp: list[throughput.ThroughputRow]) -> list[str]:
    lines = [f"{THROUGHPUT_HEADING} (SQLite, gunicorn with the shipped config)", "",
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
    return lines


def _carried_throughput(previous: str) -> list[str]:
    """The previous file's throughput section, marked with the date of the run that measured it; never new figures."""
    section = _section(previous, THROUGHPUT_HEADING)
    if not section:
        return [THROUGHPUT_HEADING, "", "Not run (`--only wire`), and no earlier figures to keep.", ""]
    if any(line.startswith(CARRIED) for line in section):
        return section  # already carried over: it names the run that measured it
    return [section[0], "", f"{CARRIED} this run (`--only wire`): these figures are from the full run of "
                            f"{_run_date(previous)} UTC, on the machine described then._", *section[1:]]


def _section(text: str, heading: str) -> list[str]:
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith(heading)), None)
    if start is None:
        return []
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def _run_date(text: str) -> str:
    found = re.search(r"^Run on (.+?) UTC", text, re.MULTILINE)
    return found.group(1) if found else "an earlier run"


def _targets(wire: list[wire_cost.WireRow], peer: peer_cost.PeerResult,
             tp: list[throughput.ThroughputRow] | None, previous: str) -> list[str]:
    rows = []
    day = next((r for r in wire if r.link == "2G" and r.scenario == wire_cost.DAY), None)
    if day is not None:
        met = day.requests <= DAY_MAX_REQUESTS
        rows.append(f"| a trainer's day in ≤ {DAY_MAX_REQUESTS} round trips | {day.requests} HTTP requests | "
                    f"{'yes' if met else f'no: {day.requests - DAY_MAX_REQUESTS} too many'} |")
        met = day.bytes_up < DAY_MAX_UP_BYTES
        miss = f"no: {_kb(day.bytes_up - DAY_MAX_UP_BYTES)} over ({day.bytes_up / DAY_MAX_UP_BYTES:.1f}x the budget)"
        rows.append(f"| a trainer's day < 15 KB up, compressed | {_kb(day.bytes_up)} up | "
                    f"{'yes' if met else miss} |")
    rows += _peer_target(wire, peer)
    if tp is not None:
        best = max(tp, key=lambda r: r.ops_per_s, default=None)
        if best is not None:
            met = best.ops_per_s >= TARGET_OPS_PER_S
            short = TARGET_OPS_PER_S - best.ops_per_s
            miss = f"no: {TARGET_OPS_PER_S / best.ops_per_s:.0f}x too slow ({short:,.0f} ops/s short)"
            rows.append(f"{OPS_TARGET_ROW} on SQLite (200 devices not run yet; best of "
                        f"{', '.join(str(r.devices) for r in tp)} devices) | {best.ops_per_s:,.0f} ops/s with "
                        f"{best.devices} device(s) | {'yes' if met else miss} |")
    else:
        old = next((line for line in previous.splitlines() if line.startswith(OPS_TARGET_ROW)), None)
        if old is not None:
            rows.append(old if "(figures from" in old else
                        old.replace(" | ", f" (figures from the run of {_run_date(previous)} UTC) | ", 1))
    return rows


def _peer_target(wire: list[wire_cost.WireRow], peer: peer_cost.PeerResult) -> list[str]:
    """Fewer bytes and round trips than PouchDB on the same data, scenario by scenario on 2G."""
    mine = {r.scenario: r for r in wire if r.link == "2G"}
    worse, requests, volume = [], [], []
    compared = 0
    for theirs in (r for r in peer.rows if r.link == "2G" and r.scenario in mine):
        f, c = mine[theirs.scenario], theirs.run.counts
        compared += 1
        requests.append(c.requests / f.requests)
        volume.append((c.bytes_up + c.bytes_down) / (f.bytes_up + f.bytes_down))
        if f.requests >= c.requests or f.bytes_up + f.bytes_down >= c.bytes_up + c.bytes_down:
            worse.append(theirs.scenario)
    if not compared:
        return []
    verdict = "yes" if not worse else f"no, on: {'; '.join(worse)}"
    return [f"| fewer bytes and round trips than PouchDB on the same data (2G) | {compared} scenarios: PouchDB "
            f"needs {min(requests):.1f}x to {max(requests):.1f}x the requests and {min(volume):.1f}x to "
            f"{max(volume):.1f}x the bytes (up + down) | {verdict} |"]


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
            f"- Python {sys.version.split()[0]}; SQLite {sqlite3.sqlite_version}; Node.js {_node_version()}"]


def _node_version() -> str:
    try:
        return subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "not found"


def _kb(n: int) -> str:
    return f"{n / 1024:,.1f} KB"


if __name__ == "__main__":
    main()
