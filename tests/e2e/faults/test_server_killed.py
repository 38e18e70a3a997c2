"""The server killed with SIGKILL while it applies a phone's batch, then started again: the batch is all there or
not at all, nothing acknowledged before is lost, and the phone's retry lands every op exactly once."""

from __future__ import annotations

import random

import pytest

from tests.e2e.faults.conftest import STATUSES, SYNC_PATH, AppTaps, FaultyRegister, sync_until_nothing_pending
from tests.e2e.phone import Phone
from tests.faults.proxy import Exchange
from tests.faults.write_lock import LockWatch, WriteLockProbe

pytestmark = pytest.mark.browser

BATCH = 400  # the app's largest batch (pwa/src/client/sync-client.js MAX_BATCH_OPS): the longest to apply
BIG_REQUEST_BYTES = 2_000  # a batch of 400 ops, compact and gzipped (~5 KB), is well above; a pull (0.3 KB) below
KILL_TIMEOUT_S = 60
SYNC_DEADLINE_S = 90
KILL_AT = 0.25  # of the time a clean batch held the write lock
# But no later than this into the hold: the clean batch was the first a worker applied, and compiling
# its statements can make it several times slower than the next one (a flaky kill that never came).
KILL_BY_S = 0.05


def _taps_offline(phone: Phone, app_taps: AppTaps, taps: list[tuple[str, str, str]], before: set[str]) -> set[str]:
    """Make `taps` offline through the app; return the new op ids, once the app shows them pending."""
    phone.go_offline()
    new = set(app_taps.mark(phone.page, taps)) - before
    phone.reopen()
    phone.expect_pending(len(taps))
    assert len(new) == len(taps)
    return new


def _batch_at_the_server(exchanges: list[Exchange]) -> bool:
    """Whether a batch request has wholly reached the server and has no answer yet."""
    return any(e.path.startswith(SYNC_PATH) and e.request_bytes > BIG_REQUEST_BYTES and e.forwarded_at is not None
               and e.answered_at is None and e.dropped is None for e in list(exchanges))


def test_a_server_killed_while_applying_a_batch_loses_nothing_and_the_retry_lands_it_once(
        faulty_register_any_db: FaultyRegister, enrolled_trainer_any_db: Phone, app_taps: AppTaps,
        write_lock: WriteLockProbe) -> None:
    register, phone, proxy = faulty_register_any_db, enrolled_trainer_any_db, faulty_register_any_db.proxy
    pairs = register.pairs_for("tuan.trainer")
    rng = random.Random(9)
    taps = [(*rng.choice(pairs), rng.choice(STATUSES)) for _ in range(2 * BATCH)]

    # A first batch goes through and is acknowledged; it shows how long applying a batch holds the write lock.
    acknowledged = _taps_offline(phone, app_taps, taps[:BATCH], set())
    with LockWatch(write_lock) as watch:
        phone.go_online()
        sync_until_nothing_pending(phone, SYNC_DEADLINE_S)
    assert set(register.device_op_ids()) == acknowledged
    assert watch.holds, "applying the batch held the write lock long enough to be seen"
    apply_s = max(watch.holds)

    # The second batch: the whole server is killed once the write lock has been held a quarter of that time, or
    # KILL_BY_S, while the batch has wholly reached the server and is not answered: then only it holds the lock.
    second = _taps_offline(phone, app_taps, taps[BATCH:], acknowledged)
    with LockWatch(write_lock, min(apply_s * KILL_AT, KILL_BY_S), register.server.kill,
                   act_while=lambda: _batch_at_the_server(proxy.exchanges)) as watch:
        phone.go_online()
        assert watch.acted.wait(KILL_TIMEOUT_S), "the server took the write lock for the batch"
    phone.wait_until_idle()
    batches = [e for e in proxy.exchanges if e.path.startswith(SYNC_PATH) and e.request_bytes > BIG_REQUEST_BYTES]
    tries = batches[1:]  # the app's, and the browser's own resends on a reset kept-alive connection
    assert tries and tries[0].forwarded_at is not None, "the batch had reached the server whole"
    assert all(e.status is None for e in tries), "the phone got no answer"
    phone.expect_pending(BATCH)

    landed = set(register.device_op_ids())
    assert acknowledged <= landed, "nothing acknowledged is lost"
    half_applied = landed & second
    assert half_applied in (set(), second), f"{len(half_applied)} of the batch's {BATCH} ops were applied"

    register.server.start()
    sync_until_nothing_pending(phone, SYNC_DEADLINE_S)
    phone.expect_pending(0)
    assert app_taps.waiting(phone.page) == []

    ops, marks = register.device_op_ids(), register.attendance()
    assert len(ops) == len(set(ops)) == 2 * BATCH, "every op in the op log exactly once"
    assert set(ops) == acknowledged | second
    last_tap = {(session, trainee): status for session, trainee, status in taps}
    assert {pair: marks.get(pair) for pair in last_tap} == last_tap, "every record holds the last tap"
    print(f"\na batch held the write lock {apply_s:.3f} s; killed {min(apply_s * KILL_AT, KILL_BY_S):.3f} s into "
          f"the next: {len(half_applied)} of its ops had landed")
