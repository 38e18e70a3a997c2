"""merge_record: per-field last writer wins, and every concurrent losing value kept as a conflict."""

from __future__ import annotations

import itertools
from typing import Any

from sync.merge import (
    DELETED,
    Conflict,
    LoggedOp,
    Write,
    conflict_to_plain,
    merge_record,
    ops_in_conflict,
    saw,
    state_to_plain,
)
from tests.sync.sync_factories import attendance, clock, enrollment, logged, trainee, uid, wire

T1 = uid("t1")


def edit(hlc: str, base_rev: int | None = None, **fields: Any) -> dict[str, Any]:
    """Return an edit of trainee t1."""
    return trainee("t1", hlc, fields, base_rev=base_rev)


def merged(log: list[LoggedOp], entity: str = "trainee") -> tuple[dict[str, Any], bool, list[Conflict]]:
    state, conflicts = merge_record(entity, log[0].op.id, log)
    return dict(state.fields), state.deleted, conflicts


def test_a_single_op_is_the_state() -> None:
    log = logged(trainee("t1", clock(0, "a")))
    state, conflicts = merge_record("trainee", T1, log)
    assert state_to_plain(state) == {
        "entity": "trainee", "id": T1, "deleted": False, "hlc": clock(0, "a"), "rev": 1,
        "fields": {"full_name": "T1", "commune_id": uid("commune")},
    }
    assert conflicts == []


def test_last_writer_wins_by_hlc_not_by_arrival() -> None:
    # b saw a's create (base_rev 1); a's later edit reaches the server after b's.
    log = logged(trainee("t1", clock(0, "a")), edit(clock(20, "a"), village="Ban Pho"),
                 edit(clock(10, "b"), base_rev=1, village="Ta Van"))
    fields, _, _ = merged(log)
    assert fields["village"] == "Ban Pho"
    assert fields["full_name"] == "T1"


def test_state_carries_the_latest_clock_and_the_latest_seq() -> None:
    log = logged(trainee("t1", clock(50, "a")), edit(clock(10, "b"), base_rev=1, phone="0912"))
    state, _ = merge_record("trainee", T1, log)
    assert (state.hlc, state.rev) == (clock(50, "a"), 2)


def test_equal_clocks_are_broken_by_op_id_the_same_everywhere() -> None:
    ops = [edit(clock(10, "a"), village="X"), edit(clock(10, "a"), village="Y")]
    winner = max(ops, key=lambda raw: raw["op_id"])["fields"]["village"]
    for order in itertools.permutations(ops):
        assert merged(logged(*order))[0]["village"] == winner


def test_concurrent_writes_of_the_same_value_are_not_conflicts() -> None:
    log = logged(trainee("t1", clock(0, "a")), edit(clock(10, "a"), base_rev=1, village="Ta Van"),
                 edit(clock(20, "b"), base_rev=1, village="Ta Van"))
    assert merged(log)[2] == []


def test_sequential_edits_covered_by_base_rev_are_not_conflicts() -> None:
    log = logged(trainee("t1", clock(0, "a")), edit(clock(10, "a"), village="Ta Van"),
                 edit(clock(20, "b"), base_rev=2, village="Ban Pho"))
    fields, _, conflicts = merged(log)
    assert fields["village"] == "Ban Pho"
    assert conflicts == []


def test_edits_by_the_same_device_are_not_conflicts() -> None:
    log = logged(edit(clock(0, "a"), village="X"), edit(clock(10, "a"), village="Y"),
                 edit(clock(20, "a"), village="Z"))
    fields, _, conflicts = merged(log)
    assert fields["village"] == "Z"
    assert conflicts == []


def test_concurrent_edits_are_a_conflict_holding_both_values() -> None:
    create, mine, theirs = (trainee("t1", clock(0, "a")), edit(clock(10, "a"), base_rev=1, village="X"),
                            edit(clock(20, "b"), base_rev=1, village="Y"))
    fields, _, conflicts = merged(logged(create, mine, theirs))
    assert fields["village"] == "Y"
    assert [conflict_to_plain(c) for c in conflicts] == [{
        "entity": "trainee", "id": T1, "field": "village",
        "winner_op_id": theirs["op_id"], "loser_op_id": mine["op_id"],
        "winner_value": "Y", "loser_value": "X",
    }]
    assert ops_in_conflict(conflicts) == {mine["op_id"], theirs["op_id"]}


def test_a_conflict_is_kept_even_when_the_loser_arrives_last() -> None:
    # A phone days behind syncs late: its older clock loses, but its value is not dropped.
    winner, late = edit(clock(0, "a"), village="X"), edit(clock(-86_400_000, "b"), village="Y")
    fields, _, conflicts = merged(logged(winner, late))
    assert fields["village"] == "X"
    assert [(c.winner_op_id, c.loser_op_id) for c in conflicts] == [(winner["op_id"], late["op_id"])]


def test_concurrent_edits_of_different_fields_both_stay() -> None:
    log = logged(trainee("t1", clock(0, "a")), edit(clock(10, "a"), base_rev=1, village="X"),
                 edit(clock(20, "b"), base_rev=1, phone="0912"))
    fields, _, conflicts = merged(log)
    assert (fields["village"], fields["phone"]) == ("X", "0912")
    assert conflicts == []


def test_attendance_marked_differently_on_two_phones_is_a_conflict() -> None:
    present = attendance("s1", "t1", "present", clock(0, "trainer"))
    absent = attendance("s1", "t1", "absent", clock(5, "helper"))
    fields, _, conflicts = merged(logged(present, absent), "attendance")
    assert fields["status"] == "absent"
    assert [(c.field, c.winner_value, c.loser_value) for c in conflicts] == [("status", "absent", "present")]


