"""Database set-up: SQLite pragmas, the write lock, and the `init-db` command."""

from __future__ import annotations

import sqlite3
from typing import Any

import click
from flask import Flask
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine

from server.extensions import db

# Any constant works; it only has to be the same for every FieldRoll process.
PG_WRITE_LOCK_KEY = 0x46524F4C
WRITE_OPTION = "fieldroll_write"


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


def begin_write() -> None:
    """Start a transaction that holds the server's single write lock until commit.

    Server revs must become visible in the order they are handed out, or a pull could
    move its cursor past a rev that commits a moment later; one writer at a time
    guarantees it, and batches are short.
    """
    if db.session().in_transaction():
        db.session.commit()
    conn = db.session.connection(execution_options={WRITE_OPTION: True})
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_WRITE_LOCK_KEY})


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
