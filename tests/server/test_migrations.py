"""Migrations match the models, and upgrading an existing database keeps its data."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade
from sqlalchemy import func

from server.database import built_on, init_db
from server.extensions import db
from server.models import ENTITY_MODELS, Conflict, Trainee
from server.sql_store import revision_row
from tests.server.protocol_client import Api, World, op, server_op


def test_the_migrations_build_exactly_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_object": built_on(conn.dialect.name)})
        diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_upgrading_again_keeps_the_data(app: Flask) -> None:
    from server import admin

    with app.app_context():
        admin.apply_as_server([server_op("area", "00000000-0000-4000-8000-000000000001", code="C",
                                         name="Xã", kind="commune")])
        admin.apply_as_server([server_op("trainee", "00000000-0000-4000-8000-000000000009",
                                         full_name="Vàng Thị Dợ", commune_id="00000000-0000-4000-8000-000000000001")])
        init_db()
        assert db.session.get(Trainee, "00000000-0000-4000-8000-000000000009") is not None


def test_upgrading_to_0002_gives_existing_conflicts_revs_devices_will_pull(world: World, api: Api) -> None:
    trainer, coordinator = world.device("trainer_a"), world.device("coord_a")
    keys = {"session_id": world.ids["session_a"], "trainee_id": world.ids["trainee_a"]}
    api.sync(coordinator, [op(coordinator, "attendance", status="absent", **keys)])
    api.sync(trainer, [op(trainer, "attendance", status="present", **keys)])
    _, cursor = api.pull_all(trainer)
    with world.app.app_context():
        downgrade(revision="0001")
        init_db()
        conflict = db.session.query(Conflict).one()
        newest_record = max(db.session.query(func.max(model.rev)).scalar() or 0 for model in ENTITY_MODELS.values())
        assert revision_row().value >= conflict.rev > newest_record
    again = api.sync(trainer, cursor=cursor).body["changes"]
    assert [(c["entity"], c["id"]) for c in again] == [("conflict", str(conflict.id))]
