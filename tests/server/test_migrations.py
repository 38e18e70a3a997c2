"""Migrations match the models, and upgrading an existing database keeps its data."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask

from server.database import init_db
from server.extensions import db
from server.models import Trainee
from tests.server.protocol_client import server_op


def test_the_migrations_build_exactly_the_models(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
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
