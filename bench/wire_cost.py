"""Wire cost of FieldRoll's sync: HTTP requests, bytes up and down, and wall time, on loopback and on a 2G link.

Real gunicorn (shipped config) on a fresh SQLite file; the client syncs like the PWA through
`LinkProxy`, which counts what crosses the wire and can add a 2G link's latency and bandwidth.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from bench.harness import PwaLikeClient, Server, fresh_database, gunicorn
from bench.link_proxy import LinkProxy
from bench.workloads import BenchCourse, edits, load_demo_once, seed_course, trainers_day, week_offline

LINKS = {  # name: (latency each way in s, bits per second each way)
    "2G": (0.300, 50_000),
    "loopback": (0.0, None),
}
EDITS = 10


@dataclass(frozen=True)
class WireRow:
    link: str
    scenario: str
    ops: int
    requests: int
    resent: int  # requests sent again after the server closed the idle keep-alive connection under them
    bytes_up: int
    bytes_down: int
    wall_s: float


def run(seed: int = 1) -> list[WireRow]:
    """Measure every scenario on every link; a fresh database and server for the lot."""
    rows: list[WireRow] = []
    now_ms = int(time.time() * 1000)
    with fresh_database() as (app, url, tmp):
        with app.app_context():
            load_demo_once()
            courses = {(link, kind): seed_course(f"wire-{link}-{kind}", f"bench.{link}.{kind}", now_ms, seed)
                       for link in LINKS for kind in ("day", "week")}
        with gunicorn(app, url, tmp) as server:
            for link, (latency_s, bits_per_s) in LINKS.items():
                with LinkProxy(server.port, latency_s, bits_per_s) as proxy:
                    rows += _day_then_edits(server, proxy, link, courses[(link, "day")], now_ms, seed)
                    rows += _week(server, proxy, link, courses[(link, "week")], now_ms, seed)
    return rows


def _measure(proxy: LinkProxy, client: PwaLikeClient, link: str, scenario: str) -> WireRow:
    proxy.reset()
    ops = len(client.outbox)
    started = time.perf_counter()
    done = client.sync()
    wall = time.perf_counter() - started
    client.close()  # the next sync is later, on a new connection
    counts = proxy.reset()
    return WireRow(link, scenario, ops, counts.requests, counts.requests - done.requests, counts.bytes_up,
                   counts.bytes_down, wall)


def _day_then_edits(server: Server, proxy: LinkProxy, link: str, course: BenchCourse, now_ms: int,
                    seed: int) -> list[WireRow]:
    device = server.enrol(_trainer_name(link, "day"))
    client = PwaLikeClient(device, proxy.port)
    rows = [_measure(proxy, client, link, "get ready (first pull, fresh device)")]
    client.outbox, device.clock = trainers_day(course, device.id, 0, now_ms - 10 * 3600 * 1000, seed,
                                               device.clock)
    rows.append(_measure(proxy, client, link, "a trainer's day (push)"))
    client.outbox, device.clock = edits(client.records, device.id, EDITS, int(time.time() * 1000), device.clock, seed)
    rows.append(_measure(proxy, client, link, f"incremental: {EDITS} edits"))
    rows.append(_measure(proxy, client, link, "idle sync (nothing to send, nothing new)"))
    return rows


def _week(server: Server, proxy: LinkProxy, link: str, course: BenchCourse, now_ms: int, seed: int) -> list[WireRow]:
    device = server.enrol(_trainer_name(link, "week"))
    client = PwaLikeClient(device, proxy.port)
    client.sync()  # got ready before going offline; not measured here
    client.close()
    client.outbox = week_offline(course, device.id, now_ms, seed)
    return [_measure(proxy, client, link, "a week offline (push)")]


def _trainer_name(link: str, kind: str) -> str:
    return f"bench.{link}.{kind}"
