"""Database set-up: SQLite pragmas, the write lock, and the `init-db` command."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import ColumnElement, Executable, Select, String, any_, bindparam, event, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection, Engine

from server.extensions import db

# Any constant works; it only has to be the same for every FieldRoll process.
PG_WRITE_LOCK_KEY = 0x46524F4C
WRITE_OPTION = "fieldroll_write"
# On SQLite, a process's writers queue on this lock before asking SQLite for its own: SQLite's busy
# handler polls (sleeps of up to 100 ms) in no order, so among the 20 threads of a gunicorn server one
# could keep losing past busy_timeout and fail with "database is locked". Waiting here wakes the next
# thread as soon as the lock is free, and leaves one waiter per process at SQLite's door. One lock per
# database file; after as long as busy_timeout, a writer stops queueing and tries SQLite's lock anyway.
_sqlite_writers: dict[str, threading.Lock] = {}
_sqlite_writers_made = threading.Lock()
HOLDS_WRITER = "fieldroll_holds_sqlite_writer"
WRITER_QUEUE_TIMEOUT_S = 30
IDS_PER_QUERY = 500  # ids in one IN list or array


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    if not isinstance(dbapi_conn, sqlite3.Connection):
        return
    # Let SQLAlchemy's "begin" event issue BEGIN itself, so writers can take the lock up front.
    # synchronous=FULL: an acked op must survive a power cut, since the phone then forgets it.
    dbapi_conn.isolation_level = None
    for pragma in ("journal_mode=WAL", "busy_timeout=30000", "synchronous=FULL", "foreign_keys=ON"):
        dbapi_conn.execute(f"PRAGMA {pragma}")


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Connection) -> None:
    if conn.dialect.name != "sqlite":
        return
    # A deferred transaction that reads and then writes can fail with SQLITE_BUSY at once;
    # an immediate one waits for the lock instead.
    immediate = conn.get_execution_options().get(WRITE_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@event.listens_for(Engine, "commit")
@event.listens_for(Engine, "rollback")
def _release_sqlite_writer(conn: Connection) -> None:
    held = conn.info.pop(HOLDS_WRITER, None)
    if held is not None:
        held.release()


def _queue_for(database: str) -> threading.Lock:
    with _sqlite_writers_made:
        return _sqlite_writers.setdefault(database, threading.Lock())


def begin_write() -> None:
    """Start a transaction that holds the server's single write lock until commit.

    Server revs must become visible in the order they are handed out, or a pull could
    move its cursor past a rev that commits a moment later; one writer at a time
    guarantees it, and batches are short.
    """
    if db.session().in_transaction():
        db.session.commit()
    bind = db.session.get_bind()
    queue = _queue_for(str(bind.engine.url)) if bind.dialect.name == "sqlite" else None
    queued = queue is not None and queue.acquire(timeout=WRITER_QUEUE_TIMEOUT_S)
    try:
        conn = db.session.connection(execution_options={WRITE_OPTION: True})
    except BaseException:
        if queued and queue is not None:
            queue.release()
        raise
    if queued:
        conn.info[HOLDS_WRITER] = queue  # released when this transaction commits or rolls back
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITE_LOCK_KEY})


def in_chunks(ids: Iterable[str]) -> Iterator[list[str]]:
    """Yield the distinct ids, sorted, IDS_PER_QUERY at a time: an IN list of a size every database takes."""
    wanted = sorted(set(ids))
    for start in range(0, len(wanted), IDS_PER_QUERY):
        yield wanted[start:start + IDS_PER_QUERY]


def execute_for_ids(statements: Callable[[bool], Sequence[Executable]], name: str, ids: Iterable[str] | None) -> None:
    """Run prebuilt statements for `ids`, bound to the expanding parameter `name`, a chunk of ids at a time.

    `statements(True)` are those for every id at once, run when `ids` is None. They go through
    the session's connection as Core: the ORM would read the parameters of an INSERT … SELECT as
    rows to insert.
    """
    connection = db.session.connection()
    if ids is None:
        for statement in statements(True):
            connection.execute(statement)
        return
    for chunk in in_chunks(ids):
        for statement in statements(False):
            connection.execute(statement, {name: chunk})


def scalars_for_ids(query: Callable[[list[str]], Select[Any]], ids: Iterable[str]) -> set[Any]:
    """Return the values `query(some_ids)` selects, run a chunk of ids at a time; None and "" left out."""
    found: set[Any] = set()
    for chunk in in_chunks(ids):
        found.update(db.session.scalars(query(chunk)))
    return found - {None, ""}


def built_on(dialect: str) -> Callable[..., bool]:
    """Return Alembic's `include_object` filter, leaving out what the models build only on another database.

    Such an object carries `info={"only_on": <dialect>}` beside its `ddl_if`, which Alembic's
    comparison does not read.
    """
    def include(obj: Any, *_: Any) -> bool:
        return getattr(obj, "info", {}).get("only_on", dialect) == dialect
    return include


def among(column: Any, ids: Collection[str]) -> ColumnElement[bool]:
    """Return `column IN ids`: on PostgreSQL as `= ANY` of one array parameter, elsewhere as a list of parameters.

    A province's figures name thousands of courses. Bound one by one, their parameters cost
    more in SQLAlchemy and psycopg than PostgreSQL takes to read the rows.
    """
    listed = sorted(i for i in ids if i is not None)  # `IN (NULL)` matches nothing anyway
    if db.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, listed, type_=postgresql.ARRAY(String)))
    inside: ColumnElement[bool] = column.in_(listed)
    return inside


def init_db() -> None:
    """Create or upgrade the schema to the latest migration, keeping data."""
    upgrade()


@click.command("init-db")
@with_appcontext
def init_db_command() -> None:
    """Create the database, or upgrade it to the latest schema, keeping its data."""
    init_db()
    click.echo("database ready")


def init_app(app: Flask) -> None:
    app.cli.add_command(init_db_command)
