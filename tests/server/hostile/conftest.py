"""Hostile-input fixtures: the hand-counted register with a phone for each kind of caller, and a
fingerprint of every table to prove that a refused request changed nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from py_vapid import Vapid
from sqlalchemy import func, select

from server.extensions import db
from server.push.keys import private_key_text
from tests.server.conftest import app_for
from tests.server.dashboard_register import TRAINEES, seed_register
from tests.server.protocol_client import Api, Device, World


@pytest.fixture(scope="session")
def vapid_private_key() -> str:
    pair = Vapid()
    pair.generate_keys()
    return private_key_text(pair)


@pytest.fixture
def app(database_url: str, vapid_private_key: str) -> Iterator[Flask]:
    """The app with push set up, so that its endpoints answer rather than 503; pushes go to no real host."""
    app = app_for(database_url, VAPID_PRIVATE_KEY=vapid_private_key, PUSH_SERVICE_HOSTS=("push.invalid",),
                  PUSH_SEND_AFTER_RESPONSE=False)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def register(app: Flask, api: Api) -> World:
    return seed_register(World(app, api))


@pytest.fixture
def phones(register: World) -> dict[str, Device]:
    """An enrolled phone for each user of the register: trainers, coordinators of A, B, the province, admin."""
    return {name: register.device(name)
            for name in ("trainer_a", "trainer_b", "coord_a", "coord_b", "coord_p", "admin")}


# Counting attempts is what a rate limit is for: a refused sign-in or enrolment is counted.
BOOKKEEPING = {"rate_limit_hit"}


def table_counts(app: Flask) -> dict[str, int]:
    """Count the rows of every table: what a refused request must leave as it was."""
    with app.app_context():
        return {table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
                for table in db.metadata.sorted_tables if table.name not in BOOKKEEPING}


def commune_b_secrets() -> list[str]:
    """The names of commune B's trainees: what nobody outside B may read."""
    return [name for name, commune, *_ in TRAINEES.values() if commune == "B"]


def leaked(payload: Any, secrets: list[str]) -> list[str]:
    """Return those of `secrets` that appear anywhere in a reply's raw bytes."""
    text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else str(payload)
    return [secret for secret in secrets if secret in text]