def test_a_delete_that_saw_the_record_removes_it_quietly() -> None:
    log = logged(trainee("t1", clock(0, "a")), wire("trainee", T1, clock(10, "b"), kind="delete", base_rev=1))
    fields, deleted, conflicts = merged(log)
    assert deleted
    assert fields["full_name"] == "T1"  # a tombstone keeps the last values for review
    assert conflicts == []


def test_a_later_delete_against_a_concurrent_edit_is_a_conflict() -> None:
    create = trainee("t1", clock(0, "a"))
    change = edit(clock(10, "a"), base_rev=1, village="X")
    delete = wire("trainee", T1, clock(20, "b"), kind="delete", base_rev=1)
    fields, deleted, conflicts = merged(logged(create, change, delete))
    assert deleted
    assert fields["village"] == "X"
    assert [(c.field, c.winner_op_id, c.loser_op_id, c.winner_value, c.loser_value) for c in conflicts] == [
        (DELETED, delete["op_id"], change["op_id"], True, False)]


def test_a_later_edit_against_a_concurrent_delete_is_a_conflict_and_revives() -> None:
    create = trainee("t1", clock(0, "a"))
    delete = wire("trainee", T1, clock(10, "b"), kind="delete", base_rev=1)
    change = edit(clock(20, "a"), base_rev=1, village="X")
    _, deleted, conflicts = merged(logged(create, delete, change))
    assert not deleted
    assert [(c.field, c.winner_op_id, c.loser_op_id) for c in conflicts] == [
        (DELETED, change["op_id"], delete["op_id"])]


def test_enrollment_concurrent_add_and_remove_keeps_it() -> None:
    add = enrollment("c1", "t1", clock(0, "a"))
    remove = enrollment("c1", "t1", clock(50, "b"), kind="delete")  # later clock, but never saw the add
    _, deleted, conflicts = merged(logged(add, remove), "enrollment")
    assert not deleted
    assert [(c.winner_op_id, c.loser_op_id) for c in conflicts] == [(add["op_id"], remove["op_id"])]


def test_enrollment_remove_that_saw_the_add_removes_it() -> None:
    add = enrollment("c1", "t1", clock(0, "a"))
    remove = enrollment("c1", "t1", clock(50, "b"), kind="delete", base_rev=1)
    _, deleted, conflicts = merged(logged(add, remove), "enrollment")
    assert deleted
    assert conflicts == []


def test_enrollment_remove_that_saw_the_add_wins_even_with_a_slow_clock() -> None:
    add = enrollment("c1", "t1", clock(0, "a"))
    remove = enrollment("c1", "t1", clock(-3_600_000, "b"), kind="delete", base_rev=1)
    assert merged(logged(add, remove), "enrollment")[1]


def test_enrollment_remove_by_the_adding_device_needs_no_base_rev() -> None:
    add = enrollment("c1", "t1", clock(0, "a"))
    remove = enrollment("c1", "t1", clock(10, "a"), kind="delete")
    assert merged(logged(add, remove), "enrollment")[1]


def test_enrollment_re_add_after_remove_keeps_it() -> None:
    add = enrollment("c1", "t1", clock(0, "a"))
    remove = enrollment("c1", "t1", clock(10, "b"), kind="delete", base_rev=1)
    again = enrollment("c1", "t1", clock(20, "a"), base_rev=2)
    _, deleted, conflicts = merged(logged(add, remove, again), "enrollment")
    assert not deleted
    assert conflicts == []


def test_enrollment_remove_that_missed_a_second_add_keeps_it() -> None:
    first = enrollment("c1", "t1", clock(0, "a"))
    second = enrollment("c1", "t1", clock(5, "c"))
    remove = enrollment("c1", "t1", clock(50, "b"), kind="delete", base_rev=1)
    assert not merged(logged(first, second, remove), "enrollment")[1]


def test_the_result_does_not_depend_on_the_order_ops_are_listed() -> None:
    create = trainee("t1", clock(0, "a"))
    ops = [(create, 1), (edit(clock(10, "a"), base_rev=1, village="X"), 2),
           (edit(clock(20, "b"), base_rev=1, village="Y", phone="1"), 3),
           (wire("trainee", T1, clock(15, "c"), kind="delete", base_rev=1), 4),
           (edit(clock(5, "d"), phone="2"), 5)]
    log = [LoggedOp(logged(raw)[0].op, seq) for raw, seq in ops]
    expected = merge_record("trainee", T1, log)
    for order in itertools.permutations(log):
        assert merge_record("trainee", T1, list(order)) == expected


def test_saw_means_same_device_earlier_or_on_the_server_when_pulled() -> None:
    winner = Write("w", clock(10, "a"), 5, "a", 3, "x")
    assert saw(winner, Write("o", clock(5, "a"), 9, "a", None, "y"))  # same device, earlier
    assert not saw(winner, Write("o", clock(15, "a"), 4, "a", None, "y"))  # ...but not a later one
    assert saw(winner, Write("o", clock(50, "b"), 3, "b", None, "y"))  # pulled: seq <= base_rev
    assert not saw(winner, Write("o", clock(1, "b"), 4, "b", None, "y"))  # not yet on the server
    blind = Write("w", clock(10, "a"), 5, "a", None, "x")
    assert not saw(blind, Write("o", clock(1, "b"), 1, "b", None, "y"))
