"""parse_op: every way a device's op can be malformed is refused with a reason a person can act on."""

from __future__ import annotations

from typing import Any

import pytest

from sync.entities import ENTITIES, MAX_LIST_ITEMS, MAX_STR_CHARS, MAX_TEXT_CHARS
from sync.ops import Op, Rejection, parse_op, value_problem
from tests.sync.sync_factories import NOW_MS, attendance, clock, natural, trainee, uid, wire

HLC = clock(0, "dev-a")
ITEM = {"code": "vneid.install", "label_vi": "Cài VNeID", "label_en": "Install VNeID"}


def rejected(raw: object) -> str:
    """Return the reason a raw op is refused; fail if it is accepted."""
    result = parse_op(raw, NOW_MS)
    assert isinstance(result, Rejection), result
    return result.reason


def good_attendance(**changes: Any) -> dict[str, Any]:
    raw = attendance("s1", "t1", "present", HLC)
    raw.update(changes)
    return raw


def checklist(items: Any) -> dict[str, Any]:
    fields = {"program_id": uid("program"), "version": 1, "items": items}
    return wire("checklist", uid("checklist"), HLC, fields)


def test_a_good_op_parses_into_an_op() -> None:
    raw = good_attendance(base_rev=4)
    op = parse_op(raw, NOW_MS)
    assert isinstance(op, Op)
    assert op.to_wire() == raw
    assert op.node == "dev-a"


def test_a_delete_may_leave_fields_out() -> None:
    raw = wire("trainee", uid("t1"), HLC, kind="delete")
    del raw["fields"]
    op = parse_op(raw, NOW_MS)
    assert isinstance(op, Op) and op.kind == "delete" and dict(op.fields) == {}


def test_an_op_must_be_an_object_with_a_uuid_op_id() -> None:
    assert parse_op(["not", "an", "op"], NOW_MS) == Rejection(None, "op must be a JSON object")
    for bad in (None, "", "op-1", uid("x").upper(), 7):
        result = parse_op(good_attendance(op_id=bad), NOW_MS)
        assert isinstance(result, Rejection) and result.op_id is None
        assert "op_id must be a lowercase UUID" in result.reason


def test_a_refused_op_keeps_its_op_id_so_the_device_can_be_told() -> None:
    raw = good_attendance(entity="attendence")
    result = parse_op(raw, NOW_MS)
    assert isinstance(result, Rejection) and result.op_id == raw["op_id"]


SHAPE_CASES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown key", {"extra": 1}, "unknown op keys: extra"),
    ("unknown entity", {"entity": "attendence"}, "unknown entity 'attendence'"),
    ("entity not text", {"entity": 3}, "unknown entity 3"),
    ("bad record id", {"id": "123"}, "id must be a lowercase UUID"),
    ("upper-case record id", {"id": uid("r").upper()}, "id must be a lowercase UUID"),
    ("hlc not text", {"hlc": 1_760_000_000_000}, "hlc must be a string"),
    ("hlc garbage", {"hlc": "now"}, "hlc must look like"),
    ("hlc before 2020", {"hlc": "1500000000000-0000-dev-a"}, "before 2020"),
    ("hlc far future", {"hlc": "2500000000000-0000-dev-a"}, "30 days ahead"),
    ("bad kind", {"kind": "insert"}, "kind must be 'upsert' or 'delete'"),
    ("base_rev negative", {"base_rev": -1}, "base_rev must be a non-negative integer"),
    ("base_rev text", {"base_rev": "3"}, "base_rev must be a non-negative integer"),
    ("base_rev float", {"base_rev": 3.0}, "base_rev must be a non-negative integer"),
    ("base_rev bool", {"base_rev": True}, "base_rev must be a non-negative integer"),
    ("fields a list", {"fields": [["status", "present"]]}, "fields must be a JSON object"),
    ("fields null", {"fields": None}, "fields must be a JSON object"),
    ("upsert with no fields", {"fields": {}}, "an upsert must change at least one field"),
    ("delete with fields", {"kind": "delete"}, "a delete carries no fields"),
]


@pytest.mark.parametrize(("changes", "expected"), [c[1:] for c in SHAPE_CASES],
                         ids=[c[0] for c in SHAPE_CASES])
def test_malformed_ops_are_refused(changes: dict[str, Any], expected: str) -> None:
    assert expected in rejected(good_attendance(**changes))


FIELD_CASES: list[tuple[str, str, dict[str, Any], str]] = [
    ("unknown field", "trainee", {"full_name": "A", "shoe_size": 40}, "trainee has no field 'shoe_size'"),
    ("null in required", "trainee", {"full_name": None}, "full_name: must not be empty"),
    ("uuid", "trainee", {"commune_id": "commune-1"}, "commune_id: must be a lowercase UUID"),
    ("str not text", "trainee", {"full_name": 12}, "full_name: must be text"),
    ("str too long", "trainee", {"village": "x" * (MAX_STR_CHARS + 1)}, "village: must be at most 200"),
    ("int is text", "trainee", {"birth_year": "1980"}, "birth_year: must be a whole number"),
    ("int is float", "trainee", {"birth_year": 1980.0}, "birth_year: must be a whole number"),
    ("int is bool", "trainee", {"birth_year": True}, "birth_year: must be a whole number"),
    ("int too small", "trainee", {"birth_year": 1899}, "birth_year: must be at least 1900"),
    ("int too big", "trainee", {"birth_year": 2101}, "birth_year: must be at most 2100"),
    ("bool", "trainee", {"consent": "yes"}, "consent: must be true or false"),
    ("bool as int", "trainee", {"consent": 1}, "consent: must be true or false"),
    ("enum", "trainee", {"gender": "F"}, "gender: must be one of female, male, other"),
    ("enum unhashable", "trainee", {"gender": ["female"]}, "gender: must be one of"),
]


