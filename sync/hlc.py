"""Hybrid logical clocks that sort as text.

An HLC reads `WWWWWWWWWWWWW-CCCC-NODE`: thirteen decimal digits of wall-clock
milliseconds, four hex digits of counter, then the node (device) id. Comparing two
HLC strings as text gives their causal order, because the first two parts are
fixed width; the node id breaks ties so no two devices ever mint the same HLC.

A device whose clock is days wrong still orders correctly after one exchange:
`receive` moves its clock past everything it has seen, whatever the wall says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

WALL_DIGITS = 13
COUNTER_DIGITS = 4
MAX_COUNTER = 16**COUNTER_DIGITS - 1
MAX_NODE_CHARS = 64
# Earliest wall time any FieldRoll device can honestly have: 2020-01-01T00:00:00Z.
MIN_WALL_MS = 1_577_836_800_000
# How far ahead of the server a device clock may run before its ops are refused.
MAX_FUTURE_DRIFT_MS = 30 * 24 * 3600 * 1000

# [0-9] and \Z, not \d and $: Unicode digits or a trailing newline would break text order.
_HLC_RE = re.compile(r"^([0-9]{13})-([0-9a-f]{4})-([A-Za-z0-9_.:-]{1,64})\Z")


@dataclass(frozen=True, order=True)
class Hlc:
    wall_ms: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.wall_ms:0{WALL_DIGITS}d}-{self.counter:0{COUNTER_DIGITS}x}-{self.node}"


def parse_hlc(text: str) -> Hlc | None:
    """Parse an HLC string, or return None if it is not one."""
    if not isinstance(text, str):
        return None
    match = _HLC_RE.match(text)
    if match is None:
        return None
    return Hlc(int(match.group(1)), int(match.group(2), 16), match.group(3))


def hlc_problem(text: str, server_now_ms: int) -> str | None:
    """Say what is wrong with an HLC sent by a device, or None if it is acceptable."""
    hlc = parse_hlc(text)
    if hlc is None:
        return "hlc must look like 1700000000000-0000-device (13 digits, 4 hex digits, node id)"
    if hlc.wall_ms < MIN_WALL_MS:
        return "hlc is before 2020: the device clock is badly wrong"
    if hlc.wall_ms > server_now_ms + MAX_FUTURE_DRIFT_MS:
        return "hlc is more than 30 days ahead of the server clock: fix the device clock"
    return None


def tick(last: Hlc | None, now_ms: int, node: str) -> Hlc:
    """Return the clock for a new local event after `last`."""
    if last is None or now_ms > last.wall_ms:
        return Hlc(now_ms, 0, node)
    if last.counter < MAX_COUNTER:
        return Hlc(last.wall_ms, last.counter + 1, node)
    # Counter exhausted within one millisecond: borrow the next millisecond.
    return Hlc(last.wall_ms + 1, 0, node)


def receive(last: Hlc | None, remote: Hlc, now_ms: int, node: str) -> Hlc:
    """Return the clock after seeing `remote`, so later local events sort after it."""
    wall = max(now_ms, remote.wall_ms, last.wall_ms if last else 0)
    if last is not None and wall == last.wall_ms and wall == remote.wall_ms:
        counter = max(last.counter, remote.counter) + 1
    elif last is not None and wall == last.wall_ms:
        counter = last.counter + 1
    elif wall == remote.wall_ms:
        counter = remote.counter + 1
    else:
        counter = 0
    if counter > MAX_COUNTER:
        return Hlc(wall + 1, 0, node)
    return Hlc(wall, counter, node)
