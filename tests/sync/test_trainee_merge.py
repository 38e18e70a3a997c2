"""Merging duplicate trainees: records follow the survivor, late ops are redirected, replays are no-ops."""

from __future__ import annotations

from typing import Any

from sync.ids import derived_id
from sync.memory_store import MemoryStore
from sync.merge import LoggedOp
from sync.trainee_merge import follow_merge, redirect_op, survivor
from tests.sync.sync_factories import (
    apply,
    attendance,
    clock,
    enrollment,
    natural,
    statuses,
    to_op,
    trainee,
    uid,
)


def merge(loser: str, into: str, at: int) -> dict[str, Any]:
    """Return the coordinator's op merging trainee `loser` into trainee `into`."""
    return trainee(loser, clock(at, "office"), {"merged_into": uid(into)})


def live(store: MemoryStore, entity: str) -> dict[str, dict[str, Any]]:
    """Return live records of an entity by id."""
    return {rid: dict(s.fields) for (e, rid), s in store.records.items() if e == entity and not s.deleted}


def att_id(session: str, person: str) -> str:
    record_id = derived_id("attendance", {"session_id": uid(session), "trainee_id": uid(person)})
    assert record_id is not None
    return record_id


def seeded() -> MemoryStore:
    """Return a store with trainees a, b, c; b has attendance, an enrollment and a skill check."""
    store = MemoryStore()
    skill = {"course_id": uid("c1"), "trainee_id": uid("b"), "skill_code": "qr.pay", "level": 2}
    acks = apply(store, trainee("a", clock(0, "office")), trainee("b", clock(1, "office")),
                 trainee("c", clock(2, "office")),
                 attendance("s1", "b", "present", clock(10, "trainer")),
                 attendance("s2", "a", "late", clock(11, "trainer")),
                 enrollment("c1", "b", clock(12, "trainer")),
                 natural("skill_check", skill, clock(13, "trainer")))
    assert set(statuses(acks)) == {"applied"}
    return store


def test_records_of_the_merged_trainee_follow_the_survivor() -> None:
    store = seeded()
    assert statuses(apply(store, merge("b", "a", 100))) == ["applied"]
    assert {f["trainee_id"] for f in live(store, "attendance").values()} == {uid("a")}
    assert live(store, "attendance")[att_id("s1", "a")]["status"] == "present"
    assert [f["trainee_id"] for f in live(store, "enrollment").values()] == [uid("a")]
    assert [f["trainee_id"] for f in live(store, "skill_check").values()] == [uid("a")]
    assert store.records[("attendance", att_id("s1", "b"))].deleted


def test_two_different_marks_for_the_same_session_become_a_conflict() -> None:
    store = seeded()
    apply(store, attendance("s1", "a", "absent", clock(20, "helper")))
    apply(store, merge("b", "a", 100))
    conflicts = [c for c in store.open_conflicts() if c.id == att_id("s1", "a")]
    assert [(c.field, c.winner_value, c.loser_value) for c in conflicts] == [("status", "absent", "present")]


def test_a_late_op_about_the_merged_trainee_is_redirected() -> None:
    store = seeded()
    apply(store, merge("b", "a", 100))
    late = attendance("s1", "b", "excused", clock(200, "offline"), base_rev=4)
    # base_rev 4 counted b's record, not a's, so it is dropped: the phone is treated as not
    # having seen the moved "present", and that value is kept as a conflict (never lost).
    assert statuses(apply(store, late)) == ["conflict"]
    logged_op = store.log[late["op_id"]].op
    assert logged_op.id == att_id("s1", "a")
    assert (logged_op.fields["trainee_id"], logged_op.base_rev) == (uid("a"), None)
    assert live(store, "attendance")[att_id("s1", "a")]["status"] == "excused"
    assert store.records[("attendance", att_id("s1", "b"))].deleted


def test_a_late_op_made_before_the_merge_still_counts_on_the_survivor() -> None:
    # The offline phone marked b before the coordinator merged, but synced after.
    store = seeded()
    apply(store, merge("b", "a", 100))
    late = attendance("s1", "b", "absent", clock(50, "offline"))
    assert statuses(apply(store, late)) == ["conflict"]
    assert live(store, "attendance")[att_id("s1", "a")]["status"] == "absent"


