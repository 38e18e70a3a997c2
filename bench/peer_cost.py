"""The peer FieldRoll is compared with: PouchDB 9 replicating to pouchdb-server 4.2, through the same link proxy.

pouchdb-server runs in memory (`-m`) from bench/peer/node_modules, installed with `npm ci` from the committed
lock file when missing. bench/peer/replicate.mjs holds the devices (in-memory PouchDB databases) and
replicates on command; this module tells it what to write and replicate, and reads the proxy's counters.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.cut_resume import CUTS, MAX_RESUMES, CutRow, halfway
from bench.harness import LOOPBACK, free_port
from bench.link_proxy import Counts, LinkProxy
from bench.wire_cost import CUT_LINK, DAY, INCREMENTAL, LINKS, PULL_1000, PUSH_100, PUSH_1000, PeerWorkload

PEER_DIR = Path(__file__).resolve().parent / "peer"
SERVER_BIN = PEER_DIR / "node_modules" / "pouchdb-server" / "bin" / "pouchdb-server"
START_TIMEOUT_S = 30
DAY_SYNC = "a trainer's day, as db.sync() (push and pull)"  # PouchDB only: FieldRoll's push is already two-way
NPM_TIMEOUT_S = 600


@dataclass(frozen=True)
class PeerRun:
    """What one replication cost: the proxy's counts and what PouchDB said it did."""

    counts: Counts
    wall_s: float
    ok: bool
    error: str | None
    docs_written: int
    docs_read: int
    bulk_docs_docs: int  # docs in the _bulk_docs bodies PouchDB sent, counting any it sent again
    requests_by_endpoint: dict[str, int] = field(default_factory=dict)  # first sends only
    resent: int = 0  # requests sent again at once after a reset before any answer (a closed keep-alive connection)
    compressed_responses: int = 0
    failed_requests: tuple[str, ...] = ()


def ensure_installed() -> None:
    """Install bench/peer's locked packages (pouchdb, pouchdb-server) if they are not there yet."""
    if SERVER_BIN.exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed for the PouchDB side of the benchmark")
    print("installing bench/peer (npm ci)...", flush=True)
    # --ignore-scripts: the in-memory adapters are plain JavaScript; the optional native builds (leveldown,
    # sqlite3) would try to download binaries, which this machine cannot, and are not used here.
    subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=PEER_DIR, check=True,
                   timeout=NPM_TIMEOUT_S)


def versions() -> dict[str, str]:
    """The versions actually installed: the client's PouchDB, pouchdb-server, and the PouchDB inside the server."""
    def version(path: str) -> str:
        return str(json.loads((PEER_DIR / "node_modules" / path / "package.json").read_text())["version"])
    return {"pouchdb": version("pouchdb"), "pouchdb-server": version("pouchdb-server"),
            "pouchdb-core in the server": version("pouchdb-server/node_modules/pouchdb-core")}


@contextmanager
def pouchdb_server() -> Iterator[int]:
    """Run pouchdb-server in memory on a free loopback port; yield the port. Its config and log go to a temp dir."""
    ensure_installed()
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="fieldroll-pouchdb-") as tmp:
        log_path = Path(tmp) / "stderr.log"
        with open(log_path, "wb") as log:
            proc = subprocess.Popen(["node", str(SERVER_BIN), "--in-memory", "--port", str(port), "--host", LOOPBACK,
                                     "--no-stdout-logs", "--no-color"], cwd=tmp, stdout=subprocess.DEVNULL,
                                    stderr=log)
        try:
            _wait_until_serving(proc, port, log_path)
            yield port
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)


def _wait_until_serving(proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"pouchdb-server exited: {log_path.read_text()[-2000:]}")
        try:
            conn = http.client.HTTPConnection(LOOPBACK, port, timeout=5)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("pouchdb-server did not start in time")


