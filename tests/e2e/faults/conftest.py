"""Fault fixtures: the real server under gunicorn on a fresh database with the demo register, reached
only through the fault proxy, and the PWA's own tap code for a page to call in bulk.

`register` here overrides the e2e one, so every test in this folder (and the e2e fixtures built on
`register`, such as `trainer_at_roster`) runs against gunicorn with the shipped config."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from config.settings import TestConfig
from server import create_app
from server.admin import load_demo
from server.database import init_db
from server.extensions import db
from server.models import Attendance, CourseSession, CourseTrainer, Enrollment, OpLog, User
from tests.e2e.phone import Phone
from tests.faults.proxy import FaultProxy
from tests.faults.server import Gunicorn
from tests.faults.write_lock import WriteLockProbe

PWA_SRC = Path(__file__).resolve().parents[3] / "pwa" / "src"
ESBUILD = PWA_SRC.parent / "node_modules" / ".bin" / "esbuild"
PG_ENV = "FIELDROLL_TEST_DATABASE_URL"
# The modules a tap goes through (ui/actions.js → store/outbox.js), bundled for a page to call.
TAPS_ENTRY = """
export { markAttendance } from './ui/actions.js';
export { openStore } from './store/db.js';
"""
# The page runs the app's own tap (ui/actions.js markAttendance → store/outbox.js recordOps), one tap at a time,
# on the app's database; then it reads back every op id waiting in the outbox.
TAP_ALL = """async (taps) => {
  const db = await FieldRollTaps.openStore();
  const services = { db, changed() {}, scheduler: { afterTap() {} } };
  for (const [sessionId, traineeId, status] of taps) {
    await FieldRollTaps.markAttendance(services, sessionId, traineeId, status);
  }
  const waiting = (await db.getAll('outbox')).map((entry) => entry.op.op_id);
  db.close();
  return waiting;
}"""
STATUSES = ("present", "late", "absent", "excused")
SYNC_PATH = "/api/v1/sync"
Tap = tuple[str, str, str]  # session id, trainee id, status


class AppTaps:
    """Taps made through the app's own code in a page, many at a time."""

    def __init__(self, script: str) -> None:
        self.script = script

    def mark(self, page: Page, taps: list[Tap]) -> list[str]:
        """Mark attendance as the roster's buttons do, tap by tap; return the ids of every op in the outbox."""
        page.evaluate(self.script)
        return list(page.evaluate(TAP_ALL, [list(tap) for tap in taps]))

    def waiting(self, page: Page) -> list[str]:
        return self.mark(page, [])


@dataclass
class FaultyRegister:
    """The demo register served by gunicorn, with the fault proxy in front: phones use `url`."""

    app: Flask
    server: Gunicorn
    proxy: FaultProxy
    codes: dict[str, str]
    dist: Path
    phones: list[Phone] = field(default_factory=list)

    @property
    def url(self) -> str:
        return self.proxy.url

    def query(self, fn: Any) -> Any:
        """Run `fn()` in an app context, to look at what the server's database holds."""
        with self.app.app_context():
            try:
                return fn()
            finally:
                db.session.remove()
                db.engine.dispose()  # hold no connection across a kill and restart of the server

    def pairs_for(self, user: str) -> list[tuple[str, str]]:
        """Every (session, trainee) the trainer can mark: each session of their courses × the course's trainees."""

        def read() -> list[tuple[str, str]]:
            user_id = db.session.scalar(select(User.id).where(User.name == user))
            rows = db.session.execute(
                select(CourseSession.id, Enrollment.trainee_id)
                .join(Enrollment, Enrollment.course_id == CourseSession.course_id)
                .join(CourseTrainer, CourseTrainer.course_id == CourseSession.course_id)
                .where(CourseTrainer.user_id == user_id, Enrollment.deleted.is_(False),
                       CourseSession.deleted.is_(False))
                .order_by(CourseSession.id, Enrollment.trainee_id)).all()
            return [(str(session), str(trainee)) for session, trainee in rows]

        return list(self.query(read))

    def device_op_ids(self) -> list[str]:
        """The ids of every op in the op log that came from a device, once per row."""
        return list(self.query(lambda: list(db.session.scalars(
            select(OpLog.op_id).where(OpLog.device_id.is_not(None))))))

    def attendance(self) -> dict[tuple[str, str], str]:
        """Each trainee's attendance status at each session, as the server holds it."""
        rows = self.query(lambda: db.session.execute(
            select(Attendance.session_id, Attendance.trainee_id, Attendance.status)).all())
        return {(str(session), str(trainee)): str(status) for session, trainee, status in rows}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind (PostgreSQL from FIELDROLL_TEST_DATABASE_URL), gone after the test."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'fieldroll.sqlite'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.fail(f"{PG_ENV} is not set: run the suite with scripts/test.sh, which starts PostgreSQL")
    name = f"fr_faults_{uuid.uuid4().hex[:12]}"
    admin_engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield make_url(base).set(database=name).render_as_string(hide_password=False)
    with admin_engine.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin_engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'fieldroll.sqlite'}"


