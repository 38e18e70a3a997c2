"""Which of a trainee's fields are personal, and what erasing them means for an op."""

from __future__ import annotations

import json
from typing import Any

PERSONAL_FIELDS = ("full_name", "gender", "birth_year", "ethnicity", "village", "phone", "cooperative")
ERASED_REFUSAL = "this trainee's personal data was erased at their request; the record is closed"


def redact(fields: dict[str, Any]) -> dict[str, Any]:
    """Return `fields` with every personal field present set to None."""
    return {name: None if name in PERSONAL_FIELDS else value for name, value in fields.items()}


def has_personal(fields: dict[str, Any] | None) -> bool:
    return any(name in (fields or {}) for name in PERSONAL_FIELDS)


def redact_raw(raw: str) -> str:
    """Return a refused op's text with its personal fields set to None (all of it, if unreadable)."""
    try:
        op = json.loads(raw)
    except ValueError:
        return json.dumps({"erased": True})
    if isinstance(op, dict) and isinstance(op.get("fields"), dict):
        return json.dumps({**op, "fields": redact(op["fields"])}, ensure_ascii=False)
    return json.dumps({"erased": True})
