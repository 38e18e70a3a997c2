"""No signal for days: the trainer saves the outbox to a file, a coordinator uploads it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from server.extensions import db
from server.models import OpLog
from tests.e2e.conftest import Register
from tests.e2e.phone import Phone

pytestmark = pytest.mark.browser


def test_a_saved_outbox_uploaded_by_a_coordinator_lands_once(register: Register, trainer_at_roster: Phone, phone_for,
                                                            tmp_path: Path) -> None:
    trainer = trainer_at_roster
    trainer.mark_offline(4)
    trainer.open_sync_screen()
    with trainer.page.expect_download() as download:
        trainer.page.get_by_test_id("save-outbox").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name.startswith("fieldroll-tuan.trainer-") and saved.suffix == ".json"
    trainer.expect_pending(4)  # saving a file keeps the outbox

    coordinator = phone_for("lan.laocai")
    coordinator.enrol(register.codes["lan.laocai"])
    coordinator.open_sync_screen()
    coordinator.page.get_by_role("link", name="Tải lên tệp của giảng viên").click()
    page = coordinator.page
    from_trainer = select(func.count()).select_from(OpLog).where(OpLog.device_id.is_not(None))
    for expected in ("Đã áp dụng 4, trùng 0", "Đã áp dụng 0, trùng 4"):
        page.locator('input[type="file"]').set_input_files(str(saved))
        page.get_by_role("button", name="Tải lên").click()
        expect(page.get_by_test_id("upload-result")).to_contain_text(expected)
        assert register.query(lambda: db.session.scalar(from_trainer)) == 4
    coordinator.screenshot("upload")

    trainer.go_online()
    trainer.wait_until_idle()
    trainer.sync_now()
    trainer.expect_pending(0)
    assert register.query(lambda: db.session.scalar(from_trainer)) == 4


def test_a_file_that_is_not_an_outbox_is_refused_and_changes_nothing(register: Register, phone_for,
                                                                      tmp_path: Path) -> None:
    coordinator = phone_for("lan.laocai")
    coordinator.enrol(register.codes["lan.laocai"])
    coordinator.page.goto(f"{coordinator.url}/#/upload")
    before = register.query(lambda: db.session.scalar(select(func.count()).select_from(OpLog)))
    files = {
        "photo.json": ("not json at all", "Tệp này không phải tệp dữ liệu FieldRoll."),
        "other.json": ('{"format": "something-else"}', "Tệp này không đọc được như tệp dữ liệu FieldRoll"),
    }
    for name, (content, refusal) in files.items():
        path = tmp_path / name
        path.write_text(content)
        coordinator.page.locator('input[type="file"]').set_input_files(str(path))
        coordinator.page.get_by_role("button", name="Tải lên").click()
        expect(coordinator.page.get_by_role("alert")).to_contain_text(refusal)
    assert register.query(lambda: db.session.scalar(select(func.count()).select_from(OpLog))) == before
