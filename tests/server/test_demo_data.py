"""The demo register: valid wire ops, in dependency order, stable across runs."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise

import pytest

from server.demo_data import DemoData, build_demo
from sync.entities import ENTITIES
from sync.hlc import parse_hlc
from sync.ids import NAMESPACE, derived_id
from sync.ops import Op, parse_op

NOW_MS = int(datetime(2025, 11, 20, 3, 0, tzinfo=UTC).timestamp() * 1000)
TODAY = date(2025, 11, 20)  # 10:00 in Vietnam (UTC+7)
TRAINERS = [str(uuid.uuid5(NAMESPACE, f"test:trainer:{n}")) for n in range(2)]


@pytest.fixture(scope="module")
def demo() -> DemoData:
    return build_demo(TRAINERS, NOW_MS)


def _by_entity(demo: DemoData, entity: str) -> list[dict]:
    return [op for op in demo.ops if op["entity"] == entity]


def _fields(demo: DemoData, entity: str) -> dict[str, dict]:
    return {op["id"]: op["fields"] for op in _by_entity(demo, entity)}


def test_every_op_passes_parse_op(demo: DemoData) -> None:
    for op in demo.ops:
        parsed = parse_op(op, NOW_MS)
        assert isinstance(parsed, Op), (op, parsed)
        assert op["kind"] == "upsert"
        assert op["op_id"] == str(uuid.uuid5(NAMESPACE, f"demo-op:{op['entity']}:{op['id']}"))
    assert len({op["op_id"] for op in demo.ops}) == len(demo.ops)
    assert len({(op["entity"], op["id"]) for op in demo.ops}) == len(demo.ops)


def test_hlcs_strictly_increase_from_a_few_days_ago(demo: DemoData) -> None:
    hlcs = [op["hlc"] for op in demo.ops]
    assert all(a < b for a, b in pairwise(hlcs))
    parsed = [parse_hlc(h) for h in hlcs]
    assert all(p is not None and p.node == "demo" for p in parsed)
    assert parsed[0].wall_ms > NOW_MS - 7 * 86_400_000
    assert parsed[-1].wall_ms < NOW_MS


def test_counts(demo: DemoData) -> None:
    areas = Counter(f["kind"] for f in _fields(demo, "area").values())
    assert areas["province"] == 2 and areas["commune"] == 4 and areas["village"] >= 8
    counts = Counter(op["entity"] for op in demo.ops)
    assert counts["program"] == 2 and counts["checklist"] == 2
    assert counts["course"] == 6 and counts["trainee"] == 120 and counts["enrollment"] == 120
    assert 18 <= counts["session"] <= 24
    per_course = Counter(f["course_id"] for f in _fields(demo, "enrollment").values())
    assert len(per_course) == 6 and all(15 <= n <= 25 for n in per_course.values())
    assert set(demo.area_ids) >= {"LCI", "SLA"} and len(demo.area_ids) == sum(areas.values())


def test_entities_come_in_dependency_order(demo: DemoData) -> None:
    order = ["area", "program", "checklist", "course", "session", "trainee",
             "enrollment", "attendance", "skill_check"]
    ranks = [order.index(op["entity"]) for op in demo.ops]
    assert ranks == sorted(ranks)
    kinds = [f["kind"] for f in _fields(demo, "area").values()]
    assert kinds == sorted(kinds, key=["province", "commune", "village"].index)


def test_every_reference_points_at_an_earlier_record(demo: DemoData) -> None:
    seen: dict[str, str] = {}
    for op in demo.ops:
        for name, spec in ENTITIES[op["entity"]].fields.items():
            value = op["fields"].get(name)
            if spec.refers_to and value is not None:
                assert seen.get(value) == spec.refers_to, (op["entity"], name)
        seen[op["id"]] = op["entity"]
    areas = _fields(demo, "area")
    for f in areas.values():
        parent_kind = areas[f["parent_id"]]["kind"] if f["parent_id"] else None
        assert parent_kind == {"province": None, "commune": "province", "village": "commune"}[f["kind"]]
    for f in _fields(demo, "course").values():
        assert areas[f["commune_id"]]["kind"] == "commune"


def test_ids_are_stable_across_builds_and_days() -> None:
    first, again = build_demo(TRAINERS, NOW_MS), build_demo(TRAINERS, NOW_MS)
    assert first == again
    later = build_demo(TRAINERS, NOW_MS + 2 * 86_400_000)
    assert [(op["op_id"], op["id"]) for op in later.ops] == [(op["op_id"], op["id"]) for op in first.ops]
    assert later.area_ids == first.area_ids
    assert first.area_ids["LCI"] == str(uuid.uuid5(NAMESPACE, "demo:area:LCI"))


def test_derived_ids_are_correct(demo: DemoData) -> None:
    patterns = {
        "enrollment": "enrollment:{course_id}:{trainee_id}",
        "attendance": "attendance:{session_id}:{trainee_id}",
        "skill_check": "skill:{course_id}:{trainee_id}:{skill_code}",
    }
    for entity, pattern in patterns.items():
        ops = _by_entity(demo, entity)
        assert ops
        for op in ops:
            assert op["id"] == str(uuid.uuid5(NAMESPACE, pattern.format(**op["fields"])))
            assert op["id"] == derived_id(entity, op["fields"])


def test_names_and_labels_are_vietnamese(demo: DemoData) -> None:
    names = [f["full_name"] for f in _fields(demo, "trainee").values()]
    assert all(not name.isascii() for name in names)
    assert len(set(names)) == len(names)
    area_names = {f["name"] for f in _fields(demo, "area").values()}
    assert {"Lào Cai", "Sơn La"} <= area_names
    assert {f["name"] for f in _fields(demo, "program").values()} == {
        "Bình dân học vụ số", "Bán hàng qua livestream"}
    for checklist in _fields(demo, "checklist").values():
        assert checklist["version"] == 1
        assert all(not item["label_vi"].isascii() and item["label_en"].isascii()
                   for item in checklist["items"])
    programs = {pid: f["name"] for pid, f in _fields(demo, "program").items()}
    by_program = {programs[c["program_id"]]: c["items"] for c in _fields(demo, "checklist").values()}
    dea = by_program["Bình dân học vụ số"]
    assert 10 <= len(dea) <= 14 and 6 <= len(by_program["Bán hàng qua livestream"]) <= 10
    domains = {"data", "communication", "content", "safety", "problem_solving", "ai"}
    assert {i["domain"] for i in dea} == domains
    assert any("VNeID" in i["label_vi"] for i in dea)


def test_trainees_look_real(demo: DemoData) -> None:
    trainees = list(_fields(demo, "trainee").values())
    assert {t["ethnicity"] for t in trainees} <= {"H'Mông", "Thái", "Dao", "Tày", "Kinh"}
    assert {t["gender"] for t in trainees} == {"female", "male"}
    assert all(1955 <= t["birth_year"] <= 2006 and t["consent"] is True for t in trainees)
    phones = [t["phone"] for t in trainees if "phone" in t]
    assert 0.25 <= len(phones) / len(trainees) <= 0.55
    assert all(p.startswith("09") and p.isdigit() and len(p) == 10 for p in phones)
    assert any("cooperative" in t for t in trainees) and not all("cooperative" in t for t in trainees)


def test_enrollments_stay_in_the_trainees_commune(demo: DemoData) -> None:
    courses, trainees = _fields(demo, "course"), _fields(demo, "trainee")
    enrollments = list(_fields(demo, "enrollment").values())
    assert Counter(e["trainee_id"] for e in enrollments) == Counter(set(trainees))
    for e in enrollments:
        assert courses[e["course_id"]]["commune_id"] == trainees[e["trainee_id"]]["commune_id"]
    assert len({c["commune_id"] for c in courses.values()}) == 4


def test_attendance_only_for_past_sessions(demo: DemoData) -> None:
    sessions = _fields(demo, "session")
    dates = [date.fromisoformat(s["date"]) for s in sessions.values()]
    assert TODAY in dates and min(dates) < TODAY < max(dates)
    assert TODAY - timedelta(days=30) < min(dates) and max(dates) < TODAY + timedelta(days=30)
    enrolled: dict[str, set[str]] = {}
    for e in _fields(demo, "enrollment").values():
        enrolled.setdefault(e["course_id"], set()).add(e["trainee_id"])
    marked: dict[str, set[str]] = {}
    for a in _fields(demo, "attendance").values():
        marked.setdefault(a["session_id"], set()).add(a["trainee_id"])
    for sid, s in sessions.items():
        past = date.fromisoformat(s["date"]) < TODAY
        assert marked.get(sid, set()) == (enrolled[s["course_id"]] if past else set())
    statuses = Counter(a["status"] for a in _fields(demo, "attendance").values())
    assert statuses.most_common(1)[0][0] == "present" and len(statuses) == 4


def test_skill_checks_use_the_course_checklist(demo: DemoData) -> None:
    courses, checklists = _fields(demo, "course"), _fields(demo, "checklist")
    per_trainee = Counter()
    for s in _fields(demo, "skill_check").values():
        items = checklists[courses[s["course_id"]]["checklist_id"]]["items"]
        assert s["skill_code"] in {i["code"] for i in items}
        per_trainee[s["trainee_id"]] += 1
    assert len(per_trainee) > 100 and all(1 <= n <= 6 for n in per_trainee.values())


def test_trainers_are_dealt_round_robin(demo: DemoData) -> None:
    courses = _fields(demo, "course")
    assert all(1 <= len(c["trainer_ids"]) <= 2 for c in courses.values())
    assert set(demo.course_ids_by_trainer) == set(TRAINERS)
    for trainer, ids in demo.course_ids_by_trainer.items():
        assert ids and ids == [cid for cid, c in courses.items() if trainer in c["trainer_ids"]]
    for trainer_ids in ([], TRAINERS[:1], [*TRAINERS, str(uuid.uuid5(NAMESPACE, "test:trainer:x"))]):
        other = build_demo(trainer_ids, NOW_MS)
        assert all(isinstance(parse_op(op, NOW_MS), Op) for op in other.ops)
        lists = [c["trainer_ids"] for c in _fields(other, "course").values()]
        assert all(set(t) <= set(trainer_ids) and (bool(t) == bool(trainer_ids)) for t in lists)
        assert sorted(other.course_ids_by_trainer) == sorted(trainer_ids)
