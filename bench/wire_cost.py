"""Wire cost of FieldRoll's sync: HTTP requests, bytes up and down, and wall time, on loopback and on a 2G link.

Real gunicorn (shipped config) on a fresh SQLite file; the client syncs like the PWA through
`LinkProxy`, which counts what crosses the wire and can add a 2G link's latency and bandwidth.
The 2G run also keeps the records it moved (`PeerWorkload`), so PouchDB can replay the same data,
and cuts a trainer's day halfway then resumes it (`bench.cut_resume`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from bench import cut_resume
from bench.harness import PwaLikeClient, Server, fresh_database, gunicorn
from bench.link_proxy import Counts, LinkProxy
from bench.workloads import TRAINEES, BenchCourse, edits, load_demo_once, seed_course, trainers_day, week_offline

LINKS = {  # name: (latency each way in s, bits per second each way)
    "2G": (0.300, 50_000),
    "loopback": (0.0, None),
}
CUT_LINK = "2G"
EDITS = 10
BIG_CLASS = 72  # trainees: a day's taps on such a course are 72 x 14 = 1,008 different records
# The scenarios run by both FieldRoll and PouchDB, by name.
DAY = "a trainer's day (push)"
INCREMENTAL = f"incremental push after {EDITS} edits"
PUSH_100 = "push 100 records"
PUSH_1000 = "push 1,000 records"
PULL_1000 = "pull 1,000 records into a fresh device"
SIDE_BY_SIDE = (DAY, INCREMENTAL, PUSH_100, PUSH_1000, PULL_1000)


@dataclass(frozen=True)
class WireRow:
    link: str
    scenario: str
    ops: int
    pulled: int  # records (changes) the device received
    requests: int
    resent: int  # requests sent again after the server closed the idle keep-alive connection under them
    bytes_up: int
    bytes_down: int
    wall_s: float


@dataclass
class PeerWorkload:
    """The records the 2G run moved, for PouchDB to move the same: ops a device made, records a device pulled."""

    ops: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    pulled: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


@dataclass
class WireResult:
    rows: list[WireRow]
    workload: PeerWorkload
    cuts: list[cut_resume.CutRow]


def run(seed: int = 1) -> WireResult:
    """Measure every scenario on every link, then the cuts; a fresh database and server for the lot."""
    result = WireResult([], PeerWorkload(), [])
    now_ms = int(time.time() * 1000)
    kinds = {"day": TRAINEES, "week": TRAINEES, "p100": TRAINEES, "p1000": BIG_CLASS}
    with fresh_database() as (app, url, tmp):
        with app.app_context():
            load_demo_once()
            courses = {(link, kind): seed_course(f"wire-{link}-{kind}", _trainer(link, kind), now_ms, seed, trainees)
                       for link in LINKS for kind, trainees in kinds.items()}
            courses |= {(CUT_LINK, f"cut-{way}"): seed_course(f"cut-{way}", _trainer(CUT_LINK, f"cut-{way}"), now_ms,
                                                              seed) for way in cut_resume.CUTS}
        with gunicorn(app, url, tmp) as server:
            for link, (latency_s, bits_per_s) in LINKS.items():
                keep = result.workload if link == CUT_LINK else PeerWorkload()
                with LinkProxy(server.port, latency_s, bits_per_s) as proxy:
                    rows = _day_then_edits(server, proxy, link, courses, now_ms, seed, keep)
                    rows += _push_then_pull(server, proxy, link, courses, now_ms, seed, keep)
                    rows += _week(server, proxy, link, courses[(link, "week")], now_ms, seed)
                    result.rows += rows
                    if link == CUT_LINK:
                        day = next(r for r in rows if r.scenario == DAY)
                        clean = Counts(day.requests, day.bytes_up, day.bytes_down)
                        result.cuts += [cut_resume.fieldroll(server, proxy, courses[(link, f"cut-{way}")],
                                                             _trainer(link, f"cut-{way}"), way, clean, now_ms, seed)
                                        for way in cut_resume.CUTS]
    return result


def _measure(proxy: LinkProxy, client: PwaLikeClient, link: str, scenario: str) -> WireRow:
    proxy.reset()
    ops = len(client.outbox)
    started = time.perf_counter()
    done = client.sync()
    wall = time.perf_counter() - started
    client.close()  # the next sync is later, on a new connection
    counts = proxy.reset()
    return WireRow(link, scenario, ops, done.changes_pulled, counts.requests, counts.requests - done.requests,
                   counts.bytes_up, counts.bytes_down, wall)


def _day_then_edits(server: Server, proxy: LinkProxy, link: str, courses: dict[tuple[str, str], BenchCourse],
                    now_ms: int, seed: int, keep: PeerWorkload) -> list[WireRow]:
    device = server.enrol(_trainer(link, "day"))
    client = PwaLikeClient(device, proxy.port)
    rows = [_measure(proxy, client, link, "get ready (first pull, fresh device)")]
    ops, device.clock = trainers_day(courses[(link, "day")], device.id, 0, now_ms - 10 * 3600 * 1000, seed,
                                     device.clock)
    keep.ops[DAY] = client.queue(ops)
    rows.append(_measure(proxy, client, link, DAY))
    ops, device.clock = edits(client.records, device.id, EDITS, int(time.time() * 1000), device.clock, seed)
    keep.ops[INCREMENTAL] = client.queue(ops)
    rows.append(_measure(proxy, client, link, INCREMENTAL))
    rows.append(_measure(proxy, client, link, "idle sync (nothing to send, nothing new)"))
    return rows


def _push_then_pull(server: Server, proxy: LinkProxy, link: str, courses: dict[tuple[str, str], BenchCourse],
                    now_ms: int, seed: int, keep: PeerWorkload) -> list[WireRow]:
    """Push the first 100 and 1,000 taps of a day from devices that got ready; pull the 1,000 into a new device."""
    rows = []
    for kind, count, scenario in (("p100", 100, PUSH_100), ("p1000", 1000, PUSH_1000)):
        device = server.enrol(_trainer(link, kind))
        client = PwaLikeClient(device, proxy.port)
        client.sync()  # got ready; not measured
        client.close()
        ops, device.clock = trainers_day(courses[(link, kind)], device.id, 0, now_ms - 10 * 3600 * 1000, seed,
                                         device.clock)
        keep.ops[scenario] = client.queue(ops[:count])
        rows.append(_measure(proxy, client, link, scenario))
    fresh = PwaLikeClient(server.enrol(_trainer(link, "p1000")), proxy.port)  # the same trainer's new phone
    rows.append(_measure(proxy, fresh, link, PULL_1000))
    keep.pulled[PULL_1000] = list(fresh.records.values())
    return rows


def _week(server: Server, proxy: LinkProxy, link: str, course: BenchCourse, now_ms: int, seed: int) -> list[WireRow]:
    device = server.enrol(_trainer(link, "week"))
    client = PwaLikeClient(device, proxy.port)
    client.sync()  # got ready before going offline; not measured
    client.close()
    client.queue(week_offline(course, device.id, now_ms, seed))
    return [_measure(proxy, client, link, "a week offline (push)")]


def _trainer(link: str, kind: str) -> str:
    return f"bench.{link}.{kind}"
