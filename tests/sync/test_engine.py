"""apply_batch: each op decided alone, duplicates acknowledged, refusals kept with their reason."""

from __future__ import annotations

from sync.engine import Ack
from sync.memory_store import MemoryStore
from sync.ops import Op
from tests.sync.sync_factories import (
    OpenGate,
    apply,
    attendance,
    clock,
    statuses,
    trainee,
    uid,
    wire,
)

SESSION = {"course_id": uid("course"), "date": "2025-10-09"}


def test_a_valid_op_is_applied_logged_and_becomes_the_record() -> None:
    store = MemoryStore()
    raw = attendance("s1", "t1", "present", clock(0, "a"))
    assert apply(store, raw) == [Ack(raw["op_id"], "applied")]
    assert store.log[raw["op_id"]].seq == 1
    assert store.records[("attendance", raw["id"])].fields["status"] == "present"


def test_acks_come_back_in_the_order_of_the_ops() -> None:
    store = MemoryStore()
    raws = [attendance("s1", f"t{i}", "present", clock(i, "a")) for i in range(5)]
    assert [a.op_id for a in apply(store, *raws)] == [r["op_id"] for r in raws]


def test_an_op_sent_again_in_a_later_batch_is_a_duplicate_and_changes_nothing() -> None:
    store = MemoryStore()
    raw = attendance("s1", "t1", "present", clock(0, "a"))
    apply(store, raw)
    before = (dict(store.log), dict(store.records), store.seq)
    assert apply(store, raw) == [Ack(raw["op_id"], "duplicate")]
    assert (dict(store.log), dict(store.records), store.seq) == before


def test_an_op_twice_in_one_batch_is_applied_once() -> None:
    store = MemoryStore()
    raw = attendance("s1", "t1", "present", clock(0, "a"))
    assert statuses(apply(store, raw, dict(raw))) == ["applied", "duplicate"]
    assert store.seq == 1


def test_a_retried_conflicting_op_is_a_duplicate() -> None:
    store = MemoryStore()
    first = attendance("s1", "t1", "present", clock(0, "a"))
    second = attendance("s1", "t1", "absent", clock(5, "b"))
    assert statuses(apply(store, first, second)) == ["applied", "conflict"]
    assert statuses(apply(store, second)) == ["duplicate"]
    assert len(store.open_conflicts()) == 1


def test_the_losing_side_of_a_conflict_is_told_too() -> None:
    store = MemoryStore()
    apply(store, attendance("s1", "t1", "present", clock(10, "a")))
    late = attendance("s1", "t1", "absent", clock(0, "b"))
    assert statuses(apply(store, late)) == ["conflict"]
    assert store.records[("attendance", late["id"])].fields["status"] == "present"


def test_one_bad_op_is_rejected_alone_and_the_rest_apply() -> None:
    store = MemoryStore()
    good1 = attendance("s1", "t1", "present", clock(0, "a"))
    bad = attendance("s1", "t2", "here", clock(1, "a"))
    good2 = attendance("s1", "t3", "late", clock(2, "a"))
    acks = apply(store, good1, bad, good2)
    assert statuses(acks) == ["applied", "rejected", "applied"]
    assert acks[1].reason is not None and "status: must be one of" in acks[1].reason
    assert set(store.log) == {good1["op_id"], good2["op_id"]}


def test_rejected_ops_are_kept_with_their_reason() -> None:
    store = MemoryStore()
    bad = attendance("s1", "t2", "here", clock(1, "a"))
    nonsense = {"op_id": "nope"}
    apply(store, bad, nonsense)
    assert [(r.raw, r.op_id) for r in store.rejected] == [(bad, bad["op_id"]), (nonsense, None)]
    assert "status: must be one of" in store.rejected[0].reason
    assert "op_id must be a lowercase UUID" in store.rejected[1].reason


def test_a_rejected_op_sent_again_is_rejected_again_with_the_same_reason() -> None:
    store = MemoryStore()
    orphan = wire("trainee", uid("ghost"), clock(0, "a"), kind="delete")
    first = apply(store, orphan)
    assert apply(store, orphan) == first
    assert first[0].status == "rejected"
    assert store.log == {}


