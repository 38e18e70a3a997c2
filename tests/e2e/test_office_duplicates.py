"""A coordinator imports a trainee list into a course: a bad file is refused line by line and
changes nothing; a good one comes in after its dry run. One imported name is a near-duplicate
of a trainee already on the course: the office suggests the pair, previews what the merge
moves, and merges them through the coordinator's outbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from server.extensions import db
from server.models import Enrollment, Trainee
from tests.e2e.conftest import Register
from tests.e2e.office import Desk, course_of_session
from tests.e2e.test_two_trainers import shared_session

pytestmark = pytest.mark.browser

HEADER = "Họ và tên,Giới tính,Năm sinh,Dân tộc,Thôn/bản,Đồng ý\n"


def trainee_count(register: Register) -> int:
    return register.query(lambda: db.session.scalar(select(func.count()).select_from(Trainee)))


def test_import_then_merge_a_duplicate(register: Register, browser: Browser, tmp_path: Path) -> None:
    course = course_of_session(register, shared_session(register))
    original_id, original = next((tid, t) for tid, t in course["trainees"].items() if t["birth_year"])
    # One letter more: not the same name, so the import takes it, but close enough to suggest a merge.
    near_name = f"{original['full_name']}h"
    before = trainee_count(register)

    desk = Desk.open_desk(browser, register)
    desk.sign_in(register.codes["lan.laocai"])
    desk.open_office("import")
    page = desk.page

    bad = tmp_path / "danh-sach-loi.csv"
    bad.write_text(HEADER + "Vàng Thị Dợ,Nữ,1990,Mông,Thôn 1,có\n,Nam,khoảng 1980,Dao,Thôn 2,có\n", encoding="utf-8")
    page.get_by_test_id("import-course").select_option(course["id"])
    page.get_by_test_id("import-file").set_input_files(str(bad))
    page.get_by_test_id("import-check").click()
    report = page.get_by_test_id("import-report")
    expect(report).to_have_attribute("data-errors", "1")
    expect(page.locator('[data-testid="import-row"][data-status="error"]')).to_have_count(1)
    expect(page.get_by_test_id("import-apply")).to_have_count(0)
    desk.both_widths("import-errors")
    assert trainee_count(register) == before

    good = tmp_path / "danh-sach.csv"
    gender = "Nữ" if original["gender"] == "female" else "Nam"
    good.write_text(HEADER + f"{near_name},{gender},{original['birth_year']},Mông,Thôn 1,có\n"
                    "Vàng Thị Dợ,Nữ,1990,Mông,Thôn 1,có\n", encoding="utf-8")
    page.get_by_test_id("import-file").set_input_files(str(good))
    page.get_by_test_id("import-check").click()
    expect(report).to_have_attribute("data-errors", "0")
    expect(page.locator('[data-testid="import-row"][data-status="ok"]')).to_have_count(2)
    assert trainee_count(register) == before, "a dry run changes nothing"
    desk.both_widths("import-check")
    page.get_by_test_id("import-apply").click()
    expect(page.get_by_test_id("import-done")).to_contain_text("2")
    assert trainee_count(register) == before + 2

    def imported_id() -> str:
        found = db.session.scalar(select(Trainee.id).where(Trainee.full_name == near_name))
        assert found is not None
        return found

    duplicate_id = register.query(imported_id)
    page.get_by_test_id("office-tab-duplicates").click()
    pair = page.locator(f'[data-testid="office-pair"][data-a="{original_id}"][data-b="{duplicate_id}"], '
                        f'[data-testid="office-pair"][data-a="{duplicate_id}"][data-b="{original_id}"]')
    expect(pair).to_have_count(1)
    pair.locator(f'[data-testid="keep-person"][data-trainee="{original_id}"]').check()
    pair.get_by_test_id("merge-preview-button").click()
    preview = pair.get_by_test_id("merge-preview")
    expect(preview).to_contain_text("1 lần ghi danh")  # the import enrolled the duplicate in the course
    desk.both_widths("duplicates")
    pair.get_by_test_id("merge").click()
    expect(pair.get_by_test_id("merge-pending")).to_be_visible()

    desk.sync_now()
    desk.expect_pending(0)

    def merged() -> tuple[str | None, int]:
        survivor = db.session.scalar(select(Trainee.merged_into).where(Trainee.id == duplicate_id))
        enrolled = db.session.scalar(select(func.count()).select_from(Enrollment).where(
            Enrollment.course_id == course["id"], Enrollment.trainee_id == duplicate_id, Enrollment.deleted.is_(False)))
        return survivor, enrolled

    assert register.query(merged) == (original_id, 0)
    page.get_by_test_id("office-tab-duplicates").click()
    page.get_by_role("button", name="Tải lại").click()
    expect(pair).to_have_count(0)
