"""Entity rows by (entity, id) for one batch: fetched in bulk, then served from memory.

Checking an op's references and scope, and writing its state, look up a handful of rows
per op; one query per entity per batch instead of several per op is what makes a
600-op sync fast.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select

from server.extensions import db
from server.models import ENTITY_MODELS
from sync.engine import Key
from sync.entities import spec_for
from sync.ids import is_uuid

IN_CHUNK = 500


class NewRow:
    """A record made by this batch, not stored yet: its columns as plain attributes.

    Written with one INSERT per entity per batch (`write_new`) rather than as ORM objects,
    whose bookkeeping cost more than the merge that made them.
    """

    def __init__(self, entity: str, record_id: str, origin_user_id: str | None) -> None:
        self.__dict__.update(dict.fromkeys(_columns(entity)))
        self.id, self.origin_user_id, self.deleted = record_id, origin_user_id, False


class RowCache:
    def __init__(self) -> None:
        self._rows: dict[Key, Any] = {}
        self._new: dict[Key, NewRow] = {}

    def get(self, entity: str, record_id: str) -> Any:
        """Return the row, or None if the database has no such record."""
        key = (entity, record_id)
        if key not in self._rows:
            with db.session.no_autoflush:
                self._rows[key] = db.session.get(ENTITY_MODELS[entity], record_id)
        return self._rows[key]

    def known_absent(self, entity: str, record_id: str) -> bool:
        """Tell, without asking the database, whether a lookup already found no such record."""
        key = (entity, record_id)
        return key in self._rows and self._rows[key] is None

    def forget(self, entity: str, record_id: str) -> None:
        """Drop a row whose write was rolled back; the next lookup asks the database."""
        self._rows.pop((entity, record_id), None)
        self._new.pop((entity, record_id), None)

    def add_new(self, entity: str, record_id: str, origin_user_id: str | None) -> NewRow:
        """Return a row for a record the database does not have, stored by the next `write_new`."""
        row = NewRow(entity, record_id, origin_user_id)
        self._rows[(entity, record_id)] = row
        self._new[(entity, record_id)] = row
        return row

    def write_new(self) -> None:
        """Store the new rows: before anything queries their tables, and before the batch commits.

        Once stored they are forgotten, so a later lookup gets the database's row, whose
        changes the session tracks.
        """
        if not self._new:
            return
        new, self._new = self._new, {}
        by_entity: dict[str, list[dict[str, Any]]] = {}
        for (entity, record_id), row in new.items():
            by_entity.setdefault(entity, []).append({name: getattr(row, name) for name in _columns(entity)})
            self._rows.pop((entity, record_id), None)
        for entity, values in by_entity.items():
            db.session.execute(insert(_table(entity)), values)

    def prefetch(self, keys: Iterable[Key]) -> None:
        """Load many rows at once; remember the ones that do not exist too."""
        by_entity: dict[str, set[str]] = {}
        for entity, record_id in keys:
            if (entity, record_id) not in self._rows and entity in ENTITY_MODELS:
                by_entity.setdefault(entity, set()).add(record_id)
        for entity, ids in by_entity.items():
            model: Any = ENTITY_MODELS[entity]
            wanted = sorted(ids)
            for start in range(0, len(wanted), IN_CHUNK):
                chunk = wanted[start:start + IN_CHUNK]
                with db.session.no_autoflush:
                    rows = db.session.scalars(select(model).where(model.id.in_(chunk)))
                    found = {row.id: row for row in rows}
                for record_id in chunk:
                    self._rows[(entity, record_id)] = found.get(record_id)

    def prefetch_for_ops(self, keys: Iterable[Key]) -> None:
        """Load the records ops touch and point at (`keys_of_ops`), then the courses of their sessions."""
        self.prefetch(keys)
        sessions = [row for (entity, _), row in self._rows.items() if entity == "session" and row is not None]
        self.prefetch(("course", s.course_id) for s in sessions if s.course_id)


_COLUMNS: dict[str, tuple[str, ...]] = {}


def _table(entity: str) -> Any:
    model: Any = ENTITY_MODELS[entity]
    return model.__table__


def _columns(entity: str) -> tuple[str, ...]:
    if entity not in _COLUMNS:
        _COLUMNS[entity] = tuple(_table(entity).columns.keys())
    return _COLUMNS[entity]


def keys_of_ops(raw_ops: Iterable[object]) -> set[Key]:
    """Return the records raw ops touch and point at; reading the ops alone, so outside the write lock."""
    keys: set[Key] = set()
    for raw in raw_ops:
        keys.update(_keys_of(raw))
    return keys


def _keys_of(raw: object) -> list[Key]:
    if not isinstance(raw, dict) or not isinstance(raw.get("entity"), str):
        return []
    spec = spec_for(raw["entity"])
    if spec is None or not is_uuid(raw.get("id")):
        return []
    keys = [(raw["entity"], raw["id"])]
    fields = raw.get("fields") if isinstance(raw.get("fields"), dict) else {}
    for name, field_spec in spec.fields.items():
        value = fields.get(name)
        # Only ids: anything else is refused by validation, and text the database cannot hold
        # (a lone surrogate) must not reach a query.
        if field_spec.refers_to and is_uuid(value):
            keys.append((field_spec.refers_to, value))
    return keys
