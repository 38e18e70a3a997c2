"""Server fixtures: a fresh database per test (SQLite and PostgreSQL), a live HTTP server,
an HTTP client that speaks the protocol, and a small world of areas, courses and people."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config.settings import TestConfig
from server import create_app
from server.database import init_db
from server.extensions import db
from sync.ids import derived_id
from tests.live_server import serving
from tests.server.protocol_client import Api, World, server_op

PG_ENV = "FIELDROLL_TEST_DATABASE_URL"


def app_for(url: str, **settings: Any) -> Flask:
    """Build the app on the database at `url`, with test settings and any overrides."""
    return create_app(type("Settings", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": url, **settings}))


def _migrated_app(url: str) -> Flask:
    app = app_for(url)
    with app.app_context():
        init_db()
        db.engine.dispose()
    return app


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    _migrated_app(f"sqlite:///{path}")
    return str(path)


@pytest.fixture(scope="session")
def pg_template() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.fail(f"{PG_ENV} is not set: run the suite with scripts/test.sh, which starts PostgreSQL")
    admin_engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS fieldroll_template"))
        conn.execute(text("CREATE DATABASE fieldroll_template"))
    admin_engine.dispose()
    template_url = make_url(url).set(database="fieldroll_template").render_as_string(hide_password=False)
    _migrated_app(template_url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[str]:
    """A freshly migrated, empty database of each kind, gone after the test."""
    if request.param == "sqlite":
        path = tmp_path / "fieldroll.sqlite"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    base = request.getfixturevalue("pg_template")
    name = f"fr_{uuid.uuid4().hex[:12]}"
    admin_engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE fieldroll_template"))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin_engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin_engine.dispose()


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    app = app_for(database_url)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_url(app: Flask) -> Iterator[str]:
    with serving(app) as url:
        yield url


@pytest.fixture
def api(live_url: str) -> Api:
    return Api(live_url)


@pytest.fixture
def world(app: Flask, api: Api) -> World:
    return seed_world(World(app, api))


def seed_world(w: World) -> World:
    """Seed a province with two communes, a course, session, trainer and trainee in each."""
    app = w.app
    with app.app_context():
        ops = [
            server_op("area", w.new_id("province"), code="P1", name="Lào Cai", kind="province"),
            server_op("area", w.new_id("commune_a"), code="C-A", name="Bản Hồ", kind="commune",
                      parent_id=w.ids["province"]),
            server_op("area", w.new_id("commune_b"), code="C-B", name="Tả Van", kind="commune",
                      parent_id=w.ids["province"]),
            server_op("program", w.new_id("program"), name="Bình dân học vụ số"),
        ]
        w.seed(*ops)
    w.user("trainer_a", "trainer")
    w.user("trainer_b", "trainer")
    w.user("coord_a", "coordinator", "commune_a")
    w.user("coord_p", "coordinator", "province")
    with app.app_context():
        ops = []
        for side in ("a", "b"):
            ops += [
                server_op("course", w.new_id(f"course_{side}"), program_id=w.ids["program"],
                          commune_id=w.ids[f"commune_{side}"], title=f"Khoá {side}",
                          trainer_ids=[w.ids[f"trainer_{side}"]]),
                server_op("session", w.new_id(f"session_{side}"), course_id=w.ids[f"course_{side}"],
                          date="2026-11-23", start_time="08:00", place="Nhà văn hoá"),
                server_op("trainee", w.new_id(f"trainee_{side}"), full_name=f"Giàng Thị {side.upper()}",
                          commune_id=w.ids[f"commune_{side}"], gender="female", birth_year=1980,
                          ethnicity="H'Mông", consent=True),
                server_op("enrollment", derived_id("enrollment", {
                    "course_id": w.ids[f"course_{side}"], "trainee_id": w.ids[f"trainee_{side}"]}),
                    course_id=w.ids[f"course_{side}"], trainee_id=w.ids[f"trainee_{side}"]),
            ]
        w.seed(*ops)
    return w

