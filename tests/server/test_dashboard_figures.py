"""Every figure of docs/dashboard.md §2 against the register of dashboard_register.py, counted by hand."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.server.dashboard_register import CHECKLIST_ITEMS, delete_op, record_id, seed_register
from tests.server.protocol_client import Api, World, server_op
from tests.server.test_trainee_erasure import erase

MARCH = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def register(app: Flask, api: Api) -> World:
    return seed_register(World(app, api))


def get(api: Api, world: World, user: str, path: str) -> Any:
    reply = api.request("GET", path, token=world.device(user).token)
    assert reply.status == 200, reply.body
    return reply.body


def group(key: str, reached: int, times: int, attendance: float | None, completion: float | None,
          label: str | None = None) -> dict[str, Any]:
    return {"key": key, "label": label or key, "trainees_reached": reached, "person_times": times,
            "attendance_rate": attendance, "completion_rate": completion}


def test_the_province_figures_for_march(register: World, api: Api) -> None:
    w = register
    found = get(api, w, "coord_p", f"/api/v1/figures?{MARCH}")

    # Sessions in March: K1 S1 S2 S3 (S4 is in May, S5 deleted), K2 S6 (S7 is in April), K3 S8 S9.
    # Enrolments: K1 T1 T2 T3 T4 (T10's trainee deleted); K2 T1 T2 T4 (T3's deleted, T6 merged into T4); K3 T7 T8.
    # Marks present or late per enrolment, in March: K1 T1 3, T2 1 (S2's mark deleted), T3 2, T4 1;
    # K2 T1 1, T2 0, T4 1 (T6's, moved); K3 T7 2, T8 1. T3's S6 mark has no enrolment, T10 is deleted.
    # person_times 3+1+2+1 + 1+0+1 + 2+1 = 12, reached T1 T2 T3 T4 T7 T8 = 6,
    # attendance 12 / (3×4 + 1×3 + 2×2 = 19) = 0.6316,
    # completion (≥ 80 %: K1 needs 3 of 3, K2 1 of 1, K3 2 of 2): T1K1, T1K2, T4K2, T7K3 = 4 of 9 = 0.4444.
    assert found["totals"] == {"courses": 3, "sessions": 6, "trainees_reached": 6, "person_times": 12,
                               "attendance_rate": 0.6316, "completion_rate": 0.4444}
    # vneid: T1 (3 in K1), T2 (2), T7 (1), T8 (2) assessed, T1 T2 T8 attained (T10 deleted);
    # qr_pay: T1 (1), T4 (0), none attained; scam: T7 (2) only (T3's check deleted).
    labels = {item["code"]: (item["label_vi"], item["label_en"]) for item in CHECKLIST_ITEMS}
    assert found["skills"] == [
        {"code": "qr_pay", "label_vi": labels["qr_pay"][0], "label_en": labels["qr_pay"][1],
         "assessed": 2, "attained": 0, "rate": 0.0},
        {"code": "scam", "label_vi": labels["scam"][0], "label_en": labels["scam"][1],
         "assessed": 1, "attained": 1, "rate": 1.0},
        {"code": "vneid", "label_vi": labels["vneid"][0], "label_en": labels["vneid"][1],
         "assessed": 4, "attained": 3, "rate": 0.75}]
    by = found["by"]
    # Bản Hồ = K1 + K2: times 7 + 2, reached T1-T4, 9 / (12 + 3), completed T1K1 T1K2 T4K2 = 3 of 7.
    # Tả Van = K3: times 3, reached T7 T8, 3 / 4, completed T7K3 = 1 of 2.
    assert by["commune"] == [group(w.ids["A"], 4, 9, 0.6, 0.4286, "Bản Hồ"),
                             group(w.ids["B"], 2, 3, 0.75, 0.5, "Tả Van")]
    # female T1 (K1 3, K2 1), T3 (K1 2), T7 (K3 2): 8 / (3+1+3+2 = 9), completed T1K1 T1K2 T7K3 = 3 of 4;
    # male T2 (1, 0), T8 (1): 2 / (3+1+2 = 6), none completed of 3; unknown T4 (1, 1): 2 / 4, T4K2 = 1 of 2.
    assert by["gender"] == [group("female", 3, 8, 0.8889, 0.75), group("male", 2, 2, 0.3333, 0.0),
                            group("other", 0, 0, None, None), group("unknown", 1, 2, 0.5, 0.5)]
    # Dao T7: 2/2, 1 of 1; H'Mông T1 + T8: 5 / 6, 2 of 3; Thái T2: 1 / 4, 0 of 2; Tày T3: 2 / 3, 0 of 1;
    # unknown (empty) T4: 2 / 4, 1 of 2.
    assert by["ethnicity"] == [group("Dao", 1, 2, 1.0, 1.0), group("H'Mông", 2, 5, 0.8333, 0.6667),
                               group("Thái", 1, 1, 0.25, 0.0), group("Tày", 1, 2, 0.6667, 0.0),
                               group("unknown", 1, 2, 0.5, 0.5)]
    # Ages in 2026: T7 21, T1 26, T3 41, T8 51, T2 66, T4 unknown.
    assert by["age_group"] == [group("<25", 1, 2, 1.0, 1.0), group("25-39", 1, 4, 1.0, 1.0),
                               group("40-54", 2, 3, 0.6, 0.0), group("55+", 1, 1, 0.25, 0.0),
                               group("unknown", 1, 2, 0.5, 0.5)]


def test_a_trainee_checked_on_a_skill_in_two_courses_counts_once(register: World, api: Api) -> None:
    w = register
    # T1 is checked on vneid in K1 (3) and K2 (1): raised to 2 in K2, T1 reaches it in both courses.
    with w.app.app_context():
        w.seed(server_op("skill_check", record_id(w, "skill_check", ("K2", "T1", "vneid")), course_id=w.ids["K2"],
                         trainee_id=w.ids["T1"], skill_code="vneid", level=2))
    vneid = next(s for s in get(api, w, "coord_p", f"/api/v1/figures?{MARCH}")["skills"] if s["code"] == "vneid")
    assert (vneid["assessed"], vneid["attained"]) == (4, 3)
    # Each course alone still counts T1: K2's program alone is K2.
    livestream = get(api, w, "admin", f"/api/v1/figures?{MARCH}&program_id={w.ids['LS']}")["skills"]
    assert [(s["code"], s["assessed"], s["attained"]) for s in livestream] == [("vneid", 1, 1)]


def test_an_erased_trainee_still_counts_as_a_person_not_recorded(register: World, api: Api) -> None:
    w = register
    before = get(api, w, "coord_p", f"/api/v1/figures?{MARCH}")
    assert erase(api, w.device("coord_p"), w.ids["T1"]).status == 200
    after = get(api, w, "coord_p", f"/api/v1/figures?{MARCH}")
    assert after["totals"] == before["totals"] and after["skills"] == before["skills"]
    assert after["by"]["commune"] == before["by"]["commune"]
    # T1 (female, H'Mông, born 2000: K1 3 of 3, K2 1 of 1, both completed) is no longer described.
    gender = {g["key"]: g for g in after["by"]["gender"]}
    assert gender["female"] == group("female", 2, 4, 0.8, 0.5)
    assert gender["unknown"] == group("unknown", 2, 6, 0.75, 0.75)
    ethnicity = {g["key"]: g for g in after["by"]["ethnicity"]}
    assert ethnicity["H'Mông"] == group("H'Mông", 1, 1, 0.5, 0.0)
    age = {g["key"]: g for g in after["by"]["age_group"]}
    assert age["25-39"] == group("25-39", 0, 0, None, None) and age["unknown"] == group("unknown", 2, 6, 0.75, 0.75)


def test_a_trainee_deleted_before_the_erasure_stays_out_of_the_figures(register: World, api: Api) -> None:
    w = register
    with w.app.app_context():
        w.seed(delete_op("trainee", w.ids["T1"]))
    deleted = get(api, w, "coord_p", f"/api/v1/figures?{MARCH}")
    assert deleted["totals"]["person_times"] == 12 - 4  # T1's 3 marks in K1 and 1 in K2
    assert erase(api, w.device("coord_p"), w.ids["T1"]).status == 200
    assert get(api, w, "coord_p", f"/api/v1/figures?{MARCH}") == deleted


def test_a_commune_coordinator_counts_only_their_commune(register: World, api: Api) -> None:
    found = get(api, register, "coord_a", f"/api/v1/figures?{MARCH}")
    # K1 and K2 only: the Bản Hồ row of the province's figures.
    assert found["totals"] == {"courses": 2, "sessions": 4, "trainees_reached": 4, "person_times": 9,
                               "attendance_rate": 0.6, "completion_rate": 0.4286}
    # vneid: T1 (3 in K1, 1 in K2), T2 (2); qr_pay: T1 (1), T4 (0); scam: only T3's deleted check.
    assert [(s["code"], s["assessed"], s["attained"], s["rate"]) for s in found["skills"]] == \
        [("qr_pay", 2, 0, 0.0), ("scam", 0, 0, None), ("vneid", 2, 2, 1.0)]
    assert [c["key"] for c in found["by"]["commune"]] == [register.ids["A"]]
    # The province's coordinator asking for commune A gets the same.
    assert get(api, register, "coord_p", f"/api/v1/figures?{MARCH}&area_id={register.ids['A']}") == found


def test_a_program_and_no_date_range(register: World, api: Api) -> None:
    w = register
    livestream = get(api, w, "admin", f"/api/v1/figures?{MARCH}&program_id={w.ids['LS']}")
    # K2 alone: S6; T1 1, T2 0, T4 1 of 3 enrolments: 2 / 3, completed T1 T4 = 2 of 3; T1's vneid 1 in K2,
    # with no checklist to name it.
    assert livestream["totals"] == {"courses": 1, "sessions": 1, "trainees_reached": 2, "person_times": 2,
                                    "attendance_rate": 0.6667, "completion_rate": 0.6667}
    assert livestream["skills"] == [{"code": "vneid", "label_vi": None, "label_en": None,
                                     "assessed": 1, "attained": 0, "rate": 0.0}]
    every_date = get(api, w, "admin", "/api/v1/figures")["totals"]
    # Adding S4 (T1 present) and S7 (T1 present): 8 sessions, 14 person-times,
    # 14 / (4×4 + 2×3 + 2×2 = 26); K1 now needs 4 × 0.8 = 3.2, so 4 marks: T1 (P P L P); K2 needs 2 of 2:
    # T1 (T4 has 1); K3 T7: 3 of 9.
    assert every_date == {"courses": 3, "sessions": 8, "trainees_reached": 6, "person_times": 14,
                          "attendance_rate": 0.5385, "completion_rate": 0.3333}


def test_nothing_in_range_divides_nothing(register: World, api: Api) -> None:
    found = get(api, register, "coord_p", "/api/v1/figures?from=2027-01-01&to=2027-12-31")
    assert found["totals"] == {"courses": 0, "sessions": 0, "trainees_reached": 0, "person_times": 0,
                               "attendance_rate": None, "completion_rate": None}
    assert found["by"]["commune"] == [] and found["by"]["ethnicity"] == []
    assert [s["assessed"] for s in found["skills"]] == []


def test_bad_dates_are_refused(register: World, api: Api) -> None:
    reply = api.request("GET", "/api/v1/figures?from=2026-02-30", token=register.device("coord_p").token)
    assert (reply.status, reply.error_code) == (400, "invalid_request")



def test_a_trainee_in_two_communes_is_reached_once_by_the_province_and_once_by_each_commune(
        register: World, api: Api) -> None:
    w = register
    with w.app.app_context():  # T1, of Bản Hồ, also learns in Tả Van's K3 and is there on 3 March
        w.seed(server_op("enrollment", record_id(w, "enrollment", ("K3", "T1")), course_id=w.ids["K3"],
                         trainee_id=w.ids["T1"]),
               server_op("attendance", record_id(w, "attendance", ("S8", "T1")), session_id=w.ids["S8"],
                         trainee_id=w.ids["T1"], status="present"))
    found = get(api, w, "coord_p", f"/api/v1/figures?{MARCH}")
    assert (found["totals"]["trainees_reached"], found["totals"]["person_times"]) == (6, 13)
    assert [c["trainees_reached"] for c in found["by"]["commune"]] == [4, 3]
    assert {g["key"]: g["trainees_reached"] for g in found["by"]["gender"]}["female"] == 3


# Each standard period beside a range that holds the same sessions but is not a calendar period,
# so the figures come once from the kept period rows and once from the enrolments.
SAME_SESSIONS = [("from=2026-01-01&to=2026-12-31", "from=2025-12-30&to=2026-12-31"),
                 ("from=2026-01-01&to=2026-03-31", "from=2025-12-30&to=2026-03-31"),
                 ("from=2026-04-01&to=2026-06-30", "from=2026-03-31&to=2026-06-30"),
                 (MARCH, "from=2026-02-27&to=2026-03-31"),
                 ("from=2026-05-01&to=2026-05-31", "from=2026-05-01&to=2026-06-01")]


def test_the_kept_period_figures_equal_those_counted_from_the_enrolments(register: World, api: Api) -> None:
    w = register
    with w.app.app_context():
        w.seed(server_op("enrollment", record_id(w, "enrollment", ("K3", "T1")), course_id=w.ids["K3"],
                         trainee_id=w.ids["T1"]),
               server_op("attendance", record_id(w, "attendance", ("S8", "T1")), session_id=w.ids["S8"],
                         trainee_id=w.ids["T1"], status="present"),
               delete_op("session", w.ids["S9"]))
    devices = {who: w.device(who) for who in ("coord_p", "coord_a", "admin")}
    assert erase(api, devices["coord_p"], w.ids["T2"]).status == 200

    def figures(who: str, query: str) -> Any:
        reply = api.request("GET", f"/api/v1/figures?{query}", token=devices[who].token)
        assert reply.status == 200, reply.body
        return reply.body

    for standard, custom in SAME_SESSIONS:
        for who, area in (("coord_p", ""), ("coord_a", ""), ("coord_p", f"&area_id={w.ids['B']}")):
            kept = figures(who, standard + area)
            assert kept["totals"]["sessions"] > 0 or area
            assert kept == figures(who, custom + area), (standard, who, area)
    every_date, counted = figures("admin", ""), figures("admin", "from=2000-01-01&to=2099-12-30")
    for figures in (every_date, counted):
        del figures["by"]["age_group"]  # counted at the range's last year
    assert every_date == counted