@pytest.fixture
def register(sqlite_url: str, pwa_dist: Path, tmp_path: Path) -> Iterator[FaultyRegister]:
    """The e2e register, served by gunicorn from a copy of the build (a test may deploy another over it)."""
    served = tmp_path / "served-dist"
    shutil.copytree(pwa_dist, served)
    yield from _register(sqlite_url, served, tmp_path)


def deploy(built: Path, served: Path) -> None:
    """Put a new build where the running server serves it from, as a release would."""
    shutil.rmtree(served)
    shutil.copytree(built, served)


def _register(database_url: str, pwa_dist: Path, tmp_path: Path) -> Iterator[FaultyRegister]:
    app = create_app(type("FaultSettings", (TestConfig,), {"SQLALCHEMY_DATABASE_URI": database_url,
                                                            "PWA_DIST_DIR": str(pwa_dist)}))
    with app.app_context():
        init_db()
        codes = {name: code for name, _, code in load_demo()}
        db.engine.dispose()  # the workers open their own connections
    server = Gunicorn(database_url, pwa_dist, tmp_path)
    server.start()
    try:
        with FaultProxy(server.port) as proxy:
            register = FaultyRegister(app, server, proxy, codes, pwa_dist)
            yield register
            for phone in register.phones:
                phone.close()
    finally:
        server.stop()


@pytest.fixture
def faulty_register(sqlite_url: str, pwa_dist: Path, tmp_path: Path) -> Iterator[FaultyRegister]:
    """On SQLite, the database a trainer's week is checked on."""
    yield from _register(sqlite_url, pwa_dist, tmp_path)


@pytest.fixture
def faulty_register_any_db(any_database_url: str, pwa_dist: Path, tmp_path: Path) -> Iterator[FaultyRegister]:
    """On SQLite and on PostgreSQL."""
    yield from _register(any_database_url, pwa_dist, tmp_path)


@pytest.fixture
def write_lock(faulty_register_any_db: FaultyRegister) -> Iterator[WriteLockProbe]:
    """A probe of the server's write lock on the register's database."""
    probe = WriteLockProbe(faulty_register_any_db.server.database_url)
    yield probe
    probe.close()


@pytest.fixture(scope="session")
def app_taps() -> AppTaps:
    """The PWA's own tap functions, bundled from pwa/src as a script that defines `FieldRollTaps` in a page."""
    built = subprocess.run([str(ESBUILD), "--bundle", "--format=iife", "--global-name=FieldRollTaps",
                            "--log-level=warning"], input=TAPS_ENTRY, cwd=PWA_SRC, capture_output=True,
                           text=True, check=True, timeout=60)
    return AppTaps(f"() => {{ {built.stdout}; globalThis.FieldRollTaps = FieldRollTaps; }}")


@pytest.fixture
def enrolled_trainer(browser: Browser, faulty_register: FaultyRegister) -> Phone:
    """tuan.trainer's phone, enrolled through the proxy, ready for offline, showing today's first session."""
    return _enrolled(browser, faulty_register, "tuan.trainer")


@pytest.fixture
def enrolled_trainer_any_db(browser: Browser, faulty_register_any_db: FaultyRegister) -> Phone:
    return _enrolled(browser, faulty_register_any_db, "tuan.trainer")


def sync_until_nothing_pending(phone: Phone, deadline_s: float) -> int:
    """Let the app sync, and press "sync now" whenever a sync ends with ops still waiting; return the presses."""
    deadline = time.monotonic() + deadline_s
    presses = 0
    while time.monotonic() < deadline:
        phone.wait_until_idle()
        if phone.pending() == 0:
            return presses
        phone.sync_now()
        presses += 1
        time.sleep(0.5)
    raise AssertionError(f"still {phone.pending()} ops pending after {deadline_s} s")


def _enrolled(browser: Browser, register: FaultyRegister, user: str) -> Phone:
    phone = Phone.open(browser, register.url, user)
    register.phones.append(phone)
    phone.enrol(register.codes[user])
    phone.get_ready()
    phone.open_first_session_today()
    return phone
