"""Operations: what a device sends, and the checks every op passes before it applies."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any, Literal

from sync.entities import (
    MAX_LIST_ITEMS,
    MAX_STR_CHARS,
    MAX_TEXT_CHARS,
    FieldSpec,
    spec_for,
)
from sync.hlc import hlc_problem, parse_hlc
from sync.ids import derived_id, is_uuid

OpKind = Literal["upsert", "delete"]
MAX_JSON_FIELD_BYTES = 4096
# The largest integer a JavaScript client can hold exactly.
MAX_SAFE_INTEGER = 2**53 - 1
OP_KEYS = frozenset({"op_id", "entity", "id", "hlc", "kind", "fields", "base_rev"})

# [0-9] and \Z, not \d and $: Unicode digits and a trailing newline are not dates.
_DATE_RE = re.compile(r"^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\Z")
_TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9]\Z")


@dataclass(frozen=True)
class Op:
    op_id: str
    entity: str
    id: str
    hlc: str
    kind: OpKind
    fields: Mapping[str, Any] = field(default_factory=dict)
    base_rev: int | None = None

    @property
    def node(self) -> str:
        """The device that minted this op's clock."""
        return _node_of(self.hlc)

    def to_wire(self) -> dict[str, Any]:
        """Return the op as the JSON object the protocol sends."""
        wire: dict[str, Any] = {
            "op_id": self.op_id, "entity": self.entity, "id": self.id,
            "hlc": self.hlc, "kind": self.kind, "fields": dict(self.fields),
        }
        if self.base_rev is not None:
            wire["base_rev"] = self.base_rev
        return wire


@lru_cache(maxsize=65536)
def _node_of(hlc: str) -> str:
    # Remembered: every merge of a record asks for the node of each op in its history.
    parsed = parse_hlc(hlc)
    return parsed.node if parsed else ""


@dataclass(frozen=True)
class Rejection:
    op_id: str | None
    reason: str


def parse_op(raw: object, server_now_ms: int) -> Op | Rejection:
    """Check the shape of one op from the wire and return it, or why it is refused."""
    if not isinstance(raw, dict):
        return Rejection(None, "op must be a JSON object")
    op_id = raw.get("op_id")
    if not is_uuid(op_id):
        return Rejection(None, "op_id must be a lowercase UUID")
    assert isinstance(op_id, str)
    problem = _shape_problem(raw, server_now_ms)
    if problem:
        return Rejection(op_id, problem)
    fields = raw.get("fields") or {}
    return Op(
        op_id=op_id, entity=raw["entity"], id=raw["id"], hlc=raw["hlc"],
        kind=raw["kind"], fields=dict(fields), base_rev=raw.get("base_rev"),
    )


def _shape_problem(raw: dict[str, Any], server_now_ms: int) -> str | None:
    unknown = set(raw) - OP_KEYS
    if unknown:
        return f"unknown op keys: {', '.join(sorted(map(str, unknown)))}"
    entity = raw.get("entity")
    spec = spec_for(entity) if isinstance(entity, str) else None
    if spec is None:
        return f"unknown entity {entity!r}"
    if not is_uuid(raw.get("id")):
        return "id must be a lowercase UUID"
    hlc = raw.get("hlc")
    if not isinstance(hlc, str):
        return "hlc must be a string"
    problem = hlc_problem(hlc, server_now_ms)
    if problem:
        return problem
    if raw.get("kind") not in ("upsert", "delete"):
        return "kind must be 'upsert' or 'delete'"
    base_rev = raw.get("base_rev")
    if base_rev is not None and (type(base_rev) is not int or not 0 <= base_rev <= MAX_SAFE_INTEGER):
        return "base_rev must be a non-negative integer (at most 2^53 - 1) or absent"
    fields = raw.get("fields", {})
    if not isinstance(fields, dict):
        return "fields must be a JSON object"
    if raw["kind"] == "delete":
        return "a delete carries no fields" if fields else None
    if not fields:
        return "an upsert must change at least one field"
    for name, value in fields.items():
        field_spec = spec.fields.get(name)
        if field_spec is None:
            return f"{entity} has no field {name!r}"
        problem = value_problem(field_spec, value)
        if problem:
            return f"{name}: {problem}"
    missing_key = [k for k in spec.natural_key if k not in fields]
    if missing_key:
        return f"{entity} ops must carry {', '.join(missing_key)}"
    expected = derived_id(str(entity), fields)
    if expected is not None and expected != raw["id"]:
        return f"{entity} id must be derived from {', '.join(spec.natural_key)}: expected {expected}"
    return None