def test_merges_chain_to_the_last_survivor() -> None:
    store = seeded()
    apply(store, merge("b", "a", 100))
    apply(store, merge("a", "c", 200))
    assert {f["trainee_id"] for f in live(store, "attendance").values()} == {uid("c")}
    late = attendance("s3", "b", "present", clock(300, "offline"))
    apply(store, late)
    assert store.log[late["op_id"]].op.fields["trainee_id"] == uid("c")


def test_merging_into_an_already_merged_trainee_reaches_its_survivor() -> None:
    store = seeded()
    apply(store, merge("a", "c", 100))
    apply(store, merge("b", "a", 200))
    assert {f["trainee_id"] for f in live(store, "attendance").values()} == {uid("c")}
    assert {f["trainee_id"] for f in live(store, "enrollment").values()} == {uid("c")}


def test_a_removed_enrollment_does_not_come_back_on_the_survivor() -> None:
    store = seeded()
    remove = enrollment("c1", "b", clock(30, "trainer"), kind="delete", base_rev=6)
    assert statuses(apply(store, remove)) == ["applied"]
    apply(store, merge("b", "a", 100))
    assert live(store, "enrollment") == {}


def test_replaying_the_merge_changes_nothing() -> None:
    store = seeded()
    op = merge("b", "a", 100)
    apply(store, op)
    before = (dict(store.records), store.seq)
    assert statuses(apply(store, op)) == ["duplicate"]
    assert (dict(store.records), store.seq) == before


def test_following_is_deterministic_so_a_repeat_adds_nothing() -> None:
    store = seeded()
    raw = merge("b", "a", 100)
    apply(store, raw)
    merge_op = store.log[raw["op_id"]].op
    about: list[LoggedOp] = store.ops_about_trainee(uid("b"))
    first = follow_merge(merge_op, uid("a"), about)
    assert follow_merge(merge_op, uid("a"), list(reversed(about))) == first
    assert {op.op_id for op in first} <= set(store.log)


def test_the_tombstones_beat_every_write_they_moved() -> None:
    store = seeded()
    raw = merge("b", "a", 5)  # the coordinator's clock is behind the trainer's marks
    apply(store, raw)
    assert store.records[("attendance", att_id("s1", "b"))].deleted
    assert store.records[("enrollment", derived_id("enrollment", {"course_id": uid("c1"),
                                                                  "trainee_id": uid("b")}))].deleted


def test_survivor_follows_chains_and_stops_on_cycles() -> None:
    assert survivor("x", {}) == "x"
    assert survivor("b", {"b": "a", "a": "c"}) == "c"
    assert survivor("a", {"a": "a"}) == "a"
    assert survivor("a", {"a": "b", "b": "a"}) in {"a", "b"}


def test_redirect_leaves_other_ops_alone() -> None:
    op = to_op(attendance("s1", "b", "present", clock(0, "x")))
    assert redirect_op(op, {}) is op
    assert redirect_op(op, {uid("z"): uid("a")}) is op
    moved = redirect_op(op, {uid("b"): uid("a")})
    assert (moved.op_id, moved.id, moved.hlc) == (op.op_id, att_id("s1", "a"), op.hlc)
    edit = to_op(trainee("b", clock(0, "x")))
    assert redirect_op(edit, {uid("b"): uid("a")}) is edit


def test_ops_after_a_merge_in_the_same_batch_are_redirected() -> None:
    # The gate redirects a whole batch before any of it applies; the engine must catch up.
    store = seeded()
    late = attendance("s3", "b", "present", clock(300, "office"))
    assert statuses(apply(store, merge("b", "a", 100), merge("a", "c", 200), late)) == ["applied"] * 3
    assert store.log[late["op_id"]].op.fields["trainee_id"] == uid("c")
    assert {f["trainee_id"] for f in live(store, "attendance").values()} == {uid("c")}


def test_a_trainee_merged_into_itself_keeps_its_records() -> None:
    store = seeded()
    apply(store, merge("b", "b", 100))
    assert {f["trainee_id"] for f in live(store, "attendance").values()} == {uid("a"), uid("b")}
    assert len(live(store, "enrollment")) == 1


def test_a_merge_cycle_keeps_the_records_alive() -> None:
    store = seeded()
    apply(store, merge("b", "a", 100))
    apply(store, merge("a", "b", 200))  # two coordinators undo each other: nothing may vanish
    assert len(live(store, "attendance")) == 2
    assert len(live(store, "enrollment")) == 1