def test_a_new_record_must_carry_its_required_fields() -> None:
    store = MemoryStore()
    acks = apply(store, trainee("t1", clock(0, "a"), {"full_name": "A"}))
    assert statuses(acks) == ["rejected"]
    assert acks[0].reason == "new trainee needs commune_id"
    assert store.records == {}


def test_a_later_edit_may_carry_only_what_changed() -> None:
    store = MemoryStore()
    apply(store, trainee("t1", clock(0, "a")))
    assert statuses(apply(store, trainee("t1", clock(1, "a"), {"village": "Ta Van"}))) == ["applied"]


def test_deleting_an_unknown_record_is_rejected() -> None:
    store = MemoryStore()
    ghost = uid("ghost")
    acks = apply(store, wire("trainee", ghost, clock(0, "a"), kind="delete"))
    assert acks[0].status == "rejected"
    assert acks[0].reason == f"no trainee {ghost} to delete"


def test_immutable_fields_cannot_change_but_may_be_repeated() -> None:
    store = MemoryStore()
    session_id = uid("s1")
    apply(store, wire("session", session_id, clock(0, "a"), SESSION))
    same = wire("session", session_id, clock(1, "a"), {**SESSION, "place": "Nha van hoa"})
    moved = wire("session", session_id, clock(2, "a"), {"course_id": uid("other"), "place": "X"})
    acks = apply(store, same, moved)
    assert statuses(acks) == ["applied", "rejected"]
    assert acks[1].reason == "course_id cannot change once set"
    assert store.records[("session", session_id)].fields["place"] == "Nha van hoa"


def test_a_deleted_record_may_be_edited_again() -> None:
    store = MemoryStore()
    apply(store, trainee("t1", clock(0, "a")))
    apply(store, wire("trainee", uid("t1"), clock(1, "a"), kind="delete", base_rev=1))
    assert store.records[("trainee", uid("t1"))].deleted
    apply(store, trainee("t1", clock(2, "a"), {"village": "X"}, base_rev=2))
    assert not store.records[("trainee", uid("t1"))].deleted


def test_a_gate_refusal_rejects_the_op_with_the_gates_reason() -> None:
    store = MemoryStore()
    refuse = "this device may not write to course X"
    gate = OpenGate(store, lambda op: refuse if op.fields.get("trainee_id") == uid("t2") else None)
    ok, refused = (attendance("s1", "t1", "present", clock(0, "a")),
                   attendance("s1", "t2", "present", clock(1, "a")))
    acks = apply(store, ok, refused, gate=gate)
    assert acks == [Ack(ok["op_id"], "applied"), Ack(refused["op_id"], "rejected", refuse)]
    assert store.rejected[-1].reason == refuse
    assert refused["op_id"] not in store.log


def test_the_gate_sees_the_current_record() -> None:
    store = MemoryStore()
    gate = OpenGate(store)
    first = attendance("s1", "t1", "present", clock(0, "a"))
    apply(store, first, gate=gate)
    apply(store, attendance("s1", "t1", "late", clock(1, "a")), gate=gate)
    (op1, before1), (_, before2) = gate.seen
    assert isinstance(op1, Op) and before1 is None
    assert before2 is not None and before2.fields["status"] == "present" and before2.rev == 1


def test_the_gate_is_not_asked_about_ops_that_failed_state_checks() -> None:
    store = MemoryStore()
    gate = OpenGate(store)
    apply(store, wire("trainee", uid("ghost"), clock(0, "a"), kind="delete"), gate=gate)
    assert gate.seen == []


def test_sequence_numbers_only_grow() -> None:
    store = MemoryStore()
    apply(store, *[attendance("s1", f"t{i}", "present", clock(i, "a")) for i in range(3)])
    apply(store, attendance("s1", "t0", "late", clock(9, "a")))
    assert sorted(item.seq for item in store.log.values()) == [1, 2, 3, 4]
    assert [s.rev for s in store.changes_since(2, 10)] == [3, 4]


def test_ack_wire_form_includes_a_reason_only_when_there_is_one() -> None:
    assert Ack("x", "applied").to_wire() == {"op_id": "x", "status": "applied"}
    assert Ack("x", "rejected", "why").to_wire() == {"op_id": "x", "status": "rejected", "reason": "why"}