@pytest.mark.parametrize(("entity", "fields", "expected"), [c[1:] for c in FIELD_CASES],
                         ids=[c[0] for c in FIELD_CASES])
def test_field_values_that_do_not_fit_are_refused(entity: str, fields: dict[str, Any],
                                                  expected: str) -> None:
    assert expected in rejected(wire(entity, uid("record"), HLC, fields))


@pytest.mark.parametrize("value", ["2025-13-01", "2025-02-30", "2025-04-31", "25-01-01", "2025-1-1",
                                   "2025-01-01T00:00", "2025-01-01\n", "\u0662025-01-01", 20250101])
def test_bad_dates_are_refused(value: object) -> None:
    raw = wire("session", uid("session"), HLC, {"course_id": uid("c"), "date": value})
    assert "date: must be YYYY-MM-DD" in rejected(raw)


@pytest.mark.parametrize("value", ["2024-02-29", "2025-12-31", "2025-01-01"])
def test_real_dates_pass(value: str) -> None:
    assert isinstance(parse_op(wire("session", uid("s"), HLC, {"date": value}), NOW_MS), Op)


@pytest.mark.parametrize("value", ["24:00", "7:30", "07:60", "07:30:00", "07:30\n", 730])
def test_bad_times_are_refused(value: object) -> None:
    assert "start_time: must be HH:MM" in rejected(wire("session", uid("s"), HLC, {"start_time": value}))


def test_text_fields_allow_more_than_str_fields() -> None:
    note = "x" * MAX_TEXT_CHARS
    assert isinstance(parse_op(good_attendance(fields={**good_attendance()["fields"], "note": note}),
                               NOW_MS), Op)
    too_long = {**good_attendance()["fields"], "note": note + "x"}
    assert "note: must be at most 2000 characters" in rejected(good_attendance(fields=too_long))


def test_uuid_lists_hold_only_uuids_and_not_too_many() -> None:
    spec = ENTITIES["course"].fields["trainer_ids"]
    assert value_problem(spec, [uid("a"), uid("b")]) is None
    for bad in ([uid("a"), "b"], uid("a"), [uid(str(i)) for i in range(MAX_LIST_ITEMS + 1)]):
        assert value_problem(spec, bad) == "must be a list of lowercase UUIDs"


def test_json_fields_must_be_small_json() -> None:
    spec = ENTITIES["confirmation"].fields["proof"]
    assert value_problem(spec, {"type": "webauthn", "sig": "abc"}) is None
    assert value_problem(spec, {"blob": object()}) == "must be JSON"
    assert value_problem(spec, "x" * 5000) == "must be at most 4096 bytes"


CHECKLIST_CASES: list[tuple[str, Any, str]] = [
    ("not a list", {"code": "a"}, "must be a list of 1 to 200 items"),
    ("empty", [], "must be a list of 1 to 200 items"),
    ("too many", [dict(ITEM, code=str(i)) for i in range(MAX_LIST_ITEMS + 1)], "1 to 200 items"),
    ("item not object", ["vneid"], "each item has code, label_vi, label_en"),
    ("unknown item key", [dict(ITEM, level=2)], "each item has code, label_vi, label_en"),
    ("missing label", [{"code": "a", "label_vi": "A"}], "needs a non-empty code, label_vi and label_en"),
    ("empty code", [dict(ITEM, code="")], "needs a non-empty code"),
    ("label not text", [dict(ITEM, label_en=5)], "needs a non-empty code"),
    ("duplicate code", [ITEM, dict(ITEM, label_en="Again")], "skill code 'vneid.install' appears twice"),
]


@pytest.mark.parametrize(("items", "expected"), [c[1:] for c in CHECKLIST_CASES],
                         ids=[c[0] for c in CHECKLIST_CASES])
def test_bad_checklist_items_are_refused(items: Any, expected: str) -> None:
    reason = rejected(checklist(items))
    assert reason.startswith("items: ") and expected in reason


def test_good_checklist_items_pass() -> None:
    items = [ITEM, {"code": "qr.pay", "label_vi": "Thanh toán QR", "label_en": "Pay by QR",
                    "domain": "communication"}]
    assert isinstance(parse_op(checklist(items), NOW_MS), Op)


def test_natural_key_fields_must_be_present() -> None:
    raw = good_attendance()
    del raw["fields"]["trainee_id"]
    assert "attendance ops must carry trainee_id" in rejected(raw)
    skill = {"course_id": uid("c"), "trainee_id": uid("t"), "skill_code": "qr.pay", "level": 2}
    raw = natural("skill_check", skill, HLC)
    del raw["fields"]["skill_code"]
    assert "skill_check ops must carry skill_code" in rejected(raw)


def test_natural_key_records_must_have_the_derived_id() -> None:
    reason = rejected(good_attendance(id=uid("made-up")))
    other = attendance("s1", "t2", "present", HLC)["id"]
    assert "attendance id must be derived from session_id, trainee_id" in reason
    assert other not in reason
    assert f"expected {good_attendance()['id']}" in reason


def test_a_trainee_op_without_natural_key_needs_no_derived_id() -> None:
    assert isinstance(parse_op(trainee("t1", HLC), NOW_MS), Op)
