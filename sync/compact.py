"""Compact ops: on the wire, a device leaves out of an op the two ids the server can work out.

Every op carried two random-looking UUIDs, its op id and its record id, and gzip cannot
shrink random text: they were two thirds of a trainer's compressed day. A natural-key
record's id follows from its fields (sync.ids), and an op made on the sending device takes
its id from the device's op key and its clock, which never repeats on one device. The op
key comes from the device token, so the server knows it from the request and no other
device can predict an op id: one that could would pre-empt a victim's op as a "duplicate".

Ops are stored in full. An ack for an op sent without its op id goes back without it too:
acks come one per op in request order, so the device matches it by position.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from sync.entities import spec_for
from sync.ids import NAMESPACE, derived_id


def op_key(token: str) -> str:
    """Return the secret a device names its own ops with, from its device token."""
    return str(uuid.uuid5(NAMESPACE, f"op-key:{token}"))


def own_op_id(key: str, hlc: str) -> str:
    """Return the id of the op a device with op key `key` made at clock `hlc`."""
    return str(uuid.uuid5(NAMESPACE, f"op:{key}:{hlc}"))


def compact_op(op: Mapping[str, Any], key: str | None) -> dict[str, Any]:
    """Return the op as sent: without its op id or record id where the server can work them out."""
    wire = dict(op)
    if key is not None and isinstance(op.get("hlc"), str) and op.get("op_id") == own_op_id(key, op["hlc"]):
        del wire["op_id"]
    if "id" in op and op["id"] == _id_from_key_fields(op):
        del wire["id"]
    return wire


def expand_op(raw: object, key: str) -> object:
    """Return a compact op from the device with op key `key` in full; anything else unchanged.

    What cannot be worked out stays missing, and the op's validation then says so.
    """
    if not isinstance(raw, dict) or ("op_id" in raw and "id" in raw):
        return raw
    full = dict(raw)
    if "op_id" not in full and _is_text(full.get("hlc")):
        full["op_id"] = own_op_id(key, full["hlc"])
    if "id" not in full:
        record_id = _id_from_key_fields(full)
        if record_id is not None:
            full["id"] = record_id
    return full


def compact_ack(ack: Mapping[str, Any], sent: object) -> dict[str, Any]:
    """Return the ack for op `sent` as answered: without the op id if the op came without one."""
    wire = dict(ack)
    if isinstance(sent, dict) and "op_id" not in sent:
        wire.pop("op_id", None)
    return wire


def _id_from_key_fields(op: Mapping[str, Any]) -> str | None:
    """The derived id of an upsert that carries its whole natural key as text, else None."""
    entity, fields = op.get("entity"), op.get("fields")
    if not isinstance(entity, str) or op.get("kind") != "upsert" or not isinstance(fields, dict):
        return None
    spec = spec_for(entity)
    if spec is None or spec.derived_id_prefix is None:
        return None
    if not all(_is_text(fields.get(name)) for name in spec.natural_key):
        return None
    return derived_id(entity, fields)


def _is_text(value: object) -> bool:
    """Tell whether `value` is a string a UUIDv5 name can hold: a lone surrogate cannot be encoded."""
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
