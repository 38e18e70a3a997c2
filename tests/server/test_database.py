"""Choosing and setting up the database: environment variables, SQLite in WAL mode."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from config.settings import database_url
from server.extensions import db
from tests.server.conftest import app_for


def test_database_url_prefers_fieldroll_then_platform_variable() -> None:
    assert database_url({"FIELDROLL_DATABASE_URL": "sqlite:////x.db", "DATABASE_URL": "y"}) == "sqlite:////x.db"
    assert database_url({"DATABASE_URL": "postgres://u:p@h/db"}) == "postgresql+psycopg://u:p@h/db"
    assert database_url({"DATABASE_URL": "postgresql://h/db"}) == "postgresql+psycopg://h/db"
    assert database_url({}).startswith("sqlite:///") and database_url({}).endswith("fieldroll.sqlite")


def test_sqlite_runs_in_wal_mode_with_durable_commits(tmp_path: Path) -> None:
    app = app_for(f"sqlite:///{tmp_path / 'fieldroll.sqlite'}")
    with app.app_context(), db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
