"""Two trainers on one course mark the same trainee differently while both are offline."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from server.admin import assign_trainer, find_user
from server.demo_data import local_today
from server.extensions import db
from server.models import Attendance, Conflict, Course, CourseSession
from tests.e2e.conftest import Register
from tests.e2e.phone import Phone

pytestmark = pytest.mark.browser


def shared_session(register: Register) -> str:
    """Put tuan.trainer and mai.trainer on one course that meets today; return that session's id."""

    def assign() -> str:
        today = local_today(int(time.time() * 1000)).isoformat()
        session = db.session.scalars(select(CourseSession).where(CourseSession.date == today)).first()
        assert session is not None
        course = db.session.get(Course, session.course_id)
        assert course is not None
        for name in ("tuan.trainer", "mai.trainer"):
            if find_user(name).id not in course.trainer_ids:
                assign_trainer(name, course.id)
        return session.id

    return register.query(assign)


def ready_phone(phone: Phone, code: str, session_id: str) -> None:
    phone.enrol(code)
    phone.get_ready()
    phone.page.goto(f"{phone.url}/#/session/{session_id}")
    expect(phone.page.get_by_test_id("roster-row").first).to_be_visible()


def test_both_phones_and_the_server_agree_on_the_winner_and_show_the_conflict(register: Register, phone_for) -> None:
    session_id = shared_session(register)
    tuan, mai = phone_for("tuan.trainer"), phone_for("mai.trainer")
    ready_phone(tuan, register.codes["tuan.trainer"], session_id)
    ready_phone(mai, register.codes["mai.trainer"], session_id)
    trainee = tuan.page.get_by_test_id("roster-row").first.get_attribute("data-trainee")
    assert trainee

    tuan.go_offline()
    mai.go_offline()
    tuan.mark(trainee, "Có mặt")
    tuan.expect_pending(1)
    mai.mark(trainee, "Vắng")  # later, so it wins by last-writer-wins
    mai.expect_pending(1)

    for phone in (tuan, mai):
        phone.go_online()
        phone.sync_now()
        phone.expect_pending(0)
    tuan.sync_now()  # tuan synced first, so only now hears of mai's mark and the conflict

    def server_side() -> tuple[str | None, int]:
        status = db.session.scalar(select(Attendance.status).where(
            Attendance.session_id == session_id, Attendance.trainee_id == trainee))
        return status, db.session.scalar(select(func.count()).select_from(Conflict))

    assert register.query(server_side) == ("absent", 1)
    for phone in (tuan, mai):
        row = phone.page.locator(f'[data-testid="roster-row"][data-trainee="{trainee}"]')
        expect(row).to_have_attribute("data-status", "absent", timeout=20_000)
        phone.page.goto(f"{phone.url}/#/sync")
        conflicts = phone.page.get_by_test_id("conflict")
        expect(conflicts).to_have_count(1)
        expect(conflicts.first).to_contain_text("Giữ “Vắng”, giá trị khác: “Có mặt”")
    mai.screenshot("conflicts")
