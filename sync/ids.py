"""Record ids: UUIDv7 for new things, UUIDv5 for natural-key records.

Two offline devices that mark the same trainee in the same session must produce
the same attendance id, so natural-key records take a name-based id in one fixed
namespace, published in docs/protocol.md.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping

from sync.entities import spec_for

NAMESPACE = uuid.UUID("6f2d1c9a-3b4e-5f60-8a71-92b3c4d5e6f7")
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def derived_id(entity: str, fields: Mapping[str, object]) -> str | None:
    """Return the id a natural-key record must have, or None if the entity has none."""
    spec = spec_for(entity)
    if spec is None or spec.derived_id_prefix is None:
        return None
    parts = [str(fields.get(name, "")) for name in spec.natural_key]
    name = ":".join([spec.derived_id_prefix, *parts])
    return str(uuid.uuid5(NAMESPACE, name))


def uuid7(now_ms: int) -> str:
    """Return a time-ordered UUIDv7 for a record created at `now_ms`."""
    rand = int.from_bytes(os.urandom(10), "big")
    value = (now_ms & 0xFFFF_FFFF_FFFF) << 80
    value |= 0x7 << 76
    value |= (rand >> 68 & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & 0x3FFF_FFFF_FFFF_FFFF
    return str(uuid.UUID(int=value))


def is_uuid(text: object) -> bool:
    """Tell whether `text` is a canonical lowercase UUID string."""
    # A pattern, not uuid.UUID(): every op carries two ids, and parsing them was a measured
    # share of a sync's CPU. [0-9a-f] is ASCII only, and fullmatch refuses a trailing newline.
    return isinstance(text, str) and _CANONICAL_UUID.fullmatch(text) is not None
