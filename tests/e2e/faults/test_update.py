"""A new app version is deployed (gunicorn keeps running, the files change under it) while a phone holds
unsent taps: the taps survive the update and sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from server.extensions import db
from server.models import Attendance, Device, OpLog
from tests.e2e.conftest import build_pwa
from tests.e2e.faults.conftest import FaultyRegister as Register
from tests.e2e.faults.conftest import deploy
from tests.e2e.phone import Phone

pytestmark = pytest.mark.browser


def test_an_update_keeps_the_outbox(register: Register, trainer_at_roster: Phone, tmp_path: Path) -> None:
    phone = trainer_at_roster
    session_id = phone.page.url.rsplit("/", 1)[-1]  # the roster on screen: #/session/<id>
    trainees = phone.mark_offline(2)
    phone.open_sync_screen()
    expect(phone.page.get_by_test_id("app-version")).to_have_text("e2e-1")

    deploy(build_pwa(tmp_path / "dist-2", "e2e-2"), register.dist)
    # Keep the taps unsent through the update, so the test shows the update itself keeps them. The
    # route stays and lets syncs through afterwards: removing it could strand a request it had
    # caught but not yet answered, and that sync would never end.
    blocked = [True]
    phone.context.route("**/api/v1/sync", lambda route: route.abort() if blocked[0] else route.continue_())
    phone.go_online()
    phone.page.reload()
    update = phone.page.get_by_role("button", name="Cập nhật")
    with phone.page.expect_navigation(timeout=30_000):  # the new version takes over and reloads the page
        update.click(timeout=30_000)
    phone.page.wait_for_load_state()
    phone.open_sync_screen()
    expect(phone.page.get_by_test_id("app-version")).to_have_text("e2e-2", timeout=20_000)
    phone.expect_pending(2)
    blocked[0] = False
    phone.wait_until_idle()
    phone.sync_now()
    phone.expect_pending(0)
    from_phone = select(func.count()).select_from(OpLog).where(OpLog.device_id.is_not(None))
    assert register.query(lambda: db.session.scalar(from_phone)) == 2

    def on_server() -> tuple[list[str | None], list[str | None]]:
        """The taps' marks, and the version each phone last synced with: the new one sent them."""
        marks = db.session.scalars(select(Attendance.status).where(
            Attendance.trainee_id.in_(trainees), Attendance.session_id == session_id)).all()
        return list(marks), list(db.session.scalars(select(Device.app_version)))

    assert register.query(on_server) == (["present", "present"], ["e2e-2"])
