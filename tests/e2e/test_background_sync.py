"""Taps made offline go up through Background Sync after the app is closed."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from server.extensions import db
from server.models import OpLog
from tests.e2e.conftest import Register
from tests.e2e.phone import Phone

pytestmark = pytest.mark.browser


def test_the_service_worker_sends_the_outbox_with_the_app_closed(register: Register, trainer_at_roster: Phone) -> None:
    phone = trainer_at_roster
    phone.mark_offline(3)
    phone.page.close()

    phone.go_online()
    from_phone = select(func.count()).select_from(OpLog).where(OpLog.device_id.is_not(None))
    deadline = time.monotonic() + 30
    while register.query(lambda: db.session.scalar(from_phone)) < 3 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert register.query(lambda: db.session.scalar(from_phone)) == 3
