"""Merging duplicate trainees: the records of the merged-away trainee follow the survivor.

A coordinator's merge is an ordinary op on the trainee (`merged_into`). Applying it
re-emits every op about the merged-away trainee re-keyed to the survivor, keeping
each op's clock so per-field last-writer-wins still decides between them, and
tombstones the old records. Ops that arrive later about the old trainee are
redirected the same way, so an offline device can never resurrect them.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from sync.hlc import parse_hlc, tick
from sync.ids import NAMESPACE, derived_id
from sync.merge import LoggedOp, merge_record
from sync.ops import Op

MAX_MERGE_CHAIN = 32


def survivor(trainee_id: str, merged: Mapping[str, str]) -> str:
    """Follow merges from a trainee to the one that now stands for them."""
    current = trainee_id
    for _ in range(MAX_MERGE_CHAIN):
        nxt = merged.get(current)
        if nxt is None or nxt == current:
            return current
        current = nxt
    return current


def rekey(op: Op, target: str, op_id: str) -> Op:
    """Return `op` about trainee `target` instead, under a new op id."""
    fields = dict(op.fields)
    fields["trainee_id"] = target
    new_id = derived_id(op.entity, fields) or str(uuid.uuid5(NAMESPACE, f"moved:{op.id}:{target}"))
    return Op(op_id, op.entity, new_id, op.hlc, op.kind, fields, None)


def redirect_op(op: Op, merged: Mapping[str, str]) -> Op:
    """Point an op about a merged-away trainee at its survivor; other ops pass unchanged."""
    trainee_id = op.fields.get("trainee_id")
    if not isinstance(trainee_id, str):
        return op
    target = survivor(trainee_id, merged)
    if target == trainee_id:
        return op
    return rekey(op, target, op.op_id)


def _live_records(about: Sequence[LoggedOp]) -> set[tuple[str, str]]:
    """Return the records not deleted: a removed enrollment must not come back on the survivor."""
    by_record: dict[tuple[str, str], list[LoggedOp]] = {}
    for item in about:
        by_record.setdefault((item.op.entity, item.op.id), []).append(item)
    return {key for key, items in by_record.items() if not merge_record(*key, items)[0].deleted}


def follow_merge(merge_op: Op, target: str, about: Sequence[LoggedOp]) -> list[Op]:
    """Return the ops that move a merged-away trainee's records to `target`."""
    moved: list[Op] = []
    tombstoned: dict[tuple[str, str], int] = {}
    latest_hlc: dict[tuple[str, str], str] = {}
    live = _live_records(about)
    for item in sorted(about, key=lambda i: i.seq):
        op = item.op
        if op.kind != "upsert" or "trainee_id" not in op.fields or (op.entity, op.id) not in live:
            continue
        follow_id = str(uuid.uuid5(NAMESPACE, f"follow:{merge_op.op_id}:{op.op_id}"))
        moved.append(rekey(op, target, follow_id))
        key = (op.entity, op.id)
        tombstoned[key] = max(item.seq, tombstoned.get(key, 0))
        latest_hlc[key] = max(op.hlc, latest_hlc.get(key, ""))
    for (entity, record_id), seen_rev in sorted(tombstoned.items()):
        delete_id = str(uuid.uuid5(NAMESPACE, f"unfollow:{merge_op.op_id}:{entity}:{record_id}"))
        hlc = _after(max(merge_op.hlc, latest_hlc[(entity, record_id)]), merge_op.node)
        moved.append(Op(delete_id, entity, record_id, hlc, "delete", {}, seen_rev))
    return moved


def _after(hlc: str, node: str) -> str:
    """Return a clock just after `hlc`, so the tombstone beats every write it saw."""
    parsed = parse_hlc(hlc)
    assert parsed is not None
    return str(tick(parsed, parsed.wall_ms, node))
