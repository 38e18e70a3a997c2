"""Pulling: the records a device may see that changed since its cursor, in server order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from server.errors import ApiError
from server.extensions import db
from server.models import ENTITY_MODELS
from server.scope import Actor, scope_fingerprint, visible
from sync.entities import spec_for

_CURSOR_RE = re.compile(r"^r(\d{1,18})\.([0-9a-f]{10})$")


@dataclass(frozen=True)
class Page:
    changes: list[dict[str, Any]]
    cursor: str
    more: bool


@dataclass(frozen=True)
class Cursor:
    rev: int
    fingerprint: str


def parse_cursor(cursor: str | None) -> Cursor | None:
    """Read a cursor the server gave, or refuse it before anything is applied."""
    if cursor is None:
        return None
    match = _CURSOR_RE.match(cursor)
    if match is None:
        raise ApiError(400, "bad_cursor", "the cursor is not one this server gave: send null to start over")
    return Cursor(int(match.group(1)), match.group(2))


def make_cursor(rev: int, fingerprint: str) -> str:
    return f"r{rev}.{fingerprint}"


def change_of(entity: str, row: Any) -> dict[str, Any]:
    spec = spec_for(entity)
    assert spec is not None
    return {"entity": entity, "id": row.id, "rev": row.rev, "deleted": row.deleted,
            "fields": {name: getattr(row, name) for name in spec.fields}}


def pull(actor: Actor, cursor: Cursor | None, limit: int) -> Page:
    """Return up to `limit` changes after the cursor, and whether more are waiting.

    A cursor made under another scope (a course assigned since) starts over from 0,
    so records that just came into view are sent too.
    """
    fingerprint = scope_fingerprint(actor)
    since = cursor.rev if cursor and cursor.fingerprint == fingerprint else 0
    found: list[tuple[int, dict[str, Any]]] = []
    more = False
    for entity, model in ENTITY_MODELS.items():
        query: Any = select(model).where(model.rev > since, visible(entity, actor))
        rows = db.session.scalars(query.order_by(model.rev).limit(limit + 1)).all()
        more = more or len(rows) > limit
        found.extend((row.rev, change_of(entity, row)) for row in rows)
    found.sort(key=lambda item: item[0])
    page = found[:limit]
    more = more or len(found) > limit
    last = page[-1][0] if page else since
    return Page([change for _, change in page], make_cursor(last, fingerprint), more)
