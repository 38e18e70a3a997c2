"""HLC: text order is causal order, and clocks days wrong still order after one exchange."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.hlc import (
    MAX_COUNTER,
    MAX_FUTURE_DRIFT_MS,
    MIN_WALL_MS,
    Hlc,
    hlc_problem,
    parse_hlc,
    receive,
    tick,
)
from tests.sync.sync_factories import DAY_MS, NOW_MS

nodes = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:-",
                min_size=1, max_size=64)
hlcs = st.builds(Hlc, st.integers(MIN_WALL_MS, 9_999_999_999_999), st.integers(0, MAX_COUNTER), nodes)


@settings(database=None)
@given(hlcs, hlcs)
def test_text_order_is_clock_order(a: Hlc, b: Hlc) -> None:
    assert (str(a) < str(b)) == (a < b)
    assert (str(a) == str(b)) == (a == b)


@settings(database=None)
@given(hlcs)
def test_text_round_trips(a: Hlc) -> None:
    assert parse_hlc(str(a)) == a


def test_text_format_is_fixed_width() -> None:
    assert str(Hlc(1_700_000_000_000, 10, "dev-1")) == "1700000000000-000a-dev-1"


def test_tick_moves_forward_with_the_wall() -> None:
    first = tick(None, NOW_MS, "a")
    assert first == Hlc(NOW_MS, 0, "a")
    assert tick(first, NOW_MS + 5, "a") == Hlc(NOW_MS + 5, 0, "a")


def test_tick_counts_when_the_wall_stands_still_or_goes_back() -> None:
    last = Hlc(NOW_MS, 3, "a")
    assert tick(last, NOW_MS, "a") == Hlc(NOW_MS, 4, "a")
    # The phone's clock was set back a day: events still sort after the last one.
    assert tick(last, NOW_MS - DAY_MS, "a") == Hlc(NOW_MS, 4, "a")


def test_tick_borrows_the_next_millisecond_when_the_counter_is_full() -> None:
    last = Hlc(NOW_MS, MAX_COUNTER, "a")
    nxt = tick(last, NOW_MS, "a")
    assert nxt == Hlc(NOW_MS + 1, 0, "a")
    assert str(nxt) > str(last)


def test_receive_from_a_clock_days_ahead_sorts_after_it() -> None:
    behind_now = NOW_MS - 3 * DAY_MS
    mine = tick(None, behind_now, "slow")
    remote = Hlc(NOW_MS + 3 * DAY_MS, 7, "fast")
    seen = receive(mine, remote, behind_now, "slow")
    assert seen == Hlc(remote.wall_ms, 8, "slow")
    later = tick(seen, behind_now + 1000, "slow")
    assert str(later) > str(remote)


def test_receive_from_a_clock_days_behind_keeps_our_own_wall() -> None:
    mine = Hlc(NOW_MS, 2, "a")
    remote = Hlc(NOW_MS - 3 * DAY_MS, 9, "b")
    assert receive(mine, remote, NOW_MS, "a") == Hlc(NOW_MS, 3, "a")


def test_receive_with_a_fresh_wall_resets_the_counter() -> None:
    remote = Hlc(NOW_MS, 9, "b")
    assert receive(Hlc(NOW_MS - 10, 5, "a"), remote, NOW_MS + 1, "a") == Hlc(NOW_MS + 1, 0, "a")


def test_receive_same_wall_takes_the_larger_counter() -> None:
    assert receive(Hlc(NOW_MS, 2, "a"), Hlc(NOW_MS, 9, "b"), NOW_MS, "a") == Hlc(NOW_MS, 10, "a")
    assert receive(None, Hlc(NOW_MS, 9, "b"), NOW_MS - 1, "a") == Hlc(NOW_MS, 10, "a")


def test_receive_overflow_borrows_the_next_millisecond() -> None:
    full = Hlc(NOW_MS, MAX_COUNTER, "b")
    assert receive(Hlc(NOW_MS, 1, "a"), full, NOW_MS, "a") == Hlc(NOW_MS + 1, 0, "a")
    assert receive(full, Hlc(NOW_MS - 5, 0, "b"), NOW_MS, "b") == Hlc(NOW_MS + 1, 0, "b")


@settings(database=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(-3 * DAY_MS, 3 * DAY_MS), st.integers(0, 3)),
                min_size=1, max_size=40))
def test_every_event_sorts_after_everything_its_device_has_seen(
    events: list[tuple[bool, int, int]],
) -> None:
    # Two devices with skewed clocks; on `True` device a sends its latest clock to b.
    a: Hlc | None = None
    b: Hlc | None = None
    seen_by_b: list[Hlc] = []
    for send, skew, _ in events:
        a = tick(a, NOW_MS + skew, "a")
        if send:
            b = receive(b, a, NOW_MS - skew, "b")
            seen_by_b.append(a)
        b = tick(b, NOW_MS - skew, "b")
        assert all(str(b) > str(h) for h in seen_by_b)


def test_parse_hlc_refuses_non_text() -> None:
    assert parse_hlc(1_700_000_000_000) is None  # type: ignore[arg-type]


def test_hlc_problem_accepts_a_sane_clock_and_the_drift_limit() -> None:
    assert hlc_problem(str(Hlc(NOW_MS, 0, "a")), NOW_MS) is None
    assert hlc_problem(str(Hlc(NOW_MS + MAX_FUTURE_DRIFT_MS, 0, "a")), NOW_MS) is None
    assert hlc_problem(str(Hlc(MIN_WALL_MS, 0, "a")), NOW_MS) is None


def test_hlc_problem_refuses_absurd_values() -> None:
    cases = {
        "": "must look like",
        "yesterday": "must look like",
        "1700000000000-0000-": "must look like",
        "170000000000-0000-a": "must look like",
        "1700000000000-00000-a": "must look like",
        "1700000000000-00AF-a": "must look like",
        "1700000000000-0000-a b": "must look like",
        "1700000000000-0000-" + "n" * 65: "must look like",
        "1700000000000-0000-a\n": "must look like",
        "\u0661" * 13 + "-0000-a": "must look like",  # Arabic-Indic digits do not sort as text
        str(Hlc(MIN_WALL_MS - 1, 0, "a")): "before 2020",
        "0000000000000-0000-a": "before 2020",
        str(Hlc(NOW_MS + MAX_FUTURE_DRIFT_MS + 1, 0, "a")): "30 days ahead",
        "9999999999999-ffff-a": "30 days ahead",
    }
    for text, expected in cases.items():
        problem = hlc_problem(text, NOW_MS)
        assert problem is not None and expected in problem, (text, problem)