def value_problem(spec: FieldSpec, value: Any) -> str | None:
    """Say why `value` does not fit the field, or None if it does."""
    if value is None:
        return None if spec.nullable else "must not be empty"
    kind = spec.kind
    if kind == "uuid":
        return None if is_uuid(value) else "must be a lowercase UUID"
    if kind == "uuid_list":
        ok = isinstance(value, list) and len(value) <= MAX_LIST_ITEMS and all(map(is_uuid, value))
        return None if ok else "must be a list of lowercase UUIDs"
    if kind in ("str", "text"):
        limit = MAX_STR_CHARS if kind == "str" else MAX_TEXT_CHARS
        if not isinstance(value, str):
            return "must be text"
        if "\x00" in value:
            return "must not contain NUL characters"
        if has_broken_character(value):
            return BROKEN_TEXT
        return None if len(value) <= limit else f"must be at most {limit} characters"
    if kind == "int":
        return _int_problem(spec, value)
    if kind == "bool":
        return None if isinstance(value, bool) else "must be true or false"
    if kind == "date":
        return None if _is_date(value) else "must be YYYY-MM-DD"
    if kind == "time":
        return None if isinstance(value, str) and _TIME_RE.match(value) else "must be HH:MM"
    if kind == "enum":
        return None if value in spec.choices else f"must be one of {', '.join(spec.choices)}"
    if kind == "checklist_items":
        return checklist_items_problem(value)
    return _json_problem(value)


def _is_date(value: Any) -> bool:
    # The shape alone lets 2025-02-30 through, which a SQL date column would refuse.
    if not isinstance(value, str) or not _DATE_RE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _int_problem(spec: FieldSpec, value: Any) -> str | None:
    if type(value) is not int:
        return "must be a whole number"
    if spec.min_value is not None and value < spec.min_value:
        return f"must be at least {spec.min_value}"
    if spec.max_value is not None and value > spec.max_value:
        return f"must be at most {spec.max_value}"
    return None


BROKEN_TEXT = "must not contain broken characters (half of an emoji or symbol)"


def has_broken_character(text: str) -> bool:
    """Tell whether text holds a lone UTF-16 surrogate, which no database can store as text.

    A phone that cuts text at a fixed length can split an emoji in two; JSON carries the
    half as an escape, and only the encode at commit time would notice.
    """
    return any("\ud800" <= ch <= "\udfff" for ch in text)


def _json_problem(value: Any) -> str | None:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return "must be JSON"
    if "\\u0000" in text or "\x00" in text:
        return "must not contain NUL characters"
    if has_broken_character(text):
        return BROKEN_TEXT
    size = len(text.encode())
    return None if size <= MAX_JSON_FIELD_BYTES else f"must be at most {MAX_JSON_FIELD_BYTES} bytes"


def checklist_items_problem(value: Any) -> str | None:
    """Say why a checklist's items are malformed, or None if they are fine."""
    if not isinstance(value, list) or not 0 < len(value) <= MAX_LIST_ITEMS:
        return f"must be a list of 1 to {MAX_LIST_ITEMS} items"
    codes = set()
    for item in value:
        if not isinstance(item, dict) or set(item) - {"code", "label_vi", "label_en", "domain"}:
            return "each item has code, label_vi, label_en and optionally domain"
        if not all(isinstance(item.get(k), str) and item[k] for k in ("code", "label_vi", "label_en")):
            return "each item needs a non-empty code, label_vi and label_en"
        if item["code"] in codes:
            return f"skill code {item['code']!r} appears twice"
        codes.add(item["code"])
    return None


def state_problem(op: Op, current: Mapping[str, Any] | None, deleted: bool) -> str | None:
    """Say why `op` cannot apply to the record as it stands, or None if it can."""
    spec = spec_for(op.entity)
    assert spec is not None
    if current is None:
        if op.kind == "delete":
            return f"no {op.entity} {op.id} to delete"
        missing = [n for n, f in spec.fields.items() if f.required and n not in op.fields]
        if missing:
            return f"new {op.entity} needs {', '.join(missing)}"
        return None
    changed = [n for n in spec.immutable if n in op.fields and op.fields[n] != current.get(n)]
    if changed:
        return f"{', '.join(sorted(changed))} cannot change once set"
    return None

