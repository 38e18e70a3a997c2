"""Duplicate trainees (docs/dashboard.md §4): likely pairs in the area, and what a merge would move."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from server.dashboard.names import fold, within_distance
from tests.server.dashboard_register import record_id, seed_register
from tests.server.protocol_client import Api, World, op, server_op


@pytest.fixture
def register(app: Flask, api: Api) -> World:
    return seed_register(World(app, api))


def get(api: Api, token: str, path: str) -> Any:
    reply = api.request("GET", path, token=token)
    assert reply.status == 200, reply.body
    return reply.body


def test_names_are_compared_without_accents_within_two_edits() -> None:
    assert fold("  Giàng  THỊ Mỷ ") == "giang thi my" and fold("Đinh Văn Đức") == "dinh van duc"
    assert within_distance(fold("Giàng Thị Mai"), fold("GIANG THI MAI"), 2) == 0
    assert within_distance("giang thi mai", "giang thi may", 2) == 1
    assert within_distance("lo van tien", "lo van tie", 2) == 1
    assert within_distance("kitten", "sitting", 2) is None and within_distance("kitten", "sitting", 3) == 3
    assert within_distance("sung a pao", "sung a chu", 2) is None


def test_a_similar_name_born_the_same_year_in_the_same_commune_is_a_likely_pair(register: World, api: Api) -> None:
    w = register
    found = get(api, w.device("coord_a").token, "/api/v1/duplicates")["pairs"]
    # Bản Hồ, born 2000: Giàng Thị Mai (T1) and Giang Thi May (T5), one letter apart once folded (13 letters).
    # Giàng Thi Mai (T9) has T1's name but lives in Tả Van; T6 is merged away; T4 has no birth year.
    assert [(p["a"]["id"], p["b"]["id"], p["score"], p["reasons"]) for p in found] == \
        [(w.ids["T1"], w.ids["T5"], 0.9231, ["same commune", "same birth year", "similar name"])]
    assert found[0]["a"] == {"id": w.ids["T1"], "full_name": "Giàng Thị Mai", "gender": "female", "birth_year": 2000,
                             "ethnicity": "H'Mông", "village": None, "commune_id": w.ids["A"],
                             "commune_name": "Bản Hồ", "courses": 2}
    assert get(api, w.device("coord_p").token, "/api/v1/duplicates")["pairs"] == found
    assert get(api, w.device("coord_b").token, "/api/v1/duplicates")["pairs"] == []


def test_the_same_name_without_accents_scores_one(register: World, api: Api) -> None:
    w = register
    with w.app.app_context():
        w.seed(server_op("trainee", w.new_id("T11"), full_name="GIANG THI  MAI", commune_id=w.ids["B"],
                         gender="female", birth_year=2000))
    pairs = get(api, w.device("coord_b").token, "/api/v1/duplicates")["pairs"]
    assert [({p["a"]["id"], p["b"]["id"]}, p["score"], p["reasons"][-1]) for p in pairs] == \
        [({w.ids["T9"], w.ids["T11"]}, 1.0, "same name")]


def test_a_merge_preview_counts_what_would_move_and_what_both_have(register: World, api: Api) -> None:
    w = register
    with w.app.app_context():
        w.seed(server_op("enrollment", record_id(w, "enrollment", ("K1", "T5")), course_id=w.ids["K1"],
                         trainee_id=w.ids["T5"]))
        w.seed(*(server_op("attendance", record_id(w, "attendance", (session, "T5")), session_id=w.ids[session],
                           trainee_id=w.ids["T5"], status=status)
                 for session, status in (("S1", "present"), ("S4", "absent"))),
               server_op("skill_check", record_id(w, "skill_check", ("K1", "T5", "vneid")), course_id=w.ids["K1"],
                         trainee_id=w.ids["T5"], skill_code="vneid", level=2))
    coordinator = w.device("coord_a")
    preview = get(api, coordinator.token, f"/api/v1/duplicates/preview?keep={w.ids['T1']}&merge={w.ids['T5']}")
    # T5 has K1's enrolment, marks at S1 and S4 and vneid in K1; T1 has all four of those too.
    assert preview["moves"] == {"enrollment": 1, "attendance": 2, "skill_check": 1, "confirmation": 0}
    assert preview["clashes"] == 4
    assert (preview["keep"]["id"], preview["merge"]["id"], preview["merge"]["courses"]) == \
        (w.ids["T1"], w.ids["T5"], 1)

    for merge, expected in ((w.ids["T1"], (400, "same_trainee")), (w.ids["T6"], (409, "already_merged"))):
        reply = api.request("GET", f"/api/v1/duplicates/preview?keep={w.ids['T1']}&merge={merge}",
                            token=coordinator.token)
        assert (reply.status, reply.error_code) == expected
    missing = api.request("GET", f"/api/v1/duplicates/preview?keep={w.ids['T1']}", token=coordinator.token)
    assert (missing.status, missing.error_code) == (400, "invalid_request")

    merged = api.sync(coordinator, [op(coordinator, "trainee", w.ids["T5"], merged_into=w.ids["T1"])])
    assert merged.body["acks"][0]["status"] == "applied"
    assert get(api, coordinator.token, "/api/v1/duplicates")["pairs"] == []
