"""Property: any interleaving, loss, retry and duplication of syncs across devices converges.

The model: 3-6 phones with clocks up to three days wrong, each with an outbox and a copy
of the records it pulled, editing a small id space so that they collide; a server made
of MemoryStore + apply_batch + a gate that redirects like the real one. Requests get lost
before the server, responses get lost after it, proxies send a request twice. At the end
every phone drains its outbox and pulls everything, and then:

- every phone's copy is the server's records;
- every acknowledged op is in the server log exactly once, as it was sent;
- every losing value of every field is either one the winner's device had seen or an
  open conflict;
- the server's state is merge_record of the log, whatever order the log is read in;
- no live record is left on a trainee that was merged away.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from hypothesis import event, given, settings
from hypothesis import strategies as st

from sync.engine import Ack, Key, apply_batch
from sync.entities import ATTENDANCE_STATUSES, spec_for
from sync.hlc import Hlc, parse_hlc, receive, tick
from sync.ids import derived_id
from sync.memory_store import MemoryStore
from sync.merge import DELETED, LoggedOp, field_winner, merge_record, saw, writes_by_field
from tests.sync.sync_factories import DAY_MS, NOW_MS, OpenGate, merged_trainees, uid

SESSIONS = [uid("session-0"), uid("session-1")]
COURSE = uid("course-0")
TRAINEES = [uid("trainee-0"), uid("trainee-1"), uid("trainee-2")]
SKILLS = ["qr.pay", "vneid.install"]
VILLAGES = ["Ta Van", "Ban Pho", "Lao Chai", "Sin Chai"]
EDITS = ["attendance", "attendance_delete", "skill", "enroll", "unenroll", "trainee", "merge"]
FAULTS = ["none", "none", "lost_request", "lost_response", "duplicated"]


@dataclass
class Pulled:
    fields: dict[str, Any]
    deleted: bool
    rev: int


@dataclass
class Device:
    node: str
    skew_ms: int
    clock: Hlc | None = None
    outbox: list[dict[str, Any]] = field(default_factory=list)
    copy: dict[Key, Pulled] = field(default_factory=dict)
    known: set[Key] = field(default_factory=set)
    cursor: int = 0
    sent: dict[str, dict[str, Any]] = field(default_factory=dict)
    acks: list[Ack] = field(default_factory=list)
    applied_unheard: set[str] = field(default_factory=set)


@dataclass
class World:
    devices: list[Device]
    store: MemoryStore = field(default_factory=MemoryStore)
    now_ms: int = NOW_MS
    ops_made: int = 0

    def __post_init__(self) -> None:
        self.gate = OpenGate(self.store)


# --- device edits -----------------------------------------------------------------------------


def make_op(world: World, device: Device, entity: str, record_id: str, fields: dict[str, Any],
            kind: str = "upsert") -> None:
    """Stamp an op with the device clock and the rev it last pulled, and queue it."""
    device.clock = tick(device.clock, world.now_ms + device.skew_ms, device.node)
    world.ops_made += 1
    pulled = device.copy.get((entity, record_id))
    raw: dict[str, Any] = {
        "op_id": uid(f"op-{world.ops_made}"), "entity": entity, "id": record_id,
        "hlc": str(device.clock), "kind": kind, "fields": fields,
    }
    if pulled is not None:
        raw["base_rev"] = pulled.rev
    if kind == "upsert":
        device.known.add((entity, record_id))
    device.outbox.append(raw)
    device.sent[raw["op_id"]] = raw


def natural_op(world: World, device: Device, entity: str, fields: dict[str, Any],
               kind: str = "upsert") -> None:
    record_id = derived_id(entity, fields)
    assert record_id is not None
    if kind == "delete" and (entity, record_id) not in device.known:
        return  # a phone only offers to delete what it has
    make_op(world, device, entity, record_id, fields if kind == "upsert" else {}, kind)


def edit(world: World, device: Device, what: str, a: int, b: int, c: int) -> None:
    """Make one edit a trainer or coordinator could make, over a small id space."""
    person = TRAINEES[b % len(TRAINEES)]
    marked = {"session_id": SESSIONS[a % 2], "trainee_id": person}
    if what == "attendance":
        status = ATTENDANCE_STATUSES[c % len(ATTENDANCE_STATUSES)]
        natural_op(world, device, "attendance", {**marked, "status": status})
    elif what == "attendance_delete":
        natural_op(world, device, "attendance", marked, "delete")
    elif what == "skill":
        skill = {"course_id": COURSE, "trainee_id": person, "skill_code": SKILLS[a % 2], "level": c % 4}
        natural_op(world, device, "skill_check", skill)
    elif what in ("enroll", "unenroll"):
        natural_op(world, device, "enrollment", {"course_id": COURSE, "trainee_id": person},
                   "upsert" if what == "enroll" else "delete")
    elif what == "trainee":
        edit_trainee(world, device, person, {"village": VILLAGES[c % len(VILLAGES)]})
    elif b % len(TRAINEES) > a % len(TRAINEES):
        # Merge a later trainee into an earlier one only, so merges chain but never cycle.
        edit_trainee(world, device, person, {"merged_into": TRAINEES[a % len(TRAINEES)]})


def edit_trainee(world: World, device: Device, person: str, fields: dict[str, Any]) -> None:
    if ("trainee", person) not in device.known:
        fields = {"full_name": f"Trainee {person[:4]}", "commune_id": uid("commune"), **fields}
    make_op(world, device, "trainee", person, fields)


# --- the network --------------------------------------------------------------------------------


def sync(world: World, device: Device, chunk: int, fault: str, pull_limit: int) -> None:
    """One round trip: push a chunk of the outbox, then pull one page of changes."""
    batch = [dict(raw) for raw in device.outbox[:chunk]]
    if fault == "lost_request":
        return
    acks = apply_batch(world.store, batch, world.gate, world.now_ms)
    if fault == "duplicated":
        acks = apply_batch(world.store, batch, world.gate, world.now_ms)
    if fault == "lost_response":
        device.applied_unheard |= {a.op_id for a in acks if a.op_id and a.status != "rejected"}
        return
    hear_acks(device, acks)
    pull(world, device, pull_limit)


def hear_acks(device: Device, acks: list[Ack]) -> None:
    """Drop acknowledged ops from the outbox, and only those."""
    for ack in acks:
        if ack.op_id in device.applied_unheard:
            # Applied before, answer lost: the retry must say so, not apply it again.
            assert ack.status == "duplicate", ack
            device.applied_unheard.discard(ack.op_id)
    device.acks.extend(acks)
    acked = {ack.op_id for ack in acks}
    device.outbox = [raw for raw in device.outbox if raw["op_id"] not in acked]


def pull(world: World, device: Device, limit: int) -> bool:
    """Pull one page of changes; return whether there may be more."""
    page = world.store.changes_since(device.cursor, limit)
    for state in page:
        key = (state.entity, state.id)
        device.copy[key] = Pulled(dict(state.fields), state.deleted, state.rev)
        device.known.add(key)
        device.cursor = state.rev
        remote = parse_hlc(state.hlc)
        assert remote is not None
        device.clock = receive(device.clock, remote, world.now_ms + device.skew_ms, device.node)
    return len(page) == limit


def finish(world: World) -> None:
    """Every phone gets signal for long enough: drain every outbox, then pull everything."""
    for device in world.devices:
        while device.outbox:
            sync(world, device, 50, "none", 50)
    for device in world.devices:
        while pull(world, device, 50):
            pass


# --- checks --------------------------------------------------------------------------------------


def by_record(log: list[LoggedOp]) -> dict[Key, list[LoggedOp]]:
    grouped: dict[Key, list[LoggedOp]] = {}
    for item in log:
        grouped.setdefault((item.op.entity, item.op.id), []).append(item)
    return grouped


def check_copies(world: World) -> None:
    server = {k: Pulled(dict(s.fields), s.deleted, s.rev) for k, s in world.store.records.items()}
    for device in world.devices:
        assert device.copy == server, device.node


def check_acked_ops_logged_once(world: World) -> None:
    log = world.store.log
    assert len({item.seq for item in log.values()}) == len(log)
    rejected_ids = {r.op_id for r in world.store.rejected}
    for device in world.devices:
        assert not device.applied_unheard, "a lost answer was never retried"
        for ack in device.acks:
            assert ack.op_id is not None
            if ack.status == "rejected":
                assert ack.reason and "to delete" in ack.reason, ack  # the only refusal expected
                assert ack.op_id in rejected_ids and ack.op_id not in log
                continue
            sent, kept = device.sent[ack.op_id], log[ack.op_id].op
            assert (kept.hlc, kept.kind, kept.entity) == (sent["hlc"], sent["kind"], sent["entity"])
            moved = {"trainee_id", "merged_into"}  # the only values a redirect may change
            assert {k: v for k, v in kept.fields.items() if k not in moved} == {
                k: v for k, v in sent["fields"].items() if k not in moved}
        assert {a.op_id for a in device.acks} == set(device.sent), "every op was answered"


def check_no_value_silently_lost(world: World) -> None:
    open_keys = {c.key for c in world.store.open_conflicts()}
    for (entity, record_id), items in by_record(list(world.store.log.values())).items():
        spec = spec_for(entity)
        add_wins = bool(spec and spec.add_wins)
        for name, writes in writes_by_field(items).items():
            winner = field_winner(writes, add_wins, name == DELETED)
            if not (add_wins and name == DELETED):
                assert winner == max(writes, key=lambda w: (w.hlc, w.op_id))
            for write in writes:
                if write.op_id == winner.op_id or write.value == winner.value or saw(winner, write):
                    continue
                assert (entity, record_id, name, write.op_id) in open_keys


def check_nothing_left_on_a_merged_trainee(world: World) -> None:
    merged = merged_trainees(world.store)
    for state in world.store.records.values():
        assert state.deleted or state.fields.get("trainee_id") not in merged, state


def check_order_independent(world: World, rnd: random.Random) -> None:
    for key, items in by_record(list(world.store.log.values())).items():
        rnd.shuffle(items)
        state, conflicts = merge_record(key[0], key[1], items)
        assert world.store.records[key] == state
        assert world.store.conflicts[key] == conflicts


# --- the property --------------------------------------------------------------------------------

small = st.integers(0, 5)
edit_step = st.tuples(st.just("edit"), small, st.sampled_from(EDITS), small, small, small)
sync_step = st.tuples(st.just("sync"), small, st.integers(1, 6), st.sampled_from(FAULTS), st.integers(1, 6))
wait_step = st.tuples(st.just("wait"), st.integers(0, 120_000))
steps = st.lists(st.one_of(edit_step, edit_step, sync_step, wait_step), min_size=20, max_size=100)
skews = st.lists(st.integers(-3 * DAY_MS, 3 * DAY_MS), min_size=3, max_size=6)


@settings(max_examples=150, deadline=None, database=None)
@given(skews=skews, plan=steps, rnd=st.randoms(use_true_random=False))
def test_any_schedule_of_edits_and_syncs_converges(
    skews: list[int], plan: list[tuple[Any, ...]], rnd: random.Random,
) -> None:
    world = World([Device(f"phone-{i}", skew) for i, skew in enumerate(skews)])
    for step in plan:
        if step[0] == "wait":
            world.now_ms += step[1]
            continue
        device = world.devices[step[1] % len(world.devices)]
        if step[0] == "edit":
            edit(world, device, *step[2:])
        else:
            sync(world, device, *step[2:])
    finish(world)
    check_copies(world)
    check_acked_ops_logged_once(world)
    check_no_value_silently_lost(world)
    check_order_independent(world, rnd)
    check_nothing_left_on_a_merged_trainee(world)
    describe(world)


def describe(world: World) -> None:
    """Label the example, so --hypothesis-show-statistics shows the model reached the hard cases."""
    statuses = {ack.status for device in world.devices for ack in device.acks}
    for status in sorted(statuses):
        event(f"ack {status}")
    if world.store.open_conflicts():
        event("open conflicts")
    if any(e == "trainee" and "merged_into" in s.fields for (e, _), s in world.store.records.items()):
        event("trainee merged")
    if any(s.deleted for (e, _), s in world.store.records.items() if e == "enrollment"):
        event("enrollment removed")
