"""A sync cut halfway, then resumed: what was sent twice, for FieldRoll here and for PouchDB in peer_cost.

The proxy resets the connection that carries the byte halfway through what the same workload moved in one
uncut sync measured in this run, either upload (mid-request) or download (mid-response). The client then
syncs again, as the app does when signal is back, until it is done. "Extra" is what the cut run plus its
resume cost beyond that uncut sync. A phone would notice a dead link by a timeout; here the reset is seen
at once, so wall times leave out that wait.
"""

from __future__ import annotations

import http.client
import time
from dataclasses import dataclass

from bench.harness import PwaLikeClient, Server
from bench.link_proxy import Counts, LinkProxy
from bench.workloads import BenchCourse, trainers_day

CUTS = {"up": "mid-request (upload)", "down": "mid-response (download)"}
MAX_RESUMES = 5


@dataclass(frozen=True)
class CutRow:
    system: str
    cut: str  # one of CUTS' values
    cut_at_bytes: int  # into that direction, from the start of the sync
    cut_in_request: int  # which HTTP request of the sync (1-based) was cut, or its answer; 0 if no cut happened
    records: int
    syncs: int  # sync calls (or replications) until done: the cut one and its resumes
    requests: int
    bytes_up: int
    bytes_down: int
    wall_s: float
    records_sent: int  # records in request bodies, counting each time one was sent
    already_applied: int  # of the records sent again, how many the server had applied the first time (-1: unknown)
    extra_up: int
    extra_down: int
    extra_requests: int


def halfway(clean: Counts, way: str) -> int:
    """The byte in direction `way` halfway through an uncut sync."""
    return max(1, (clean.bytes_up if way == "up" else clean.bytes_down) // 2)


def fieldroll(server: Server, proxy: LinkProxy, course: BenchCourse, trainer: str, way: str, clean: Counts,
              now_ms: int, seed: int) -> CutRow:
    """Push a trainer's day with the link cut halfway `way`, then sync again until the outbox is empty."""
    device = server.enrol(trainer)
    client = PwaLikeClient(device, proxy.port)
    client.sync()  # got ready first; not measured
    client.close()
    ops, device.clock = trainers_day(course, device.id, 0, now_ms - 10 * 3600 * 1000, seed, device.clock)
    client.queue(ops)
    records = len(client.outbox)
    proxy.reset()
    cut_at = halfway(clean, way)
    proxy.cut_after(way, cut_at)
    started = time.perf_counter()
    syncs = already = 0
    while True:
        syncs += 1
        try:
            already += client.sync().duplicates
            break
        except (OSError, http.client.HTTPException) as error:
            if syncs > MAX_RESUMES:
                raise RuntimeError(f"FieldRoll's sync did not finish after {MAX_RESUMES} resumes") from error
            client.close()  # signal is back: the next sync opens a new connection and sends the chunk again
    wall = time.perf_counter() - started
    client.close()
    counts = proxy.reset()
    return CutRow("FieldRoll", CUTS[way], cut_at, proxy.cut_in_request or 0, records, syncs, counts.requests,
                  counts.bytes_up, counts.bytes_down, wall, client.ops_on_wire, already,
                  counts.bytes_up - clean.bytes_up, counts.bytes_down - clean.bytes_down,
                  counts.requests - clean.requests)
