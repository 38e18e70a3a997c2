"""Two trainers' phones mark the same trainee differently while offline; the coordinator sees
both values in words in the office and keeps one. The choice is an op from the coordinator's
own outbox: the sync bar counts it until it goes up, and then the server's conflict is closed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from server.extensions import db
from server.models import Attendance, Conflict
from tests.e2e.conftest import Register
from tests.e2e.office import Desk
from tests.e2e.test_two_trainers import ready_phone, shared_session

pytestmark = pytest.mark.browser


def test_the_coordinator_keeps_one_value_and_the_conflict_closes_after_their_sync(
        register: Register, phone_for, browser: Browser) -> None:
    session_id = shared_session(register)
    tuan, mai = phone_for("tuan.trainer"), phone_for("mai.trainer")
    ready_phone(tuan, register.codes["tuan.trainer"], session_id)
    ready_phone(mai, register.codes["mai.trainer"], session_id)
    trainee = tuan.page.get_by_test_id("roster-row").first.get_attribute("data-trainee")
    assert trainee
    tuan.go_offline()
    mai.go_offline()
    tuan.mark(trainee, "Có mặt")
    mai.mark(trainee, "Vắng")  # later, so it wins until someone chooses
    for phone in (tuan, mai):
        phone.go_online()
        phone.sync_now()
        phone.expect_pending(0)

    def server_side() -> tuple[str | None, list[tuple[int, bool]]]:
        status = db.session.scalar(select(Attendance.status).where(
            Attendance.session_id == session_id, Attendance.trainee_id == trainee))
        conflicts = [(c.id, c.resolved_at is not None) for c in db.session.scalars(select(Conflict))]
        return status, conflicts

    status, conflicts = register.query(server_side)
    assert status == "absent" and len(conflicts) == 1 and not conflicts[0][1]

    desk = Desk.open_desk(browser, register)
    desk.sign_in(register.codes["lan.laocai"])
    desk.open_office("health")
    page = desk.page
    card = page.get_by_test_id("office-conflict")
    expect(card).to_have_count(1)
    expect(card.get_by_test_id("conflict-winner")).to_contain_text("“Vắng”")
    expect(card.get_by_test_id("conflict-loser")).to_contain_text("“Có mặt”")
    expect(page.get_by_test_id("office-device").first).to_be_visible()
    desk.wait_until_idle()
    desk.both_widths("review")

    # Keep the trainer's "present"; with the link cut, the choice waits on this computer.
    desk.go_offline()
    card.get_by_test_id("keep-loser").click()
    expect(card.get_by_test_id("conflict-pending")).to_be_visible()
    desk.expect_pending(1)
    desk.both_widths("review-chosen")
    status, conflicts = register.query(server_side)
    assert status == "absent" and not conflicts[0][1], "nothing reached the server yet"

    desk.go_online()
    desk.sync_now()
    desk.expect_pending(0)
    status, conflicts = register.query(server_side)
    assert status == "present"
    assert all(resolved for _, resolved in conflicts), conflicts
    # The office asks again once the choice went up: nothing waits any more.
    expect(page.get_by_test_id("office-conflict")).to_have_count(0, timeout=20_000)
    # The trainers' phones hear of the choice at their next sync.
    tuan.sync_now()
    row = tuan.page.locator(f'[data-testid="roster-row"][data-trainee="{trainee}"]')
    expect(row).to_have_attribute("data-status", "present", timeout=20_000)
