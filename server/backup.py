"""`fieldroll backup` and `fieldroll restore`: the whole database as gzip'd JSON lines.

The format is the same whatever the database, so a SQLite backup restores into PostgreSQL
and back. Line by line:

    {"format": "fieldroll-backup", "version": 1, "revision": "0005", "tables": [...], ...}
    {"table": "app_user", "columns": ["id", ...], "rows": 2}
    ["0193...", ...]                      one JSON array a row, values in column order
    ...                                   every table, parents before children
    {"end": true, "rows": 1234}

Times are ISO 8601 text, binary is base64, JSON columns are JSON. A backup is read in one
transaction (REPEATABLE READ on PostgreSQL), so it is one moment of the database even
while phones sync. A restore goes into an empty database at the same migration, in one
transaction: a damaged or cut-short file, or any refusal, leaves the database unchanged.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Column, Connection, Date, DateTime, Integer, LargeBinary, Table, func, select, text
from sqlalchemy.exc import SQLAlchemyError

from server.attendance_counts import recount_all
from server.database import begin_write
from server.extensions import db

FORMAT, VERSION = "fieldroll-backup", 1
BATCH = 1000


class BackupError(Exception):
    """A backup that cannot be taken or restored: the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    revision: str
    tables: int
    rows: int


def backup(path: Path) -> Summary:
    """Write the whole database to `path` (replaced only once the backup is complete)."""
    partial = path.with_name(path.name + ".partial")
    with _snapshot() as conn, gzip.open(partial, "wt", encoding="utf-8") as out:
        revision = _revision(conn)
        tables = db.metadata.sorted_tables
        _write(out, {"format": FORMAT, "version": VERSION, "revision": revision, "dialect": conn.dialect.name,
                     "created_at": datetime.now(UTC).isoformat(), "tables": [t.name for t in tables]})
        total = sum(_write_table(out, conn, table) for table in tables)
        _write(out, {"end": True, "rows": total})
    os.replace(partial, path)
    return Summary(revision, len(tables), total)


def restore(path: Path) -> Summary:
    """Load a backup into this empty database, all or nothing."""
    begin_write()
    try:
        conn = db.session.connection()
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            summary = _load(lines, conn)
        _reset_sequences(conn)
        recount_all()  # the counts are the rows', whatever the file held
    except (OSError, EOFError, zlib.error, ValueError) as err:  # ValueError: bad JSON, text, time or base64
        db.session.rollback()
        raise BackupError(f"{path} is damaged or cut short ({type(err).__name__}): nothing was restored") from err
    except SQLAlchemyError as err:
        db.session.rollback()
        raise BackupError(f"the database refused the rows of {path} ({type(err).__name__}): nothing was "
                          "restored") from err
    except BaseException:
        db.session.rollback()
        raise
    db.session.commit()
    return summary


@contextmanager
def _snapshot() -> Iterator[Connection]:
    """Yield a read-only connection in one transaction: every table as of one moment."""
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with conn.begin() as transaction:
            yield conn
            transaction.rollback()


def _revision(conn: Connection) -> str:
    try:
        found = conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    except Exception as err:  # no such table: the database was never set up
        raise BackupError("this database has no schema: run `fieldroll init-db` first") from err
    if len(found) != 1:
        raise BackupError("this database has no single migration revision: run `fieldroll init-db` first")
    return str(found[0])


def _write(out: IO[str], value: Any) -> None:
    out.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    out.write("\n")


def _write_table(out: IO[str], conn: Connection, table: Table) -> int:
    count = conn.execute(select(func.count()).select_from(table)).scalar_one()
    columns = list(table.columns)
    _write(out, {"table": table.name, "columns": [c.name for c in columns], "rows": count})
    query = select(table).order_by(*table.primary_key.columns)
    written = 0
    for row in conn.execution_options(stream_results=True, yield_per=BATCH).execute(query):
        _write(out, [_encode(column, value) for column, value in zip(columns, row, strict=True)])
        written += 1
    if written != count:  # cannot happen in one transaction; a backup that says otherwise would lie
        raise BackupError(f"table {table.name} changed while being read: try again")
    return count


def _encode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, DateTime | Date):
        return value.isoformat()
    if isinstance(column.type, LargeBinary):
        return base64.b64encode(value).decode()
    return value


def _decode(column: Column[Any], value: Any) -> Any:
    if value is None:
        return None
    if isinstance(column.type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column.type, Date):
        return date.fromisoformat(value)
    if isinstance(column.type, LargeBinary):
        return base64.b64decode(value)
    return value


def _load(lines: IO[str], conn: Connection) -> Summary:
    records = (json.loads(line) for line in lines)
    header = next(records, None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("this is not a FieldRoll backup file")
    if header.get("version") != VERSION:
        raise BackupError(f"backup format version {header.get('version')} is not {VERSION}: use the FieldRoll "
                          "release that wrote it")
    here = _revision(conn)
    if header.get("revision") != here:
        raise BackupError(f"the backup is of schema revision {header.get('revision')}, this database is at "
                          f"{here}: restore into a database at {header.get('revision')} (same FieldRoll release), "
                          "then run `fieldroll init-db` to upgrade")
    tables = db.metadata.sorted_tables
    if header.get("tables") != [t.name for t in tables]:
        raise BackupError("the backup's tables are not this database's: restore with the release that wrote it")
    full = [t.name for t in tables if conn.execute(select(1).select_from(t).limit(1)).first() is not None]
    if full:
        raise BackupError(f"this database already holds data (in {', '.join(full)}): restore only into a new, "
                          "empty database made with `fieldroll init-db`")
    total = sum(_load_table(records, conn, table) for table in tables)
    end = next(records, None)
    if end != {"end": True, "rows": total}:
        raise BackupError("the backup file is cut short or damaged: nothing was restored")
    return Summary(here, len(tables), total)


def _load_table(records: Iterator[Any], conn: Connection, table: Table) -> int:
    head = next(records, None)
    columns = list(table.columns)
    if not isinstance(head, dict) or head.get("table") != table.name or not isinstance(head.get("rows"), int):
        raise BackupError(f"the backup file is cut short or damaged before table {table.name}: nothing was restored")
    if head.get("columns") != [c.name for c in columns]:
        raise BackupError(f"table {table.name} has other columns in the backup: restore with the release that wrote it")
    batch: list[dict[str, Any]] = []
    for _ in range(head["rows"]):
        row = next(records, None)
        if not isinstance(row, list) or len(row) != len(columns):
            raise BackupError(f"the backup file is cut short or damaged in table {table.name}: nothing was restored")
        batch.append({c.name: _decode(c, value) for c, value in zip(columns, row, strict=True)})
        if len(batch) == BATCH:
            conn.execute(table.insert(), batch)
            batch = []
    if batch:
        conn.execute(table.insert(), batch)
    return int(head["rows"])


def _reset_sequences(conn: Connection) -> None:
    """Move PostgreSQL's id sequences past the restored ids, so new rows do not collide."""
    if conn.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        keys = list(table.primary_key.columns)
        if len(keys) != 1 or not isinstance(keys[0].type, Integer):
            continue
        sequence = conn.execute(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                {"t": table.name, "c": keys[0].name}).scalar()
        if sequence is not None:
            conn.execute(text(f"SELECT setval(:s, COALESCE((SELECT MAX({keys[0].name}) FROM {table.name}), 0) + 1, "
                              "false)"), {"s": sequence})
