"""Seeded workloads: a bench course set up by the server, and a trainer's day or week of taps as wire ops.

The course is made with the server's own admin functions (`server.admin.load_demo` for the
areas, program and 12-skill checklist, then `apply_as_server` for the course, its sessions
and its 40 enrolled trainees). The trainer's ops are what the PWA would put in its outbox:
natural-key ids, UUIDv7 op ids, HLCs on the device's clock.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from server import admin
from server.demo_data import NAMES, checklist_items, local_today, stable_id
from server.sync_api.push import next_server_hlc
from sync.hlc import Hlc, tick
from sync.ids import derived_id

TRAINEES = 40
SESSIONS_PER_DAY = 2
SKILLS = 12
DAYS_IN_WEEK = 5
DAY_OPS = TRAINEES * SESSIONS_PER_DAY + TRAINEES * SKILLS  # 560
PROGRAM = "DEA"  # the demo's "Bình dân học vụ số" checklist has 12 skills
COMMUNE = "LCI-BANHO"
DAY_MS = 24 * 3600 * 1000
TAP_GAP_MS = (2_000, 30_000)  # a trainer taps every few seconds to half a minute
STATUS_WEIGHTS = {"present": 80, "late": 8, "absent": 8, "excused": 4}
EXCUSES = ("Ốm", "Đi làm nương", "Đưa con đi khám bệnh", "Có việc gia đình")


@dataclass(frozen=True)
class BenchCourse:
    """A course of 40 trainees with two sessions a day for a week, taught by one trainer."""

    key: str
    trainer_id: str
    course_id: str
    session_ids: tuple[str, ...]  # SESSIONS_PER_DAY per day, DAYS_IN_WEEK days
    trainee_ids: tuple[str, ...]
    skill_codes: tuple[str, ...]


def load_demo_once() -> None:
    """Load the demo register (areas, programs, checklists, users) inside an app context."""
    admin.load_demo()


def seed_course(key: str, trainer_name: str, now_ms: int, seed: int = 1, trainees: int = TRAINEES) -> BenchCourse:
    """Add a trainer and a course with `trainees` (40) enrolled trainees through the server's own apply path.

    Needs an app context and the demo loaded (for the commune, program and checklist).
    """
    rng = random.Random(f"{seed}:{key}")
    trainer = admin.add_user(trainer_name, "trainer", None)
    commune_id = stable_id("area", COMMUNE)
    course_id = stable_id("bench-course", key)
    today = local_today(now_ms)
    ops = [_server_op("course", course_id, {
        "program_id": stable_id("program", PROGRAM), "commune_id": commune_id,
        "title": f"Bình dân học vụ số — lớp đo hiệu năng {key}", "trainer_ids": [trainer.id],
        "checklist_id": stable_id("checklist", f"{PROGRAM}:1"),
        "start_date": today.isoformat(), "end_date": (today + timedelta(days=DAYS_IN_WEEK - 1)).isoformat()})]
    session_ids = []
    for day in range(DAYS_IN_WEEK):
        for n, start in enumerate(("08:00", "13:30")[:SESSIONS_PER_DAY]):
            sid = stable_id("bench-session", f"{key}:{day}:{n}")
            session_ids.append(sid)
            ops.append(_server_op("session", sid, {"course_id": course_id,
                                                   "date": (today + timedelta(days=day)).isoformat(),
                                                   "start_time": start, "place": "Nhà văn hóa thôn Bản Dền"}))
    trainee_ids = []
    for n in range(trainees):
        tid = stable_id("bench-trainee", f"{key}:{n}")
        trainee_ids.append(tid)
        ops.append(_server_op("trainee", tid, _trainee_fields(rng, commune_id)))
    for tid in trainee_ids:
        fields = {"course_id": course_id, "trainee_id": tid}
        ops.append(_server_op("enrollment", derived_id("enrollment", fields) or "", fields))
    admin.apply_as_server(ops)
    codes = tuple(item["code"] for item in checklist_items(PROGRAM))[:SKILLS]
    return BenchCourse(key, trainer.id, course_id, tuple(session_ids), tuple(trainee_ids), codes)


def trainers_day(course: BenchCourse, device_id: str, day: int, start_ms: int, seed: int = 1,
                 clock: Hlc | None = None) -> tuple[list[dict[str, Any]], Hlc | None]:
    """Return one day's taps as wire ops (attendance for both sessions, a skill check per trainee per skill).

    40 trainees x 2 sessions + 40 x 12 skills = 560 ops (14 per trainee on a bigger course). Returns the ops
    and the device's clock after them.
    """
    rng = random.Random(f"{seed}:{course.key}:{device_id}:{day}")
    maker = _OpMaker(rng, device_id, start_ms, clock)
    sessions = course.session_ids[day * SESSIONS_PER_DAY:(day + 1) * SESSIONS_PER_DAY]
    for n, session_id in enumerate(sessions):
        for tid in course.trainee_ids:
            status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
            fields: dict[str, Any] = {"session_id": session_id, "trainee_id": tid, "status": status}
            if status == "excused":
                fields["note"] = rng.choice(EXCUSES)
            maker.add("attendance", fields)
        if n == 0:  # skill checks happen between the morning roll call and the afternoon one
            for tid in course.trainee_ids:
                for code in course.skill_codes:
                    level = min(3, day // 2 + rng.choices(range(3), weights=(3, 4, 2))[0])
                    maker.add("skill_check", {"course_id": course.course_id, "trainee_id": tid,
                                              "skill_code": code, "level": level})
    return maker.ops, maker.clock


def week_offline(course: BenchCourse, device_id: str, end_ms: int, seed: int = 1) -> list[dict[str, Any]]:
    """Return five days of taps made with no signal, the last one ending around `end_ms` (about 2,800 ops)."""
    ops: list[dict[str, Any]] = []
    clock: Hlc | None = None
    for day in range(DAYS_IN_WEEK):
        start = end_ms - (DAYS_IN_WEEK - day) * DAY_MS + 8 * 3600 * 1000
        day_ops, clock = trainers_day(course, device_id, day, start, seed, clock)
        ops += day_ops
    return ops


def edits(records: dict[tuple[str, str], dict[str, Any]], device_id: str, count: int, now_ms: int,
          clock: Hlc | None, seed: int = 1) -> tuple[list[dict[str, Any]], Hlc | None]:
    """Change the status of `count` pulled attendance records, with their base_rev, as a trainer correcting."""
    rng = random.Random(f"{seed}:edits:{device_id}")
    maker = _OpMaker(rng, device_id, now_ms, clock)
    pulled = sorted((rid, change) for (entity, rid), change in records.items() if entity == "attendance")
    for _rid, change in rng.sample(pulled, min(count, len(pulled))):
        status = "late" if change["fields"]["status"] != "late" else "present"
        fields = {"session_id": change["fields"]["session_id"], "trainee_id": change["fields"]["trainee_id"],
                  "status": status}
        maker.add("attendance", fields, base_rev=change["rev"])
    return maker.ops, maker.clock


class _OpMaker:
    def __init__(self, rng: random.Random, node: str, start_ms: int, clock: Hlc | None) -> None:
        self.rng, self.node, self.now_ms, self.clock = rng, node, start_ms, clock
        self.ops: list[dict[str, Any]] = []

    def add(self, entity: str, fields: dict[str, Any], base_rev: int | None = None) -> None:
        self.now_ms += self.rng.randint(*TAP_GAP_MS)
        self.clock = tick(self.clock, self.now_ms, self.node)
        op: dict[str, Any] = {"op_id": _uuid7(self.rng, self.now_ms), "entity": entity,
                              "id": derived_id(entity, fields), "hlc": str(self.clock), "kind": "upsert",
                              "fields": fields}
        if base_rev is not None:
            op["base_rev"] = base_rev
        self.ops.append(op)


def _uuid7(rng: random.Random, ms: int) -> str:
    """A UUIDv7 whose random bits come from the seeded generator, so a rerun makes the same ops."""
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | rng.getrandbits(12) << 64 | 0b10 << 62 | rng.getrandbits(62)
    return str(uuid.UUID(int=value))


def _server_op(entity: str, record_id: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "entity": entity, "id": record_id, "hlc": next_server_hlc(),
            "kind": "upsert", "fields": fields}


def _trainee_fields(rng: random.Random, commune_id: str) -> dict[str, Any]:
    ethnicity = rng.choice(list(NAMES))
    surnames, m_mid, m_given, f_mid, f_given = (part.split() for part in NAMES[ethnicity])
    female = rng.random() < 0.58
    middles, givens = (f_mid, f_given) if female else (m_mid, m_given)
    fields: dict[str, Any] = {
        "full_name": f"{rng.choice(surnames)} {rng.choice(middles)} {rng.choice(givens)}",
        "commune_id": commune_id, "gender": "female" if female else "male",
        "birth_year": rng.randint(1960, 2006), "ethnicity": ethnicity, "consent": True,
        "village": rng.choice(("Thôn Bản Dền", "Thôn Tả Trung Hồ", "Thôn Hoàng Liên")),
    }
    if rng.random() < 0.4:
        fields["phone"] = "09" + "".join(rng.choice("0123456789") for _ in range(8))
    return fields
