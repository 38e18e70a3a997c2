"""FieldRoll's sync server: the Flask app factory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from config.settings import Config
from server import app_shell, cli, database, errors, home, openapi, security_headers, validation
from server.audit_api import bp as audit_bp
from server.checkins.views import bp as checkins_bp
from server.dashboard import bp as dashboard_bp
from server.devices import bp as devices_bp
from server.extensions import db, migrate
from server.outbox_files import bp as outbox_files_bp
from server.push import bp as push_bp
from server.sync_api import bp as sync_bp
from server.trainees.views import bp as trainees_bp
from server.transfers import bp as transfers_bp
from server.webauthn import bp as webauthn_bp

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_app(config: type[Config] | dict[str, Any] | None = None) -> Flask:
    """Build the app from `config` (a settings class or a dict of overrides)."""
    app = Flask(__name__)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    _prepare_sqlite_folder(app.config["SQLALCHEMY_DATABASE_URI"])

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    errors.init_app(app)
    validation.init_app(app)
    security_headers.init_app(app)
    database.init_app(app)
    cli.init_app(app)
    openapi.init_app(app)
    home.init_app(app)
    app_shell.init_app(app)
    app.register_blueprint(sync_bp)
    app.register_blueprint(devices_bp)
    app.register_blueprint(outbox_files_bp)
    app.register_blueprint(checkins_bp)
    app.register_blueprint(webauthn_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(transfers_bp)
    app.register_blueprint(push_bp)
    app.register_blueprint(trainees_bp)
    app.register_blueprint(audit_bp)
    return app


def _prepare_sqlite_folder(url: str) -> None:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
