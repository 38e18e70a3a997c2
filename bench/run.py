"""Run every benchmark and write bench/RESULTS.md: `.venv/bin/python -m bench.run`.

`--only wire|throughput|pwa|province` runs one part alone and rewrites only its sections and its rows
of the targets table, keeping the rest of RESULTS.md: the wire-cost parts (FieldRoll, PouchDB, the cut;
12 to 15 minutes, dominated by the simulated link, so they can run while other work shares the CPUs),
the server throughput (1, 50 and 200 devices on SQLite and PostgreSQL, 5 to 10), the PWA budgets in
Chromium (2 to 3) or the dashboard at province scale on PostgreSQL (5 to 10). Benchmarks print figures;
they never pass or fail a build.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import peer_cost, province, pwa_budgets, report_wire, results_file, throughput, wire_cost
from bench.results_file import RESULTS

COMMAND = ".venv/bin/python -m bench.run"
DAY_MAX_REQUESTS = 2
DAY_MAX_UP_BYTES = 15 * 1024
TARGET_OPS_PER_S = 5000
THROUGHPUT_HEADING = "## Server throughput"
OPS_TARGET_ROW = f"| ≥ {TARGET_OPS_PER_S:,} ops/s"
PROFILE_NOTE = [
    "### Where the time went, and what was fixed", "",
    "`.venv/bin/python -m bench.profile_sync` profiles the apply path in-process (cProfile with a CPU-time timer, "
    "the real `POST /api/v1/sync` through Flask's test client, a fresh SQLite file) and prints the top costs, for "
    "a week offline from one device (2,800 ops in 7 chunks) and a mixed load (5 trainers push a day each, then 20 "
    "corrections each with `base_rev`).", "",
    "- Before (same machine and load, back to back): a week offline took 11.1 s of CPU in `push`, of which "
    "5.7 s (52%) in `SqlStore._write_conflicts`: every op on a record that already existed (1,920 of 2,800) ran "
    "its own query for the record's conflicts, and each query first flushed every ORM object pending in the "
    "session, so the batch was flushed to the database op by op. The per-record history query "
    "(`op_log.record_id IN ...`) could not use the `(entity, record_id)` index, so each batch scanned the whole "
    "op log, a cost that grows with every op ever applied (the 50-device run was slower per op than 1 device).",
    "- Fix (server/sql_store.py): a record's conflicts are loaded with its history, in one query per 500 records "
    "per batch, and kept for the batch; op_log rows are written in one multi-row INSERT per batch (flushed "
    "before anything reads op_log, and per op in the savepoint fallback); history is read as plain rows, with "
    "the entity in the query so the index serves it. sync/merge.py parses an op's HLC once, not once per field. "
    "Protocol behaviour is unchanged (tests/server and tests/sync pass on SQLite and PostgreSQL).",
    "- After: the week offline takes 4.3 s of CPU in `push` (2.4x fewer CPU seconds per op; 584 against 240 ops "
    "per CPU second under cProfile), the mixed load 1.4x fewer. What remains is spread thin: the merge itself "
    "(`merge_record`, about 25%), the check-in review after the batch, SQLAlchemy's flush of the ORM rows for "
    "the records (about 15%), op validation (`parse_op`, about 14%) and the history read.",
    "- Concurrency (server/database.py): on SQLite, 20 gunicorn threads polled SQLite's lock (`busy_timeout`, "
    "sleeps of up to 100 ms, no order); with 200 devices some waited past 30 s and failed with `database is "
    "locked` (2 failed syncs in a run before the fix). Writers now queue on a per-process lock first, so one "
    "thread per worker waits at SQLite's lock. `synchronous=FULL` is kept: an acknowledged op must survive a "
    "power cut. On PostgreSQL, every write already queues on one advisory lock, so writers never deadlock.",
    "- This benchmark on the code before these fixes, run back to back with the run above on 2026-12-06 (load "
    "average about 5): SQLite, 1 device 441 ops/s (p99 2.1 s); 200 devices 1,664 ops/s (p99 51 s), 0 failed. A "
    "day of new records opens no conflicts, so at 200 devices the gain (1.4x) comes from the indexed history read "
    "and the one-statement op_log insert; a week offline, which updates records, gains 4.4x on 1 device.",
    "- Round 1 left about 0.4 ms of Python per op, applied serially under the one write lock (by design: revs "
    "become visible in the order they are handed out): merge, validation, ORM rows, check-in review.",
    "- Round 2 (same day): new records are written with one multi-row INSERT per entity per batch "
    "(server/row_cache.py), as plain rows rather than ORM objects, stored before anything queries their table "
    "(the scope check on enrollments) and before commit, and op by op in the savepoint fallback; a record's "
    "first op gives its state without building per-field writes, a field written once skips the sort "
    "(sync/merge.py), and an op's device is parsed from its HLC once (sync/ops.py). Under the profiler, back to "
    "back on an idle machine: the week offline 4.84 s of CPU before, 4.23 s after (579 against 662 ops per CPU "
    "second); the mixed load 5.50 s before, 3.15 s after (1.75x). Without the profiler, in-process, about 290 "
    "against 235 us of CPU per op for the week, 250 against 190 for the mixed load. Tried and dropped, as they "
    "measured no better: keeping a record's state between two ops of one batch, building each op's writes once, "
    "a bulk UPDATE for existing records instead of the ORM's (which already batches its UPDATEs), skipping "
    "unchanged fields, and skipping the review query for pairs with no confirmation (its cost is the flush it "
    "triggers, which happens at the end of the batch anyway).",
    "- Round 3 (2026-12-06): the gunicorn workers, traced, used about one of the two CPUs: throughput was capped "
    "by how long each request held the write lock, 83 to 117 ms, of which 52 to 63 ms of CPU. Moved out of the "
    "lock: checking every op's shape and listing the records a batch names (`sync/engine.py` `parse_batch`, "
    "`server/row_cache.py` `keys_of_ops`). A record the batch's row lookup found absent skips the op-log and "
    "conflict queries (every applied op writes its record's row). The pull reads plain rows of the columns it "
    "sends. The client threads run at nice 19, as a phone's own work does not take the server's CPU. CPU under "
    "the lock per op (profiler, back to back): the mixed load 687 to 468 us, the week offline 1,176 to 1,001 "
    "us; 200 devices on SQLite, pairs run back to back: 3,113 to 3,603 and 2,652 to 4,133 ops/s. The dashboard "
    "counts kept by the apply path since (`server/attendance_counts.py`) did not show in the profile.",
    "- Round 4 (2026-12-06, later): timed in-process without the profiler (`bench.profile_sync`'s mixed load, 10 "
    "trainers), the dashboard's recount, with the figures' kept rows of migration 0010 added, took 235 of about "
    "950 ms under the lock, 8 ms a batch: nearly all of it SQLAlchemy building and compiling statements, not "
    "SQLite running them (the sqlite3 cursor's own time over the whole run was about 50 ms). The recount's "
    "statements are now built once, with the courses as one expanding parameter: 80 to 90 ms, 3 ms a batch. "
    "The same overhead is spread over the other queries under the lock: a batch's 400 ids in an IN list are "
    "built and expanded value by value, about 14 % of the lock's CPU under the profiler; binding such a list as "
    "one array parameter is what is left to try. Tried: 2 or 3 gunicorn workers instead of 5 on SQLite; the "
    "differences stayed inside the run-to-run spread (2,852 to 3,593 ops/s for the same code, same hour).",
    "- Round 5 (2026-12-06, afternoon), a cost, not a fix: migration 0011 (docs/architecture.md, decision 26) keeps "
    "each trainee's figures per commune and calendar period, remade under the lock for every trainee of a "
    "recounted course, so that the province's figures answer in under 300 ms. In-process (`bench.profile_sync`'s "
    "mixed load, 10 trainers, warm) it takes 100 to 130 ms of about 1,000 ms under the lock, 3 to 4 ms a batch: "
    "two small reads, the rows summed in Python, a delete and an insert of about 160 rows. One SQL statement "
    "grouping the rows four ways, tried first, took SQLite 1.8 ms a batch on its own. 200 devices on SQLite, "
    "the code before and after run alternately in the same hour, four pairs: 3,098 / 3,010, 3,755 / 3,169, "
    "2,969 / 2,823 and 3,143 / 2,786 ops/s, about 9 % fewer on average.",
    "- Still short of 5,000 ops/s on SQLite with 200 devices: applying stays serial under the write lock, which "
    "is still held 50 to 85 ms a request: the check-in review after the batch (about 11 ms of CPU), the SQLite "
    "COMMIT (about 17 ms: random-UUID indexes touch many pages, about 1.3 MB of WAL written and synced per "
    "request with `synchronous=FULL`), the merge, the ORM's UPDATEs and the history read. A file lock that "
    "queued writers across workers measured no better and was taken out.",
    "",
]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=tuple(PARTS), help="run only this part; keep the rest of RESULTS.md")
    args = parser.parse_args()
    for name in ("alembic", "werkzeug"):
        logging.getLogger(name).setLevel(logging.WARNING)
    started = datetime.now(UTC)
    sections, targets = [], []
    for name in [args.only] if args.only else PARTS:
        part_sections, part_targets = PARTS[name]()
        sections += part_sections
        targets += part_targets
    if not args.only:
        RESULTS.write_text("")  # a whole run writes the file anew
    ran = f"`{COMMAND}{f' --only {args.only}' if args.only else ''}`, from {started:%Y-%m-%d %H:%M} UTC"
    results_file.update([("# ", _preamble()), ("## Machine", _machine_section(ran))], [], RESULTS)
    results_file.update(sections, targets, RESULTS)
    print(RESULTS.read_text())


Part = tuple[list[tuple[str, list[str]]], list[str]]  # (heading, section lines) and target rows


def _wire() -> Part:
    print("wire cost, FieldRoll (2G and loopback, then a cut day)...", flush=True)
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    wire = wire_cost.run()
    print("wire cost, PouchDB on the same records...", flush=True)
    try:
        peer = peer_cost.run(wire.workload)
    except (OSError, RuntimeError, subprocess.SubprocessError) as error:  # keep FieldRoll's figures all the same
        print(f"PouchDB side failed: {error}", file=sys.stderr, flush=True)
        peer = peer_cost.PeerResult({}, [], [], f"{type(error).__name__}: {error}")
    parts = [report_wire.wire_section(wire.rows), report_wire.side_by_side_section(wire.rows, peer),
             report_wire.cut_section(wire.cuts + peer.cuts)]
    parts[0][1:1] = ["", _note(started, load_before, f"{COMMAND} --only wire")]
    return [(lines[0], lines) for lines in parts], _wire_targets(wire.rows, peer)


def _throughput() -> Part:
    print("throughput (1, 50, 200 devices; SQLite, then PostgreSQL)...", flush=True)
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    tp = throughput.run()
    section = _throughput_section(tp, _note(started, load_before, f"{COMMAND} --only throughput"))
    return [(THROUGHPUT_HEADING, section)], [row for row in [_ops_target(tp)] if row]


def _pwa() -> Part:
    print("PWA budgets: build, first load, offline cold starts, IndexedDB...", flush=True)
    result = pwa_budgets.run()
    return [(pwa_budgets.HEADING, pwa_budgets.section(result))], pwa_budgets.targets(result)


def _province() -> Part:
    print("dashboard at province scale (PostgreSQL)...", flush=True)
    result = province.run()
    return [(province.HEADING, province.section(result, province.BEFORE_0008))], [province.target_row(result)]


PARTS = {"wire": _wire, "throughput": _throughput, "pwa": _pwa, "province": _province}


def _note(started: float, load_before: float, command: str) -> str:
    return (f"_Measured on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in {time.perf_counter() - started:.0f} s "
            f"(rerun alone with `{command}`), on the machine described above; load average (1 min) "
            f"{load_before:.1f} when it started, {os.getloadavg()[0]:.1f} when it ended (other work on the 2 CPUs "
            "slows the server and the client threads alike)._")


def _preamble() -> list[str]:
    return ["# Benchmark results", "",
            f"Each part says when it was measured and under what load. Rerun everything from the repository "
            f"root with `{COMMAND}` (it rewrites this file; 30 to 40 minutes), or one part with "
            f"`{COMMAND} --only wire|throughput|pwa|province` (it rewrites that part's sections and target rows).",
            ""]


def _machine_section(ran: str) -> list[str]:
    return ["## Machine", "", *_machine(),
            f"- last written by {ran}; other work on the machine slows the servers, which shows in loopback "
            "walls and a little in 2G walls, not in requests or bytes", ""]


def _throughput_section(tp: list[throughput.ThroughputRow], note: str) -> list[str]:
    plan = ", ".join(f"{n} device(s): {ops:,}" for n, ops in throughput.PLAN.items())
    lines = [f"{THROUGHPUT_HEADING} (gunicorn with the shipped config; SQLite and PostgreSQL)", "", note, "",
             "Each device is a different trainer with their own course, already synced once; all push at once "
             f"(ops per device: {plan}; a day is 560, one sync per day) from threads in the benchmark process "
             "(which shares the CPUs with the server). Latency is one `POST /api/v1/sync` (a chunk of up to 400 "
             "ops plus its pull page), as the client measured it. \"Lost\" counts ops the server acknowledged "
             "that op_log does not hold after the run. SQLite runs with `synchronous=FULL` (an acked op survives "
             "a power cut); the throwaway PostgreSQL from `scripts/postgres.sh` runs with `fsync=off` and "
             "`synchronous_commit=off`, so its commits cost less than a production server's would.", "",
             "| database | devices | ops acked | sync requests | wall | ops applied/s | p50 | p95 | p99 | "
             "failed syncs | lost ops |",
             "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    lines += [f"| {r.database} | {r.devices} | {r.ops:,} | {r.requests} | {r.wall_s:.1f} s | {r.ops_per_s:,.0f} | "
              f"{r.p50_ms:,.0f} ms | {r.p95_ms:,.0f} ms | {r.p99_ms:,.0f} ms | {r.failed_syncs}"
              f"{' (' + r.first_failure + ')' if r.first_failure else ''} | {r.lost_ops} |" for r in tp]
    lines += ["", "A failed sync stops that device's work; the ops it had acknowledged still count.", ""]
    errors = [(r.database, r.devices, e) for r in tp for e in r.server_errors]
    if errors:
        lines += ["Errors in gunicorn's log (first distinct lines per run):", ""]
        lines += [f"- {db}, {n} device(s): `{e}`" for db, n, e in errors]
        lines += [""]
    else:
        lines += ["No errors in gunicorn's log in any run.", ""]
    lines += PROFILE_NOTE
    return lines


def _wire_targets(wire: list[wire_cost.WireRow], peer: peer_cost.PeerResult) -> list[str]:
    rows = []
    day = next((r for r in wire if r.link == "2G" and r.scenario == wire_cost.DAY), None)
    if day is not None:
        met = day.requests <= DAY_MAX_REQUESTS
        rows.append(f"| a trainer's day in ≤ {DAY_MAX_REQUESTS} round trips | {day.requests} HTTP requests | "
                    f"{'yes' if met else f'no: {day.requests - DAY_MAX_REQUESTS} too many'} |")
        met = day.bytes_up < DAY_MAX_UP_BYTES
        miss = (f"no: {_kb(day.bytes_up - DAY_MAX_UP_BYTES)} over ({day.bytes_up / DAY_MAX_UP_BYTES:.1f}x the "
                "budget), though ops go compact (docs/architecture.md, decision 23)")
        rows.append(f"| a trainer's day < 15 KB up, compressed | {_kb(day.bytes_up)} up | "
                    f"{'yes' if met else miss} |")
    return rows + _peer_target(wire, peer)


def _ops_target(tp: list[throughput.ThroughputRow]) -> str:
    """The DESIGN §7 row: ops/s on SQLite with the most devices at once."""
    sqlite = [r for r in tp if r.database == "sqlite"]
    if not sqlite:
        return ""
    row = max(sqlite, key=lambda r: r.devices)
    met = row.ops_per_s >= TARGET_OPS_PER_S
    miss = (f"no: {TARGET_OPS_PER_S / row.ops_per_s:.1f}x too slow "
            f"({TARGET_OPS_PER_S - row.ops_per_s:,.0f} ops/s short; see the throughput section)")
    return (f"{OPS_TARGET_ROW} on SQLite with {row.devices} devices at once | {row.ops_per_s:,.0f} ops/s "
            f"({row.failed_syncs} failed syncs, {row.lost_ops} lost ops) | {'yes' if met else miss} |")


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