class PouchDevices:
    """The node process that holds PouchDB devices and replicates them on command (bench/peer/replicate.mjs)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(["node", "replicate.mjs"], cwd=PEER_DIR, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)

    def __enter__(self) -> PouchDevices:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc.poll() is None:
            self._send({"cmd": "quit"})
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)

    def seed(self, remote: str, docs: list[dict[str, Any]]) -> None:
        """Write docs straight to the server (not through the proxy, not measured)."""
        self._call({"cmd": "seed", "remote": remote, "docs": docs})

    def write(self, device: str, docs: list[dict[str, Any]]) -> None:
        """Upsert docs on the device, as the app's taps would."""
        self._call({"cmd": "write", "device": device, "docs": docs})

    def replicate(self, proxy: LinkProxy, device: str, db: str, direction: str) -> PeerRun:
        """Replicate the device with `db` through the proxy ("push", "pull" or "sync") and count what crossed."""
        proxy.reset()
        answer = self._send({"cmd": "replicate", "device": device, "direction": direction,
                             "remote": f"http://{LOOPBACK}:{proxy.port}/{db}"})
        counts = proxy.reset()
        return PeerRun(counts, answer["wall_ms"] / 1000, answer["ok"], answer.get("error"), answer["docs_written"],
                       answer["docs_read"], answer["bulk_docs_docs"], answer["requests"], answer["resent"],
                       answer["compressed_responses"], tuple(answer["failed_requests"]))

    def _call(self, command: dict[str, Any]) -> dict[str, Any]:
        answer = self._send(command)
        if not answer["ok"]:
            raise RuntimeError(f"PouchDB {command['cmd']} failed: {answer.get('error')}")
        return answer

    def _send(self, command: dict[str, Any]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(command, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()
        if command["cmd"] == "quit":
            return {}
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"replicate.mjs exited (code {self.proc.poll()})")
        answer: dict[str, Any] = json.loads(line)
        return answer


def doc_from_op(op: dict[str, Any]) -> dict[str, Any]:
    """The document a PouchDB app would write for a FieldRoll op: same id, same fields, the entity as a field."""
    return {"_id": op["id"], "entity": op["entity"], **op["fields"]}


def doc_from_change(change: dict[str, Any]) -> dict[str, Any]:
    """The document a PouchDB server would hold for a record FieldRoll's server sends a device."""
    return {"_id": change["id"], "entity": change["entity"], **change["fields"]}


@dataclass(frozen=True)
class PeerRow:
    link: str
    scenario: str
    records: int
    run: PeerRun


@dataclass
class PeerResult:
    versions: dict[str, str]
    rows: list[PeerRow]
    cuts: list[CutRow]
    error: str | None = None  # why the PouchDB side could not be measured in this run


def run(workload: PeerWorkload) -> PeerResult:
    """Replay the 2G run's records with PouchDB on every link, then cut a trainer's day halfway and resume it."""
    ensure_installed()
    result = PeerResult(versions(), [], [])
    with pouchdb_server() as port, PouchDevices() as devices:
        for link, (latency_s, bits_per_s) in LINKS.items():
            with LinkProxy(port, latency_s, bits_per_s) as proxy:
                scenarios = _Scenarios(devices, proxy, port, link)
                rows = scenarios.day_then_edits(workload) + scenarios.push_and_pull(workload)
                result.rows += rows
                if link == CUT_LINK:
                    clean = next(r.run for r in rows if r.scenario == DAY)
                    docs = [doc_from_op(op) for op in workload.ops[DAY]]
                    result.cuts += [scenarios.cut(docs, way, clean) for way in CUTS]
    return result



class _Scenarios:
    """The side-by-side scenarios on one link: each on its own database (made first, as an admin would)."""

    def __init__(self, devices: PouchDevices, proxy: LinkProxy, port: int, link: str) -> None:
        self.devices, self.proxy, self.port, self.link = devices, proxy, port, link

    def database(self, name: str, docs: list[dict[str, Any]] | None = None) -> str:
        db = f"bench-{self.link.lower()}-{name}"  # CouchDB names: lower case, starting with a letter
        self.devices.seed(f"http://{LOOPBACK}:{self.port}/{db}", docs or [])
        return db

    def measure(self, scenario: str, device: str, db: str, direction: str, records: int) -> PeerRow:
        done = self.devices.replicate(self.proxy, device, db, direction)
        if not done.ok:
            raise RuntimeError(f"PouchDB {scenario} on {self.link} failed: {done.error} {done.failed_requests}")
        return PeerRow(self.link, scenario, records, done)

    def day_then_edits(self, workload: PeerWorkload) -> list[PeerRow]:
        day = {op["id"]: doc_from_op(op) for op in workload.ops[DAY]}
        device, db = f"{self.link}-day", self.database("day")
        self.devices.write(device, list(day.values()))
        rows = [self.measure(DAY, device, db, "push", len(day))]
        # An edit changes the fields it names and keeps the rest of the doc, as FieldRoll's field merge does.
        edited = [{**day[op["id"]], **op["fields"]} for op in workload.ops[INCREMENTAL]]
        self.devices.write(device, edited)
        rows.append(self.measure(INCREMENTAL, device, db, "push", len(edited)))
        device, db = f"{self.link}-day-sync", self.database("day-sync")
        self.devices.write(device, list(day.values()))
        rows.append(self.measure(DAY_SYNC, device, db, "sync", len(day)))
        return rows

    def push_and_pull(self, workload: PeerWorkload) -> list[PeerRow]:
        rows = []
        for name, scenario in (("p100", PUSH_100), ("p1000", PUSH_1000)):
            docs = [doc_from_op(op) for op in workload.ops[scenario]]
            device, db = f"{self.link}-{name}", self.database(name)
            self.devices.write(device, docs)
            rows.append(self.measure(scenario, device, db, "push", len(docs)))
        docs = [doc_from_change(c) for c in workload.pulled[PULL_1000] if not c.get("deleted")]
        db = self.database("pull", docs)
        rows.append(self.measure(PULL_1000, f"{self.link}-fresh", db, "pull", len(docs)))
        return rows

    def cut(self, docs: list[dict[str, Any]], way: str, clean: PeerRun) -> CutRow:
        """Push the day with the link cut halfway `way`, then replicate again (from its checkpoint) until done."""
        device, db = f"{self.link}-cut-{way}", self.database(f"cut-{way}")
        self.devices.write(device, docs)
        cut_at = halfway(clean.counts, way)
        self.proxy.cut_after(way, cut_at)
        runs = [self.devices.replicate(self.proxy, device, db, "push")]
        cut_in_request = self.proxy.cut_in_request or 0
        while not runs[-1].ok:
            if len(runs) > MAX_RESUMES:
                raise RuntimeError(f"PouchDB's replication did not finish after {MAX_RESUMES} resumes")
            runs.append(self.devices.replicate(self.proxy, device, db, "push"))
        requests = sum(r.counts.requests for r in runs)
        up, down = sum(r.counts.bytes_up for r in runs), sum(r.counts.bytes_down for r in runs)
        return CutRow("PouchDB", CUTS[way], cut_at, cut_in_request, len(docs), len(runs), requests, up, down,
                      sum(r.wall_s for r in runs), sum(r.bulk_docs_docs for r in runs), -1,
                      up - clean.counts.bytes_up, down - clean.counts.bytes_down, requests - clean.counts.requests)
