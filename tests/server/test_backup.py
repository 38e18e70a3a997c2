"""`fieldroll backup` and `fieldroll restore`: a round trip keeps every row and every device syncing,
across SQLite and PostgreSQL; a damaged file, another schema or a database with data is refused."""

from __future__ import annotations

import gzip
import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from server import admin
from server.extensions import db
from server.models import AuditEntry, Conflict, Course, OpLog, Trainee
from tests.live_server import serving
from tests.server.conftest import app_for
from tests.server.protocol_client import Api, Device, World, count_rows, op

Rows = dict[str, list[tuple[Any, ...]]]


@pytest.fixture
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[str], Flask]]:
    """Make apps on new, empty, migrated databases of a kind ("sqlite" or "postgresql")."""
    made: list[tuple[Flask, str | None]] = []

    def make(kind: str) -> Flask:
        if kind == "sqlite":
            path = tmp_path / f"target-{len(made)}.sqlite"
            shutil.copy(request.getfixturevalue("sqlite_template"), path)
            made.append((app_for(f"sqlite:///{path}"), None))
            return made[-1][0]
        base = request.getfixturevalue("pg_template")
        name = f"fr_{uuid.uuid4().hex[:12]}"
        with create_engine(base, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name} TEMPLATE fieldroll_template"))
        made.append((app_for(make_url(base).set(database=name).render_as_string(hide_password=False)), name))
        return made[-1][0]

    yield make
    for app, name in made:
        with app.app_context():
            db.engine.dispose()
        if name:
            engine = create_engine(request.getfixturevalue("pg_template"), isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            engine.dispose()


def kind_of(app: Flask) -> str:
    return "sqlite" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite") else "postgresql"


def every_row(app: Flask) -> Rows:
    with app.app_context():
        return {table.name: [tuple(row) for row in db.session.execute(
                    select(table).order_by(*table.primary_key.columns))]
                for table in db.metadata.sorted_tables}


def run(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=list(args))


def backup_of(app: Flask, path: Path) -> Path:
    result = run(app, "backup", str(path))
    assert result.exit_code == 0, result.output
    assert path.exists() and not path.with_name(path.name + ".partial").exists()
    return path


def restored(app: Flask, path: Path) -> Any:
    return run(app, "restore", str(path))


def busy_register(world: World, api: Api) -> tuple[Device, Device, str]:
    """Load the demo, and give it a conflict, a synced device with its cursor, and audit entries."""
    with world.app.app_context():
        admin.load_demo()
    trainer, coordinator = world.device("trainer_a"), world.device("coord_a")
    keys = {"session_id": world.ids["session_a"], "trainee_id": world.ids["trainee_a"]}
    assert api.sync(coordinator, [op(coordinator, "attendance", status="absent", note="ốm", **keys)]).status == 200
    present = op(trainer, "attendance", status="present", **keys)
    assert api.sync(trainer, [present]).status == 200
    records, cursor = api.pull_all(trainer)
    world.ids["attendance_rev"] = str(records[("attendance", present["id"])]["rev"])
    assert count_rows(world.app, Conflict) == 1 and count_rows(world.app, AuditEntry) > 5
    return trainer, coordinator, cursor


def test_a_round_trip_keeps_every_row_and_devices_keep_syncing(world: World, api: Api, tmp_path: Path,
                                                               new_database: Callable[[str], Flask]) -> None:
    trainer, coordinator, cursor = busy_register(world, api)
    file = backup_of(world.app, tmp_path / "fieldroll.backup")
    target = new_database(kind_of(world.app))
    result = restored(target, file)
    assert result.exit_code == 0, result.output
    assert "restored" in result.output
    before = every_row(world.app)
    assert every_row(target) == before
    assert len(before["op_log"]) > 600 and len(before["trainee"]) >= 122
    assert (count_rows(target, Course), count_rows(target, Trainee)) == (8, 122)  # 6 demo courses + the world's 2

    with serving(target) as url:
        moved = Api(url)
        caught_up = moved.sync(trainer, cursor=cursor)
        assert caught_up.status == 200 and caught_up.body["changes"] == [], caught_up.body
        mark = op(trainer, "attendance", base_rev=int(world.ids["attendance_rev"]), session_id=world.ids["session_a"],
                  trainee_id=world.ids["trainee_a"], status="late")
        pushed = moved.sync(trainer, [mark], cursor=caught_up.body["cursor"])
        assert pushed.body["acks"] == [{"op_id": mark["op_id"], "status": "applied"}]
        revoked = moved.request("POST", f"/api/v1/devices/{trainer.id}/revoke", token=coordinator.token)
        assert revoked.status == 200, revoked.body
    with target.app_context():
        newest = db.session.scalars(select(OpLog).order_by(OpLog.seq.desc())).first()
        assert newest is not None and newest.op_id == mark["op_id"] and newest.seq > max(
            row[1] for row in before["op_log"])
        # New audit rows took ids after the restored ones (PostgreSQL's sequences were moved on).
        assert db.session.query(AuditEntry).count() > len(before["audit_entry"])


@pytest.mark.postgres
def test_sqlite_to_postgresql_and_back(new_database: Callable[[str], Flask], tmp_path: Path) -> None:
    source = new_database("sqlite")
    with serving(source) as url:
        world = World(source, Api(url))
        from tests.server.conftest import seed_world

        seed_world(world)
        busy_register(world, world.api)
    rows = every_row(source)
    postgres = new_database("postgresql")
    assert restored(postgres, backup_of(source, tmp_path / "from-sqlite.backup")).exit_code == 0
    assert every_row(postgres) == rows
    back = new_database("sqlite")
    assert restored(back, backup_of(postgres, tmp_path / "from-postgres.backup")).exit_code == 0
    assert every_row(back) == rows


def rewrite(file: Path, change: Callable[[list[str]], list[str]], to: Path) -> Path:
    lines = gzip.decompress(file.read_bytes()).decode().splitlines()
    to.write_bytes(gzip.compress(("\n".join(change(lines)) + "\n").encode()))
    return to


def test_restore_refuses_and_changes_nothing(world: World, api: Api, tmp_path: Path,
                                            new_database: Callable[[str], Flask]) -> None:
    busy_register(world, api)
    file = backup_of(world.app, tmp_path / "good.backup")
    before = every_row(world.app)
    into_full = restored(world.app, file)
    assert into_full.exit_code != 0 and "already holds data" in into_full.output
    assert every_row(world.app) == before

    target = new_database(kind_of(world.app))
    empty = every_row(target)
    assert not any(empty.values())

    def older(lines: list[str]) -> list[str]:
        header = json.loads(lines[0])
        return [json.dumps({**header, "revision": "0003"}), *lines[1:]]

    def twice(lines: list[str]) -> list[str]:
        """Write the first user twice, with counts that agree: only the database can tell."""
        at = next(i for i, line in enumerate(lines) if line.startswith('{"table":"app_user"'))
        head, end = json.loads(lines[at]), json.loads(lines[-1])
        return [*lines[:at], json.dumps({**head, "rows": head["rows"] + 1}), lines[at + 1], *lines[at + 1:-1],
                json.dumps({**end, "rows": end["rows"] + 1})]

    damaged = {
        "a row twice": (rewrite(file, twice, tmp_path / "twice.backup"), "the database refused"),
        "other revision": (rewrite(file, older, tmp_path / "old.backup"), "schema revision 0003"),
        "cut gzip": (tmp_path / "cut.backup", "damaged or cut short"),
        "cut at a line": (rewrite(file, lambda lines: lines[: len(lines) // 2], tmp_path / "half.backup"),
                          "cut short or damaged"),
        "no end line": (rewrite(file, lambda lines: lines[:-1], tmp_path / "end.backup"), "cut short or damaged"),
        "not a backup": (tmp_path / "notes.txt", "damaged or cut short"),
    }
    data = file.read_bytes()
    (tmp_path / "cut.backup").write_bytes(data[: len(data) * 2 // 3])
    (tmp_path / "notes.txt").write_text("hello")
    for why, (path, message) in damaged.items():
        result = restored(target, path)
        assert result.exit_code != 0 and message in result.output, (why, result.output)
        assert every_row(target) == empty, why
    assert restored(target, file).exit_code == 0
    assert every_row(target) == before
