"""The coordinator's dashboard over a province, on PostgreSQL: `.venv/bin/python -m bench.province`.

Generates a seeded province (1 province, 150 communes of 5 villages, 100,000 trainees, 2,500
courses of 40 trainees with 10 sessions each: 1,000,000 attendance records, 300,000 skill
checks, 2,000 devices) straight into a throwaway PostgreSQL with COPY, migrated by the app's
own `init_db`; then times each main dashboard view through gunicorn with the shipped config
(bench/harness.py), for a province coordinator and a commune coordinator, and writes the
"## Dashboard at province scale (PostgreSQL)" section of bench/RESULTS.md, keeping the others.
The dashboard's kept counts (server/attendance_counts.py) are filled from the copied rows.

The rows are what the sync path would have written for the records (natural-key ids, a
unique rev per row, an HLC, `course_trainer` in step with `trainer_ids`, the revision row
past every rev), but the op log is left empty: no dashboard view reads it. A benchmark: it
prints figures and never passes or fails anything.

`--database-url URL` uses an existing database instead of a throwaway cluster, and loads the
province only if it is not there yet, so a rerun after a code change skips the generation.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import logging
import os
import random
import re
import statistics
import tempfile
import time
import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg

from bench import results_file
from bench.harness import LOOPBACK, gunicorn, throwaway_postgres
from server import create_app
from server.attendance_counts import recount_all
from server.database import init_db
from server.demo_data import NAMES, PROGRAMS, checklist_items
from server.extensions import db
from sync.ids import derived_id

ROOT = Path(__file__).resolve().parents[1]
COMMAND = ".venv/bin/python -m bench.province"
HEADING = "## Dashboard at province scale (PostgreSQL)"
SEED = 2026
COMMUNES = 150
VILLAGES_PER_COMMUNE = 5
TRAINEES = 100_000
COURSES = 2_500
COURSE_SIZE = 40
SESSIONS_PER_COURSE = 10
SKILLS_PER_ENROLMENT = 3
DEVICES = 2_000
TRAINERS = 1_250  # two courses each
PROVINCE_CODE = "BENCH-PROVINCE"
TODAY = date(2026, 12, 6)
FIRST_COURSE_START = date(2026, 1, 5)
STATUS_WEIGHTS = {"present": 80, "late": 8, "absent": 8, "excused": 4}
CONFIRMED_SHARE = 0.05  # of marks present or late: a trainee's own passkey confirmation
MERGED_SHARE, DELETED_TRAINEE_SHARE = 0.01, 0.003
DELETED_ENROLMENT_SHARE, DELETED_SESSION_SHARE, DELETED_MARK_SHARE = 0.005, 0.01, 0.005
OPEN_CONFLICTS, REJECTED_OPS = 300, 1_000
TARGET_MS = 300
UUID_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
WARM_UP = 2
REQUESTS = 20
# p50 and p95 in ms of the code before migration 0008 and the query changes that came with it
# (server/dashboard/), measured by this module on a fresh province at 05:09-05:12 UTC on
# 2026-12-06, load average 3.6 to 3.9 on the 2 cores. Field health for the province was left
# out: one request took 19 s in-process at that load (over 90 s at a load average of 15).
BEFORE_0008: dict[tuple[str, str], tuple[float, float] | str] = {
    ("areas", "province"): (46, 128), ("areas", "commune"): (5, 7),
    ("courses, whole province", "province"): (3510, 5845), ("courses, one commune", "province"): (79, 98),
    ("courses, own commune", "commune"): (78, 85), ("one course's roster", "commune"): (24, 28),
    ("figures, whole province", "province"): (2774, 3792),
    ("figures, province, a quarter", "province"): (2332, 3148),
    ("figures, one commune", "province"): (165, 177), ("figures, own commune", "commune"): (160, 197),
    ("health", "province"): "19 s (one request)", ("health", "commune"): (28, 35),
    ("duplicates, one commune", "province"): (27, 34), ("duplicates, own commune", "commune"): (25, 28),
}
# Timed and shown, but not one of the coordinator's main views the target is about: a province
# reports over every date or a calendar period; other dates count from the enrolments (decision 26).
BEYOND_MAIN_VIEWS = {("figures, province, other dates", "province")}
VIEW_BUDGET_S = 40.0  # a view slower than this gets fewer requests (at least MIN_REQUESTS)
MIN_REQUESTS = 5
COMMUNE_SYLLABLES = ("Bản", "Hồ", "Tả", "Van", "Mường", "Lạn", "Chiềng", "Sơn", "Nậm", "Cang", "Pá", "Khoang",
                     "Sà", "Phìn", "Lao", "Chải", "Tòng", "Sành", "Hua", "Nà", "Thanh", "Bình", "Phong", "Thổ")


# ---------------------------------------------------------------- the province, as rows

@dataclass
class Province:
    """The province's and communes' ids, and the rows to load per table (column names, then tuples)."""

    province_id: str = ""
    commune_ids: list[str] = field(default_factory=list)
    tables: dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]] = field(default_factory=dict)


class Clock:
    """Hands out unique revs and HLCs, in load order, as the server's sequence would have."""

    def __init__(self) -> None:
        self.rev = 0
        self.wall_ms = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp() * 1000)

    def stamp(self, node: str) -> tuple[int, str]:
        self.rev += 1
        self.wall_ms += 7
        return self.rev, f"{self.wall_ms:013d}-0000-{node}"


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _natural_id(entity: str, key: dict[str, str]) -> str:
    """The id the phones derive for a natural-key record, as the sync path stores it."""
    found = derived_id(entity, key)
    assert found is not None
    return found


