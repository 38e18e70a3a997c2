"""Browser end-to-end fixtures: the real PWA build, the real server on a real database over
real HTTP at http://localhost, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, Playwright, sync_playwright

from config.settings import TestConfig
from server import create_app
from server.admin import load_demo
from server.database import init_db
from server.extensions import db
from tests.e2e.phone import Phone
from tests.live_server import LinkCutter, serving

PWA_DIR = Path(__file__).resolve().parents[2] / "pwa"
CHROMIUM = os.environ.get("FIELDROLL_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium reaches for Google's hosts at start, which this network refuses.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-background-networking", "--disable-gpu",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def build_pwa(out: Path, version: str) -> Path:
    """Build the PWA into `out` with a version label, as `npm run build` does for a release."""
    env = {**os.environ, "FIELDROLL_PWA_OUT": str(out), "FIELDROLL_APP_VERSION": version}
    subprocess.run(["npm", "run", "build", "--silent"], cwd=PWA_DIR, env=env, check=True,
                   capture_output=True, timeout=120)
    return out


@pytest.fixture(scope="session")
def pwa_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pwa(tmp_path_factory.mktemp("pwa") / "dist", "e2e-1")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class Register:
    """The server with the demo register loaded: trainers, courses, today's sessions."""

    app: Flask
    url: str
    cutter: LinkCutter
    codes: dict[str, str]
    phones: list[Phone] = field(default_factory=list)

    def query(self, fn: Any) -> Any:
        """Run `fn()` in an app context, to look at what the server's database holds."""
        with self.app.app_context():
            return fn()

    def new_code(self, user: str) -> str:
        from server.admin import enrolment_code_for
        return self.query(lambda: enrolment_code_for(user))


@pytest.fixture
def register(tmp_path: Path, pwa_dist: Path) -> Iterator[Register]:
    settings = {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fieldroll.sqlite'}", "PWA_DIST_DIR": str(pwa_dist)}
    app = create_app(type("E2ESettings", (TestConfig,), settings))
    with app.app_context():
        init_db()
        codes = {name: code for name, _, code in load_demo()}
    cutter = LinkCutter(app.wsgi_app)
    with serving(app, cutter) as url:
        reg = Register(app, url, cutter, codes)
        yield reg
        for phone in reg.phones:
            phone.close()
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def phone_for(browser: Browser, register: Register) -> Any:
    """Make a phone (a fresh browser profile at 360×740) for a demo user."""

    def make(user: str) -> Phone:
        phone = Phone.open(browser, register.url, user)
        register.phones.append(phone)
        return phone

    return make


@pytest.fixture
def trainer_at_roster(register: Register, phone_for: Any) -> Phone:
    """tuan.trainer's phone, enrolled and ready for offline, showing today's first session."""
    phone = phone_for("tuan.trainer")
    phone.enrol(register.codes["tuan.trainer"])
    phone.get_ready()
    phone.open_first_session_today()
    return phone
