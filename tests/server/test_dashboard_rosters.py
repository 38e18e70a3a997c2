"""Rosters (docs/dashboard.md §1) and the dashboard's scope: a commune's coordinator sees only their commune."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from sync.ids import derived_id
from tests.server.dashboard_register import CHECKLIST_ITEMS, seed_register
from tests.server.protocol_client import Api, World, server_op
from tests.server.test_trainee_erasure import erase

ENDPOINTS = ("/api/v1/areas", "/api/v1/courses", "/api/v1/courses/{K1}", "/api/v1/figures", "/api/v1/health",
             "/api/v1/duplicates", "/api/v1/duplicates/preview?keep={T1}&merge={T5}")


@pytest.fixture
def register(app: Flask, api: Api) -> World:
    return seed_register(World(app, api))


def get(api: Api, world: World, user: str, path: str) -> Any:
    reply = api.request("GET", path, token=world.device(user).token)
    assert reply.status == 200, reply.body
    return reply.body


def test_areas_are_the_callers_tree(register: World, api: Api) -> None:
    w = register
    commune = get(api, w, "coord_a", "/api/v1/areas")["areas"]
    assert [(a["id"], a["kind"], a["parent_id"]) for a in commune] == \
        [(w.ids["A"], "commune", w.ids["P"]), (w.ids["VA"], "village", w.ids["A"])]
    province = get(api, w, "coord_p", "/api/v1/areas")["areas"]
    assert [a["name"] for a in province] == ["Lào Cai", "Bản Hồ", "Tả Van", "Bản Dền"]
    assert province[0] == {"id": w.ids["P"], "code": "LCI", "name": "Lào Cai", "kind": "province", "parent_id": None}


def test_courses_with_their_counts_and_an_accent_blind_search(register: World, api: Api) -> None:
    w = register
    found = get(api, w, "coord_p", "/api/v1/courses")["courses"]
    # All dates: K1 S1-S4 (S5 deleted), 4 trainees, marks present or late 3+1 (T1), 1 (T2), 2 (T3), 1 (T4) = 8 of 16;
    # K2 S6 S7, T1 T2 T4, marks T1 2, T4 1 = 3 of 6; K3 S8 S9, T7 T8, 2 + 1 = 3 of 4.
    assert [(c["title"], c["sessions"], c["trainees"], c["attendance_rate"]) for c in found] == [
        ("Bán hàng qua livestream", 2, 3, 0.5), ("Dịch vụ công trực tuyến", 4, 4, 0.5), ("Thanh toán QR", 2, 2, 0.75)]
    k1 = found[1]
    assert k1 == {"id": w.ids["K1"], "title": "Dịch vụ công trực tuyến", "commune_id": w.ids["A"],
                  "commune_name": "Bản Hồ", "program_id": w.ids["DS"], "program_name": "Bình dân học vụ số",
                  "start_date": "2026-03-01", "end_date": "2026-05-31", "trainer_names": ["trainer_a"],
                  "sessions": 4, "trainees": 4, "attendance_rate": 0.5}
    search = get(api, w, "coord_p", "/api/v1/courses?q=DICH%20vu%20cong")["courses"]
    assert [c["id"] for c in search] == [w.ids["K1"]]
    in_b = get(api, w, "coord_p", f"/api/v1/courses?commune_id={w.ids['B']}")["courses"]
    assert [c["id"] for c in in_b] == [w.ids["K3"]]
    program = get(api, w, "admin", f"/api/v1/courses?program_id={w.ids['LS']}")["courses"]
    assert [c["id"] for c in program] == [w.ids["K2"]]


def test_a_course_roster(register: World, api: Api) -> None:
    w = register
    found = get(api, w, "coord_a", f"/api/v1/courses/{w.ids['K1']}")
    assert found["course"]["id"] == w.ids["K1"]
    assert found["checklist"] == CHECKLIST_ITEMS
    counts = [(s["date"], s["present"], s["late"], s["absent"], s["excused"], s["unmarked"], s["confirmed"])
              for s in found["sessions"]]
    # S1: T1 P, T2 A, T3 P, T4 L (T1's confirmation failed: not counted); S2: T1 P, T2's mark deleted, T3 E,
    # T4 A; S3: T1 L, T2 P, T3 P (and confirmed, unverified); S4: T1 P. T10 (deleted) is on no roster, S5
    # (deleted) is no session.
    assert counts == [("2026-03-02", 2, 1, 1, 0, 0, 0), ("2026-03-09", 1, 0, 1, 1, 1, 0),
                      ("2026-03-16", 2, 1, 0, 0, 1, 1), ("2026-05-01", 1, 0, 0, 0, 3, 0)]
    assert [t["full_name"] for t in found["trainees"]] == ["Giàng Thị Mai", "Hoàng Thị Thu", "Lò Văn Tiến",
                                                           "Sùng A Páo"]
    mai = found["trainees"][0]
    s1, s2, s3, s4 = (w.ids[key] for key in ("S1", "S2", "S3", "S4"))
    assert mai == {"id": w.ids["T1"], "full_name": "Giàng Thị Mai", "gender": "female", "birth_year": 2000,
                   "ethnicity": "H'Mông", "village": None,
                   "attendance": {s1: "present", s2: "present", s3: "late", s4: "present"},
                   "confirmations": {s1: "failed"}, "skills": {"vneid": 3, "qr_pay": 1}}
    assert found["trainees"][1]["confirmations"] == {s3: "unverified"}
    assert found["trainees"][2]["attendance"] == {s1: "absent", s2: None, s3: "present", s4: None}

    def names(query: str) -> list[str]:
        return [t["full_name"] for t in get(api, w, "coord_a", f"/api/v1/courses/{w.ids['K1']}?{query}")["trainees"]]

    assert names("q=giang%20MAI") == ["Giàng Thị Mai"]
    assert names("gender=male") == ["Lò Văn Tiến"]
    assert names("gender=unknown") == names("ethnicity=unknown") == ["Sùng A Páo"]
    assert names("ethnicity=h%27mong") == ["Giàng Thị Mai"]


def test_an_erased_trainee_leaves_the_roster_list_but_not_its_counts(register: World, api: Api) -> None:
    w = register
    path = f"/api/v1/courses/{w.ids['K1']}"
    before = get(api, w, "coord_a", path)
    assert erase(api, w.device("coord_a"), w.ids["T1"]).status == 200
    after = get(api, w, "coord_a", path)
    assert after["course"] == before["course"] and after["sessions"] == before["sessions"]
    assert [t["full_name"] for t in after["trainees"]] == ["Hoàng Thị Thu", "Lò Văn Tiến", "Sùng A Páo"]


def test_a_commune_coordinator_never_sees_another_commune(register: World, api: Api) -> None:
    w = register
    token = w.device("coord_a").token
    other = {"course": w.ids["K3"], "area": w.ids["B"], "province": w.ids["P"], "trainee": w.ids["T9"]}
    listed = [api.request("GET", path, token=token).body for path in
              ("/api/v1/areas", "/api/v1/courses", "/api/v1/figures", "/api/v1/health", "/api/v1/duplicates")]
    text = repr(listed)
    for name in ("K3", "B", "T7", "T8", "T9", "S8", "S9", "trainer_b"):
        assert w.ids[name] not in text, name
    for name in ("Tả Van", "Thanh toán QR", "Lý Thị Chài", "Thào A Chứ"):
        assert name not in text
    for path in (f"/api/v1/courses/{other['course']}", f"/api/v1/courses?commune_id={other['area']}",
                 f"/api/v1/figures?area_id={other['area']}", f"/api/v1/figures?area_id={other['province']}",
                 f"/api/v1/duplicates?commune_id={other['area']}",
                 f"/api/v1/duplicates/preview?keep={w.ids['T1']}&merge={other['trainee']}",
                 "/api/v1/courses/no-such-course"):
        reply = api.request("GET", path, token=token)
        assert reply.status == 404 and reply.error_code in ("unknown_course", "unknown_area", "unknown_trainee"), path
    coord_b = get(api, w, "coord_b", "/api/v1/courses")["courses"]
    assert [c["id"] for c in coord_b] == [w.ids["K3"]]


def test_a_trainer_is_refused_every_dashboard_endpoint(register: World, api: Api) -> None:
    token = register.device("trainer_a").token
    for path in ENDPOINTS:
        reply = api.request("GET", path.format(**register.ids), token=token)
        assert (reply.status, reply.error_code) == (403, "not_a_coordinator"), path
    assert api.request("GET", "/api/v1/figures").status == 401


def test_a_course_with_trainees_and_no_session_yet(register: World, api: Api) -> None:
    w = register
    with w.app.app_context():  # server ops take their clocks from the database
        w.seed(server_op("course", w.new_id("K4"), title="Lớp mới", commune_id=w.ids["B"], program_id=w.ids["DS"],
                         trainer_ids=[w.ids["trainer_b"]], start_date="2026-06-01", end_date="2026-06-30"))
        w.seed(*(server_op("enrollment", derived_id("enrollment", {"course_id": w.ids["K4"], "trainee_id": w.ids[t]}),
                           course_id=w.ids["K4"], trainee_id=w.ids[t]) for t in ("T7", "T8")))
    found = get(api, w, "coord_b", "/api/v1/courses")["courses"]
    # K3 keeps its counts; K4 has its two trainees, no session and so no rate.
    assert [(c["title"], c["sessions"], c["trainees"], c["attendance_rate"]) for c in found] == [
        ("Thanh toán QR", 2, 2, 0.75), ("Lớp mới", 0, 2, None)]