RECORD_COLUMNS = ("id", "rev", "deleted", "hlc", "origin_user_id")


def generate(seed: int = SEED) -> Province:
    """Build the seeded province as rows for every table the dashboard reads."""
    rng, clock, p = random.Random(seed), Clock(), Province()
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in (
        "area", "program", "checklist", "app_user", "device", "course", "course_trainer", "session", "trainee",
        "enrollment", "attendance", "skill_check", "confirmation", "conflict", "rejected_op")}
    server = "server"

    def record(table: str, record_id: str, node: str, origin: str | None, *values: Any, deleted: bool = False) -> None:
        rev, hlc = clock.stamp(node)
        rows[table].append((record_id, rev, deleted, hlc, origin, *values))

    p.province_id = _uuid(rng)
    record("area", p.province_id, server, None, PROVINCE_CODE, "Tỉnh Lào Cai (bench)", "province", None)
    villages: dict[str, list[str]] = {}
    for n in range(COMMUNES):
        commune_id = _uuid(rng)
        p.commune_ids.append(commune_id)
        name = f"Xã {rng.choice(COMMUNE_SYLLABLES)} {rng.choice(COMMUNE_SYLLABLES)} {n + 1}"
        record("area", commune_id, server, None, f"C{n + 1:03d}", name, "commune", p.province_id)
        villages[commune_id] = []
        for v in range(VILLAGES_PER_COMMUNE):
            village_id = _uuid(rng)
            villages[commune_id].append(f"Thôn {v + 1}")
            record("area", village_id, server, None, f"C{n + 1:03d}-V{v + 1}", f"Thôn {v + 1}", "village", commune_id)
    programs, checklists = {}, {}
    for code, name in PROGRAMS.items():
        programs[code], checklists[code] = _uuid(rng), _uuid(rng)
        record("program", programs[code], server, None, name)
        record("checklist", checklists[code], server, None, programs[code], 1, name,
               json.dumps(checklist_items(code), ensure_ascii=False))

    created = datetime(2026, 1, 2)
    coordinators = [("coord_province", p.province_id)] + [(f"coord_c{n + 1:03d}", c)
                                                          for n, c in enumerate(p.commune_ids)]
    users = {name: (_uuid(rng), "coordinator", area) for name, area in coordinators}
    trainers = [(f"trainer_{n + 1:04d}", _uuid(rng), p.commune_ids[n * COMMUNES // TRAINERS]) for n in range(TRAINERS)]
    users.update({name: (user_id, "trainer", area) for name, user_id, area in trainers})
    rows["app_user"] = [(user_id, name, role, area, created) for name, (user_id, role, area) in users.items()]
    owners = [users[name][0] for name, _ in coordinators] + [t[1] for t in trainers]
    owners += [rng.choice(trainers)[1] for _ in range(DEVICES - len(owners))]  # second phones
    for user_id in owners:
        rows["device"].append(_device(rng, _uuid(rng), user_id))

    trainees_of: dict[str, list[str]] = {}
    enrollable: dict[str, list[str]] = {}  # a merge moved the merged-away trainee's enrolments to the survivor
    for n in range(TRAINEES):
        commune_id = p.commune_ids[n % COMMUNES]
        trainee_id = _uuid(rng)
        trainees_of.setdefault(commune_id, []).append(trainee_id)
        fields = _trainee_fields(rng, rng.choice(villages[commune_id]))
        first = trainees_of[commune_id][0]
        merged = first if rng.random() < MERGED_SHARE and first != trainee_id else None
        record("trainee", trainee_id, server, None, *fields[:1], commune_id, *fields[1:], merged, None,
               deleted=rng.random() < DELETED_TRAINEE_SHARE)
        if merged is None:
            enrollable.setdefault(commune_id, []).append(trainee_id)

    trainer_devices = {user_id: device[0] for device in rows["device"] for user_id in [device[1]]}
    for n in range(COURSES):
        commune_id = p.commune_ids[n % COMMUNES]
        _, trainer_id, _ = trainers[n // 2]
        node = trainer_devices[trainer_id]
        program = "DEA" if rng.random() < 0.7 else "LIVE"
        start = FIRST_COURSE_START + timedelta(days=rng.randrange(0, 266))
        course_id = _uuid(rng)
        record("course", course_id, server, None, programs[program], commune_id,
               f"{PROGRAMS[program]} - Lớp {n // COMMUNES + 1} - {rng.choice(villages[commune_id])}",
               json.dumps([trainer_id]), checklists[program], start.isoformat(),
               (start + timedelta(weeks=SESSIONS_PER_COURSE - 1)).isoformat())
        rows["course_trainer"].append((course_id, trainer_id))
        enrolled = rng.sample(enrollable[commune_id], COURSE_SIZE)
        for trainee_id in enrolled:
            key = {"course_id": course_id, "trainee_id": trainee_id}
            record("enrollment", _natural_id("enrollment", key), node, trainer_id, course_id, trainee_id,
                   deleted=rng.random() < DELETED_ENROLMENT_SHARE)
        codes = [item["code"] for item in checklist_items(program)]
        for week in range(SESSIONS_PER_COURSE):
            session_id = _uuid(rng)
            record("session", session_id, node, trainer_id, course_id, (start + timedelta(weeks=week)).isoformat(),
                   rng.choice(("08:00", "13:30", "19:00")), f"Nhà văn hoá {rng.choice(villages[commune_id])}",
                   deleted=rng.random() < DELETED_SESSION_SHARE)
            for trainee_id in enrolled:
                key = {"session_id": session_id, "trainee_id": trainee_id}
                status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
                mark_id = _natural_id("attendance", key)
                record("attendance", mark_id, node, trainer_id, session_id, trainee_id, status, None,
                       deleted=rng.random() < DELETED_MARK_SHARE)
                if status in ("present", "late") and rng.random() < CONFIRMED_SHARE:
                    verdict = rng.choices(("verified", "unverified", "failed"), weights=(90, 7, 3))[0]
                    record("confirmation", _natural_id("confirmation", key), node, trainer_id, session_id, trainee_id,
                           "passkey", None, verdict, "bad_signature" if verdict == "failed" else None)
                if len(rows["conflict"]) < OPEN_CONFLICTS and rng.random() < 0.0005:
                    rev, _ = clock.stamp(server)
                    rows["conflict"].append((len(rows["conflict"]) + 1, rev, "attendance", mark_id, "status",
                                             _uuid(rng), _uuid(rng), json.dumps(status), json.dumps("absent"),
                                             datetime(2026, 11, 20), None, "merge"))
        for trainee_id in enrolled:
            for code in rng.sample(codes, SKILLS_PER_ENROLMENT):
                key = {"course_id": course_id, "trainee_id": trainee_id, "skill_code": code}
                record("skill_check", _natural_id("skill_check", key), node, trainer_id, course_id, trainee_id, code,
                       rng.choices((0, 1, 2, 3), weights=(10, 30, 40, 20))[0], None)
    for n in range(REJECTED_OPS):
        device = rng.choice(rows["device"])
        raw = json.dumps({"op_id": _uuid(rng), "entity": "attendance", "id": _uuid(rng), "kind": "upsert"})
        rows["rejected_op"].append((n + 1, None, device[0], "out_of_scope", raw,
                                    datetime(2026, 11, 1) + timedelta(minutes=n * 37)))
    p.tables = {name: (COLUMNS[name], found) for name, found in rows.items()}
    p.tables["revision"] = (("id", "value", "hlc"), [(1, clock.rev, f"{clock.wall_ms:013d}-0000-server")])
    return p


COLUMNS: dict[str, tuple[str, ...]] = {
    "area": (*RECORD_COLUMNS, "code", "name", "kind", "parent_id"),
    "program": (*RECORD_COLUMNS, "name"),
    "checklist": (*RECORD_COLUMNS, "program_id", "version", "title", "items"),
    "app_user": ("id", "name", "role", "area_id", "created_at"),
    "device": ("id", "user_id", "token_hash", "label", "app_version", "pending_ops", "enrolled_at", "last_sync_at",
               "revoked_at"),
    "course": (*RECORD_COLUMNS, "program_id", "commune_id", "title", "trainer_ids", "checklist_id", "start_date",
               "end_date"),
    "course_trainer": ("course_id", "user_id"),
    "session": (*RECORD_COLUMNS, "course_id", "date", "start_time", "place"),
    "trainee": (*RECORD_COLUMNS, "full_name", "commune_id", "gender", "birth_year", "ethnicity", "village", "phone",
                "cooperative", "consent", "merged_into", "erased_at"),
    "enrollment": (*RECORD_COLUMNS, "course_id", "trainee_id"),
    "attendance": (*RECORD_COLUMNS, "session_id", "trainee_id", "status", "note"),
    "skill_check": (*RECORD_COLUMNS, "course_id", "trainee_id", "skill_code", "level", "note"),
    "confirmation": (*RECORD_COLUMNS, "session_id", "trainee_id", "method", "proof", "verification",
                     "verification_reason"),
    "conflict": ("id", "rev", "entity", "record_id", "field", "loser_op_id", "winner_op_id", "winner_value",
                 "loser_value", "opened_at", "resolved_at", "cause"),
    "rejected_op": ("id", "op_id", "device_id", "reason", "raw", "received_at"),
}


def _device(rng: random.Random, device_id: str, user_id: str) -> tuple[Any, ...]:
    enrolled = datetime(2026, 1, 2) + timedelta(days=rng.randrange(0, 300))
    # Most phones synced in the last three days; some have been out of signal for weeks.
    last = datetime(2026, 12, 6, 6) - timedelta(hours=rng.expovariate(1 / 40)) if rng.random() < 0.95 else None
    revoked = datetime(2026, 11, 1) if rng.random() < 0.02 else None
    token_hash = hashlib.sha256(device_id.encode()).hexdigest()  # nobody knows these tokens
    return (device_id, user_id, token_hash, "Điện thoại", "1.0.0", rng.choice((0, 0, 0, 3, 12)), enrolled,
            max(last, enrolled) if last else None, revoked)


def _trainee_fields(rng: random.Random, village: str) -> tuple[Any, ...]:
    """full_name, then (after the commune) gender, birth year, ethnicity, village, phone, cooperative, consent."""
    ethnicity = rng.choice(list(NAMES))
    surnames, m_mid, m_given, f_mid, f_given = (part.split() for part in NAMES[ethnicity])
    female = rng.random() < 0.58
    middles, givens = (f_mid, f_given) if female else (m_mid, m_given)
    name = f"{rng.choice(surnames)} {rng.choice(middles)} {rng.choice(givens)}"
    birth_year = rng.randint(1960, 2006) if rng.random() < 0.98 else None
    phone = f"09{rng.randrange(10**8):08d}" if rng.random() < 0.7 else None
    return (name, "female" if female else "male", birth_year, ethnicity, village, phone, None, True)


# ---------------------------------------------------------------- loading

def load(url: str, province: Province) -> float:
    """COPY every table's rows in, with the plain indexes dropped meanwhile; return the seconds taken."""
    started = time.perf_counter()
    with psycopg.connect(_libpq(url)) as conn:
        tables = list(province.tables)
        indexes = conn.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", (tables,)).fetchall()
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for table, (columns, rows) in province.tables.items():
            conn.execute(f'DELETE FROM "{table}"')
            with conn.cursor().copy(f'COPY "{table}" ({", ".join(columns)}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        for _, definition in indexes:
            conn.execute(definition)
        conn.commit()
        _count_attended(url)
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE")  # what autovacuum does soon after a big load
    return time.perf_counter() - started


def _count_attended(url: str) -> None:
    """Fill the attended counts from the marks just copied, as the apply path would have kept them."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        recount_all()
        db.session.commit()
        db.engine.dispose()


def already_loaded(url: str) -> bool:
    with psycopg.connect(_libpq(url)) as conn:
        found = conn.execute("SELECT to_regclass('public.area') IS NOT NULL").fetchone()
        if not found or not found[0]:
            return False
        row = conn.execute("SELECT count(*) FROM area WHERE code = %s", (PROVINCE_CODE,)).fetchone()
        counted = conn.execute("SELECT count(*) FROM attendance").fetchone()
        return bool(row and row[0] and counted and counted[0] == COURSES * SESSIONS_PER_COURSE * COURSE_SIZE)


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


# ---------------------------------------------------------------- timing

@dataclass
class ViewTiming:
    view: str
    who: str
    path: str
    latencies_ms: list[float]
    bytes: int
    status: int

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


@dataclass
class ProvinceResult:
    timings: list[ViewTiming]
    generate_s: float
    load_s: float
    reused: bool
    load_average: tuple[float, float]
    counts: dict[str, int]
    total_s: float = 0.0


def views(ids: dict[str, str]) -> list[tuple[str, str, str]]:
    """(view, who, path) for each request timed."""
    commune, course = ids["commune"], ids["course"]
    return [
        ("areas", "province", "/api/v1/areas"),
        ("areas", "commune", "/api/v1/areas"),
        ("courses, whole province", "province", "/api/v1/courses"),
        ("courses, one commune", "province", f"/api/v1/courses?commune_id={commune}"),
        ("courses, own commune", "commune", "/api/v1/courses"),
        ("one course's roster", "commune", f"/api/v1/courses/{course}"),
        ("figures, whole province", "province", "/api/v1/figures"),
        ("figures, province, a quarter", "province", "/api/v1/figures?from=2026-07-01&to=2026-09-30"),
        ("figures, province, other dates", "province", "/api/v1/figures?from=2026-07-15&to=2026-10-14"),
        ("figures, one commune", "province", f"/api/v1/figures?area_id={commune}"),
        ("figures, own commune", "commune", "/api/v1/figures"),
        ("health", "province", "/api/v1/health"),
        ("health", "commune", "/api/v1/health"),
        ("duplicates, one commune", "province", f"/api/v1/duplicates?commune_id={commune}"),
        ("duplicates, own commune", "commune", "/api/v1/duplicates"),
    ]


def _get(conn_holder: dict[str, Any], port: int, path: str, token: str) -> tuple[int, int, float]:
    """GET `path` on a kept-alive connection (opened again once if the server closed it): status, bytes, ms."""
    for attempt in range(2):
        if conn_holder.get("conn") is None:
            conn_holder["conn"] = http.client.HTTPConnection(LOOPBACK, port, timeout=300)
        conn = conn_holder["conn"]
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Authorization": f"Bearer {token}", "Accept-Encoding": "gzip"})
            resp = conn.getresponse()
            body = resp.read()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            conn.close()
            conn_holder["conn"] = None
            if attempt:
                raise
            continue
        return resp.status, len(body), (time.perf_counter() - started) * 1000
    raise RuntimeError("unreachable")


def enrol_bench_devices(url: str) -> dict[str, str]:
    """Give the province's and the first commune's coordinators a device whose token the benchmark knows."""
    tokens = {"province": "bench-province-" + "p" * 32, "commune": "bench-commune-" + "c" * 32}
    with psycopg.connect(_libpq(url)) as conn:
        for who, name in (("province", "coord_province"), ("commune", "coord_c001")):
            device_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-province:{who}"))
            user = conn.execute("SELECT id FROM app_user WHERE name = %s", (name,)).fetchone()
            assert user is not None
            conn.execute("DELETE FROM device WHERE id = %s", (device_id,))
            conn.execute("INSERT INTO device (id, user_id, token_hash, label, enrolled_at) VALUES (%s, %s, %s, %s, %s)",
                         (device_id, user[0], hashlib.sha256(tokens[who].encode()).hexdigest(), "bench",
                          datetime(2026, 12, 1)))
        conn.commit()
    return tokens


def bench_ids(url: str) -> dict[str, str]:
    """The first commune (coord_c001's) and a course of it."""
    with psycopg.connect(_libpq(url)) as conn:
        commune = conn.execute("SELECT area_id FROM app_user WHERE name = 'coord_c001'").fetchone()
        assert commune is not None
        course = conn.execute("SELECT id FROM course WHERE commune_id = %s AND NOT deleted ORDER BY start_date, id "
                              "LIMIT 1", (commune[0],)).fetchone()
        assert course is not None
        counts = {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # type: ignore[index]
                  for table in ("area", "trainee", "course", "session", "enrollment", "attendance", "skill_check",
                                "confirmation", "device", "conflict", "rejected_op")}
    return {"commune": commune[0], "course": course[0], **{f"count:{k}": str(v) for k, v in counts.items()}}


def time_views(url: str, requests: int = REQUESTS) -> list[ViewTiming]:
    """Time each view through gunicorn with the shipped config: a warm-up, then `requests` GETs in a row."""
    tokens = enrol_bench_devices(url)
    ids = bench_ids(url)
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    found = []
    with tempfile.TemporaryDirectory(prefix="fieldroll-province-") as tmp, gunicorn(app, url, Path(tmp)) as server:
        holder: dict[str, Any] = {}
        for view, who, path in views(ids):
            status, size = 0, 0
            for _ in range(WARM_UP):
                status, size, _ = _get(holder, server.port, path, tokens[who])
            latencies: list[float] = []
            started = time.perf_counter()
            while len(latencies) < requests and (len(latencies) < MIN_REQUESTS
                                                 or time.perf_counter() - started < VIEW_BUDGET_S):
                status, size, ms = _get(holder, server.port, path, tokens[who])
                latencies.append(ms)
            found.append(ViewTiming(view, who, path, latencies, size, status))
            print(f"  {view} ({who}): p50 {found[-1].p50:,.0f} ms, p95 {found[-1].p95:,.0f} ms, n={len(latencies)}, "
                  f"{status}, {size:,} bytes", flush=True)
        if holder.get("conn") is not None:
            holder["conn"].close()
    return found


# ---------------------------------------------------------------- run and report

def run(database_url: str | None = None) -> ProvinceResult:
    """Generate and load the province (unless already there), then time the views."""
    for name in ("alembic", "werkzeug"):
        logging.getLogger(name).setLevel(logging.WARNING)
    started, load_before = time.perf_counter(), os.getloadavg()[0]
    with (nullcontext(database_url) if database_url else throwaway_postgres()) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            init_db()
            db.engine.dispose()
        generate_s = load_s = 0.0
        reused = already_loaded(url)
        if not reused:
            print("generating the province...", flush=True)
            t0 = time.perf_counter()
            province = generate()
            generate_s = time.perf_counter() - t0
            print(f"  {generate_s:.0f} s; loading with COPY...", flush=True)
            load_s = load(url, province)
            print(f"  {load_s:.0f} s", flush=True)
            del province
        else:
            print("the province is already loaded: timing only", flush=True)
        print("timing the views through gunicorn...", flush=True)
        ids = bench_ids(url)
        timings = time_views(url)
    counts = {k.split(":", 1)[1]: int(v) for k, v in ids.items() if k.startswith("count:")}
    return ProvinceResult(timings, generate_s, load_s, reused, (load_before, os.getloadavg()[0]), counts,
                          time.perf_counter() - started)


def section(result: ProvinceResult,
            before: dict[tuple[str, str], tuple[float, float] | str] | None = None) -> list[str]:
    """The "## Dashboard at province scale (PostgreSQL)" section of RESULTS.md, as lines."""
    c = result.counts
    lines = [HEADING, "",
             f"Run on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `{COMMAND}` in {result.total_s:.0f} s "
             + ("(on a database loaded by an earlier run)" if result.reused else
                f"(generation {result.generate_s:.0f} s, COPY and indexes {result.load_s:.0f} s)")
             + f"; load average (1 min) {result.load_average[0]:.1f} at the start, {result.load_average[1]:.1f} at "
             "the end, on 2 cores shared with other work.", "",
             f"A seeded province loaded straight into PostgreSQL: {c.get('area', 0):,} areas (1 province, "
             f"{COMMUNES} communes of {VILLAGES_PER_COMMUNE} villages), {c.get('trainee', 0):,} trainees, "
             f"{c.get('course', 0):,} courses of {COURSE_SIZE} trainees, {c.get('session', 0):,} sessions, "
             f"{c.get('enrollment', 0):,} enrolments, {c.get('attendance', 0):,} attendance records, "
             f"{c.get('skill_check', 0):,} skill checks, {c.get('confirmation', 0):,} confirmations, "
             f"{c.get('device', 0):,} devices, {c.get('conflict', 0):,} open conflicts, "
             f"{c.get('rejected_op', 0):,} rejected ops; about 1 % of trainees merged away and a few deleted "
             "records of each kind. Rows are what the sync path writes (natural-key ids, a rev and HLC each); the "
             "op log is empty, as no dashboard view reads it. Each view through gunicorn with the shipped config "
             f"(`config/gunicorn.conf.py`), one request at a time after {WARM_UP} warm-up requests, "
             f"{REQUESTS} requests (fewer, at least {MIN_REQUESTS}, when a view takes over "
             f"{VIEW_BUDGET_S:.0f} s in all); latency as the client measured it. Target: under {TARGET_MS} ms "
             "(DESIGN §7).", ""]
    before = before or {}
    lines += ["| view | caller | request | n | before: p50 / p95 | p50 | p95 | answer | under 300 ms? |",
              "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for t in result.timings:
        was = before.get((t.view, t.who))
        old = f"{was[0]:,.0f} / {was[1]:,.0f} ms" if isinstance(was, tuple) else was or "–"
        met = "yes" if t.p95 < TARGET_MS else f"no: p95 {t.p95 - TARGET_MS:,.0f} ms over"
        if (t.view, t.who) in BEYOND_MAIN_VIEWS:
            met += " (not a main view)"
        answer = f"{t.bytes / 1024:,.0f} KB" + ("" if t.status == 200 else f" ({t.status})")
        lines.append(f"| {t.view} | {t.who} coordinator | `GET {UUID_RE.sub('…', t.path)}` | {len(t.latencies_ms)} "
                     f"| {old} | {t.p50:,.0f} ms | {t.p95:,.0f} ms | {answer} | {met} |")
    lines += ["", "Answers are gzip-compressed on the wire (the size shown); ids in the requests are shortened to "
              "`…`. \"Before\" is this benchmark run on the code before migration 0008 and the query changes that "
              "came with it, at a load average under 4 (`BEFORE_0008` in bench/province.py).", "",
              "What changed: field health finds each open conflict's record by its id instead of listing every "
              "record the caller may read (a province: a million marks); the course list counts in one statement; "
              "the figures pass the counted courses as a list of ids, so a commune's enrolments and skill checks "
              "are read by index; migration 0008 "
              "indexes the marks counted (live, present or late) so they are read from the index alone, and the "
              "open conflicts; PostgreSQL's JIT is off and working memory 64 MB for these requests (JIT compiled "
              "the statements for longer than they ran; the grouping spilled to disk). Then migration 0009: "
              "attended marks kept per course, trainee and month, and a tally per course, recounted per course by "
              "the apply path (docs/architecture.md, decision 24; filled here after the COPY); the course list "
              "reads the tally, the figures read the counts for whole months and the marks only for the days "
              "around them; field health describes its conflicts and lists the phones from plain rows. Then "
              "migration 0010 (decision 25): one kept row per live enrolment with the trainee's gender, ethnicity "
              "and birth year and their attended marks, skill tallies per course and skill, and the checks of a "
              "trainee on a skill checked in several courses; the figures read those instead of joining "
              "enrolments, trainees and counts and counting distinct trainees over every skill check, and count "
              "\"trainees reached\" over distinct (group, trainee) pairs, hashed. Before migration 0010 (run of "
              "2026-12-06 09:06 UTC, p50 / p95): the whole province's figures 1,121 / 1,252 ms, a quarter's "
              "776 / 920 ms. Then migration 0011 (decision 26): per trainee, commune and calendar period (every "
              "date, each year, quarter and month), the figures of the trainee's enrolments, kept per trainee by "
              "the apply path; the figures for every date or a calendar period read those rows, one per trainee "
              "(63,522 here instead of 99,225 enrolments joined to their courses' sessions), from a covering "
              "index; lists of thousands of ids are bound as one array parameter. Before migration 0011 (run of "
              "2026-12-06 13:03 UTC, p50 / p95): the whole province's figures 560 / 672 ms, a quarter's "
              "424 / 553 ms.", "",
              "What is still slow: figures over dates that are not a calendar period (\"other dates\") count "
              "from the enrolments, 100,000 rows joined to their courses' sessions in range, as before migration "
              "0011: completion compares each enrolment's marks in range with its course's sessions in range, "
              "and \"reached\" counts people, so no kept row can answer an arbitrary range. Field health for a "
              "province serialises 2,000 phones. See docs/architecture.md, \"Known gaps\".", ""]
    return lines


def target_row(result: ProvinceResult) -> str:
    """The dashboard's row of RESULTS.md's "DESIGN §7 targets" table: every main view's p95 under 300 ms."""
    main = [t for t in result.timings if (t.view, t.who) not in BEYOND_MAIN_VIEWS]
    over = [t for t in main if t.p95 >= TARGET_MS]
    worst = max(main, key=lambda t: t.p95)
    verdict = f"yes, all {len(main)} main views" if not over else \
        f"no: {len(over)} of {len(main)} main views over, " + ", ".join(f"{t.view} ({t.who}) {t.p95:,.0f} ms"
                                                                       for t in over)
    beyond = "; ".join(f"{t.view} ({t.who}), not a main view, p95 {t.p95:,.0f} ms"
                       for t in result.timings if (t.view, t.who) in BEYOND_MAIN_VIEWS)
    return (f"| a coordinator's dashboard over 100,000 trainees and 1,000,000 attendance records answers in "
            f"< {TARGET_MS} ms (PostgreSQL, p95 per view) | slowest main view: {worst.view} ({worst.who} "
            f"coordinator), p95 {worst.p95:,.0f} ms{'; ' + beyond if beyond else ''} | {verdict} |")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.province", description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an existing PostgreSQL database (loaded only if empty)")
    parser.add_argument("--no-write", action="store_true", help="print the figures, leave RESULTS.md alone")
    args = parser.parse_args(argv)
    result = run(args.database_url)
    lines = section(result, BEFORE_0008)
    print("\n".join(lines))
    print(target_row(result))
    if not args.no_write:
        results_file.update([(HEADING, lines)], [target_row(result)])
        print(f"(written to {results_file.RESULTS.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
