"""A trainer's whole course day on a real phone browser with no signal, then the sync home."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from server.extensions import db
from server.models import Attendance, Enrollment, OpLog, SkillCheck, Trainee
from tests.e2e.conftest import Register
from tests.e2e.phone import Phone

pytestmark = pytest.mark.browser

STATUS_LABELS = {"present": "Có mặt", "late": "Muộn", "absent": "Vắng", "excused": "Có phép"}
WALK_IN_NAME = "Sùng Thị Mỷ"


def session_id_of(phone: Phone) -> str:
    match = re.search(r"#/session/([0-9a-f-]{36})$", phone.page.url)
    assert match, phone.page.url
    return match.group(1)


def mark_whole_roster(phone: Phone) -> dict[str, str]:
    """Tap a status for every trainee, cycling through the four; return what was marked."""
    rows = phone.page.get_by_test_id("roster-row")
    marked = {}
    for i in range(rows.count()):
        trainee = rows.nth(i).get_attribute("data-trainee")
        assert trainee
        status = list(STATUS_LABELS)[i % 4]
        phone.mark(trainee, STATUS_LABELS[status])
        expect(rows.nth(i)).to_have_attribute("data-status", status)
        marked[trainee] = status
    return marked


def fill_checklist(phone: Phone) -> tuple[str, dict[str, int], str]:
    """Open the first trainee's checklist and give every skill a level; note on the first."""
    phone.page.locator('[data-testid="roster-row"] a.name').first.click()
    skills = phone.page.get_by_test_id("skill")
    expect(skills.first).to_be_visible()
    trainee = re.search(r"/trainee/([0-9a-f-]{36})$", phone.page.url).group(1)  # type: ignore[union-attr]
    levels = {}
    for i in range(skills.count()):
        code = skills.nth(i).get_attribute("data-skill")
        assert code
        level = (i % 3) + 1
        skills.nth(i).locator(f'button[data-level="{level}"]').click()
        expect(skills.nth(i)).to_have_attribute("data-level", str(level))
        levels[code] = level
    note = skills.first.locator("input.note")
    note.fill("Cần luyện thêm bước quét mã")
    note.press("Enter")
    note.blur()
    return trainee, levels, next(iter(levels))


def add_walk_in(phone: Phone) -> None:
    phone.page.get_by_test_id("add-walk-in").click()
    page = phone.page
    page.fill("#full_name", WALK_IN_NAME)
    page.get_by_label("Nữ").check()
    page.fill("#birth_year", "1994")
    page.fill("#ethnicity", "Hmông")
    page.fill("#village", "Bản Dền")
    page.get_by_label("Học viên đồng ý cho lưu thông tin").check()
    phone.screenshot("walk-in")
    page.get_by_role("button", name="Lưu và điểm danh có mặt").click()
    expect(page.get_by_test_id("roster-row").filter(has_text=WALK_IN_NAME)).to_have_attribute("data-status", "present")


def test_a_course_day_offline_reaches_the_server(register: Register, phone_for) -> None:
    phone = phone_for("tuan.trainer")
    phone.screenshot("enrol")
    phone.enrol(register.codes["tuan.trainer"])
    phone.get_ready()
    phone.screenshot("home")

    phone.go_offline()
    phone.page.reload()
    expect(phone.page.get_by_test_id("course").first).to_be_visible()

    phone.page.get_by_test_id("course").first.click()
    expect(phone.page.get_by_test_id("session").first).to_be_visible()
    phone.screenshot("course")
    phone.page.go_back()

    phone.open_first_session_today()
    session_id = session_id_of(phone)
    marked = mark_whole_roster(phone)
    counts = phone.page.get_by_test_id("counts")
    for status in STATUS_LABELS:
        expected = sum(1 for s in marked.values() if s == status)
        expect(counts.locator(f'[data-status="{status}"]')).to_have_attribute("data-count", str(expected))
    expect(counts.locator('[data-status="unmarked"]')).to_have_attribute("data-count", "0")
    phone.screenshot("roster")

    trainee, levels, noted_skill = fill_checklist(phone)
    phone.screenshot("checklist")
    phone.page.go_back()
    add_walk_in(phone)

    made = len(marked) + len(levels) + 1 + 3  # taps, levels, the note, the walk-in's three records
    phone.expect_pending(made)
    phone.reopen()
    phone.expect_pending(made)
    expect(phone.page.get_by_test_id("course").first).to_be_visible()

    phone.go_online()
    phone.sync_now()
    phone.expect_pending(0)
    phone.open_sync_screen()
    phone.screenshot("sync")

    def server_view() -> dict[str, object]:
        statuses = dict(db.session.execute(
            select(Attendance.trainee_id, Attendance.status).where(Attendance.session_id == session_id)).all())
        checks = {c.skill_code: (c.level, c.note) for c in db.session.scalars(
            select(SkillCheck).where(SkillCheck.trainee_id == trainee))}
        walk_in = db.session.scalar(select(Trainee).where(Trainee.full_name == WALK_IN_NAME))
        enrolled = walk_in is not None and db.session.scalar(
            select(func.count()).select_from(Enrollment).where(Enrollment.trainee_id == walk_in.id)) == 1
        return {"statuses": statuses, "checks": checks, "walk_in": walk_in and (walk_in.birth_year, walk_in.gender,
                walk_in.ethnicity, walk_in.consent), "enrolled": enrolled,
                "device_ops": db.session.scalar(select(func.count()).select_from(OpLog)
                                                .where(OpLog.device_id.is_not(None)))}

    seen = register.query(server_view)
    walk_in_id = next(t for t, s in seen["statuses"].items() if t not in marked)  # type: ignore[union-attr]
    assert seen["statuses"] == {**marked, walk_in_id: "present"}
    assert {code: level for code, (level, _) in seen["checks"].items()} == levels  # type: ignore[union-attr]
    assert seen["checks"][noted_skill][1] == "Cần luyện thêm bước quét mã"  # type: ignore[index]
    assert seen["walk_in"] == (1994, "female", "Hmông", True)
    assert seen["enrolled"] is True
    assert seen["device_ops"] == made
