"""Pulling: the records and conflicts a device may see that changed since its cursor, in server order."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import select

from server.checkins.secrets import session_secret
from server.errors import ApiError
from server.extensions import db
from server.models import ENTITY_MODELS, Conflict, OpLog
from server.scope import Actor, conflict_visible, scope_fingerprint, visible
from sync.entities import spec_for

_CURSOR_RE = re.compile(r"^r(\d{1,18})\.([0-9a-f]{10})$")


@dataclass(frozen=True)
class Page:
    changes: list[dict[str, Any]]
    cursor: str
    more: bool
    restarted: bool  # the pull started over because the scope changed: see pull()


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


# Besides an entity's own fields: a session's check-in secret (derived, never stored), a
# confirmation's verdict (the server's, never a device's). A confirmation's proof stays on
# the server: it can be a kilobyte per trainee, and no device needs it back.
PULL_EXTRAS = {"confirmation": ("verification", "verification_reason")}
PULL_WITHHELD = {"confirmation": ("proof",)}


@cache
def _pulled_fields(entity: str) -> tuple[str, ...]:
    spec = spec_for(entity)
    assert spec is not None
    withheld = PULL_WITHHELD.get(entity, ())
    return tuple(name for name in spec.fields if name not in withheld) + PULL_EXTRAS.get(entity, ())


def _record_change(entity: str, row: Any) -> dict[str, Any]:
    fields = {name: getattr(row, name) for name in _pulled_fields(entity)}
    if entity == "session":
        fields["checkin_secret"] = session_secret(row.id)
    return {"entity": entity, "id": row.id, "rev": row.rev, "deleted": row.deleted, "hlc": row.hlc,
            "fields": fields}


def _conflict_change(row: Conflict, winner_hlc: str | None) -> dict[str, Any]:
    """Send a conflict as a change of its own, so both writers (and reviewers) learn of it."""
    return {"entity": "conflict", "id": str(row.id), "rev": row.rev, "deleted": False, "hlc": winner_hlc,
            "fields": {"record_entity": row.entity, "record_id": row.record_id, "field": row.field,
                       "winner_op_id": row.winner_op_id, "loser_op_id": row.loser_op_id,
                       "winner_value": row.winner_value, "loser_value": row.loser_value,
                       "resolved": row.resolved_at is not None, "cause": row.cause}}


def _records_since(entity: str, actor: Actor, since: int, limit: int) -> list[dict[str, Any]]:
    model: Any = ENTITY_MODELS[entity]
    # Plain rows of the columns sent, not ORM objects: a page is up to 500 records a sync, read only.
    columns = [model.__table__.c[name] for name in ("id", "rev", "deleted", "hlc", *_pulled_fields(entity))]
    query = select(*columns).where(model.rev > since, visible(entity, actor)).order_by(model.rev).limit(limit)
    return [_record_change(entity, row) for row in db.session.execute(query)]


def _conflicts_since(actor: Actor, since: int, limit: int) -> list[dict[str, Any]]:
    query = (select(Conflict, OpLog.hlc).outerjoin(OpLog, OpLog.op_id == Conflict.winner_op_id)
             .where(Conflict.rev > since, conflict_visible(actor)).order_by(Conflict.rev).limit(limit))
    return [_conflict_change(row, hlc) for row, hlc in db.session.execute(query)]


def pull(actor: Actor, cursor: Cursor | None, limit: int) -> Page:
    """Return up to `limit` changes after the cursor, and whether more are waiting.

    Each source (an entity table, the conflicts) gives its first `limit + 1` changes;
    merged by rev, anything past `limit` means more are waiting. Revs are unique across
    sources, so a page never ends inside one rev.

    A cursor made under another scope (a course assigned since, or taken away) starts over
    from 0, so records that just came into view are sent too, and says so: what the device
    holds and this pull does not send again by its end has left its scope.
    """
    fingerprint = scope_fingerprint(actor)
    restarted = cursor is not None and cursor.fingerprint != fingerprint
    since = cursor.rev if cursor and not restarted else 0
    found = [change for entity in ENTITY_MODELS for change in _records_since(entity, actor, since, limit + 1)]
    found += _conflicts_since(actor, since, limit + 1)
    found.sort(key=lambda change: change["rev"])
    page = found[:limit]
    last = page[-1]["rev"] if page else since
    return Page(page, make_cursor(last, fingerprint), len(found) > limit, restarted)
