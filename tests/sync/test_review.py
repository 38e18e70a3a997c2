"""The review rule of docs/checkin.md §5 as a pure function, and which ops decide it."""

from __future__ import annotations

from sync.merge import LoggedOp, Write
from sync.ops import Op
from sync.review import Review, absent_against_confirmation, proof_op, status_write


def write(value: str, op_id: str = "w1", base_rev: int | None = None) -> Write:
    return Write(op_id, "1795444286489-0000-a", 1, "a", base_rev, value)


def logged(op_id: str, hlc: str, kind: str = "upsert", seq: int = 1, **fields: object) -> LoggedOp:
    return LoggedOp(Op(op_id, "attendance", "r", hlc, kind, fields if kind == "upsert" else {}), seq)  # type: ignore[arg-type]


def test_only_absent_against_verified_needs_review() -> None:
    assert absent_against_confirmation(write("absent"), "verified", None)
    assert not absent_against_confirmation(write("present"), "verified", None)
    assert not absent_against_confirmation(write("absent"), "unverified", None)
    assert not absent_against_confirmation(write("absent"), "failed", None)
    assert not absent_against_confirmation(None, "verified", None)
    assert not absent_against_confirmation(write("absent"), None, None)


def test_the_same_absent_keeps_the_review_as_it_stands() -> None:
    assert absent_against_confirmation(write("absent", "w1"), "verified", Review("w1", 40, open=True))
    assert not absent_against_confirmation(write("absent", "w1", base_rev=10), "verified",
                                           Review("w1", 40, open=False))


def test_a_new_absent_settles_it_only_after_pulling_it() -> None:
    review = Review("w1", 40, open=True)
    assert not absent_against_confirmation(write("absent", "w2", base_rev=40), "verified", review)
    assert not absent_against_confirmation(write("absent", "w2", base_rev=41), "verified", review)
    assert absent_against_confirmation(write("absent", "w2", base_rev=39), "verified", review)
    assert absent_against_confirmation(write("absent", "w2"), "verified", review)
    # Marked absent again, unseen, after the status had changed and the review closed: it reopens.
    assert absent_against_confirmation(write("absent", "w3", base_rev=12), "verified", Review("w1", 40, open=False))


def test_the_deciding_ops() -> None:
    ops = [logged("a", "1795444286489-0000-x", status="absent"),
           logged("b", "1795444286490-0000-x", seq=2, note="late"),
           logged("c", "1795444286491-0000-x", kind="delete", seq=3)]
    found = status_write(ops)
    assert found is not None and (found.op_id, found.value) == ("a", "absent")
    deciding = proof_op(ops)
    assert deciding is not None and deciding.op.op_id == "b"  # a delete carries no proof
    assert proof_op([]) is None and status_write([]) is None
