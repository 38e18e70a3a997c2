"""A coordinator revokes a trainer's lost phone: at its next sync the phone deletes its whole
working copy, unsent taps and all, sends nothing, and says why."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from server.extensions import db
from server.models import Device, OpLog
from tests.e2e.conftest import Register
from tests.e2e.phone import Phone
from tests.e2e.staff import enrolment, read_database

pytestmark = pytest.mark.browser


def test_a_revoked_phone_is_wiped_at_its_next_sync(register: Register, trainer_at_roster: Phone, phone_for) -> None:
    trainer = trainer_at_roster
    trainer_device = enrolment(trainer.page)["device_id"]
    trainer.mark_offline(3)
    assert len(read_database(trainer.page)["outbox"]) == 3

    coordinator = phone_for("lan.laocai")
    coordinator.enrol(register.codes["lan.laocai"])
    coordinator.page.get_by_test_id("home-devices").click()
    row = coordinator.page.locator(f'[data-testid="device"][data-device="{trainer_device}"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("tuan.trainer")
    coordinator.screenshot("devices")
    row.get_by_test_id("revoke").click()
    expect(row.get_by_test_id("confirm-revoke")).to_be_visible()
    coordinator.screenshot("devices-revoke-confirm")
    row.get_by_test_id("confirm-revoke").click()
    expect(row).to_have_attribute("data-revoked", "true")
    assert register.query(lambda: db.session.get(Device, trainer_device).revoked_at) is not None

    trainer.go_online()  # the app syncs as soon as the signal is back
    expect(trainer.page.get_by_test_id("wiped")).to_be_visible(timeout=30_000)
    trainer.screenshot("wiped")
    from_trainer = select(func.count()).select_from(OpLog).where(OpLog.device_id == trainer_device)
    assert register.query(lambda: db.session.scalar(from_trainer)) == 0, "none of the taps reached the server"

    stores = read_database(trainer.page)
    assert [row["key"] for row in stores.pop("meta")] == ["wiped"], "only the notice that it was wiped"
    assert {name: rows for name, rows in stores.items() if rows} == {}, "every other store is empty"

    # Opened again later, it still says why, sends nothing, and offers the way back.
    trainer.reopen()
    expect(trainer.page.get_by_test_id("wiped")).to_be_visible()
    assert register.query(lambda: db.session.scalar(from_trainer)) == 0
    trainer.page.get_by_test_id("enrol-again").click()
    expect(trainer.page.locator("#code")).to_be_visible()


def test_a_coordinator_gives_a_person_a_new_enrolment_code(register: Register, phone_for) -> None:
    trainer = phone_for("tuan.trainer")
    trainer.enrol(register.codes["tuan.trainer"])
    trainer.get_ready()
    coordinator = phone_for("lan.laocai")
    coordinator.enrol(register.codes["lan.laocai"])
    coordinator.open_sync_screen()
    coordinator.page.get_by_test_id("open-devices").click()
    row = coordinator.page.locator(f'[data-testid="device"][data-device="{enrolment(trainer.page)["device_id"]}"]')
    row.get_by_test_id("new-code-button").click()
    expect(row.get_by_test_id("new-code-text")).to_have_text(re.compile(r"^[A-Z0-9]{5}-[A-Z0-9]{5}$"))
    code = row.get_by_test_id("new-code-text").inner_text()
    link = row.get_by_test_id("new-code-qr").get_attribute("data-text")
    assert link == f"{register.url}/#/enrol/{code}"
    row.get_by_test_id("new-code").scroll_into_view_if_needed()
    coordinator.screenshot("devices-new-code")

    # The code enrols the person's next phone (the lost one is revoked separately).
    replacement = phone_for("tuan.trainer")
    replacement.page.goto(link)
    expect(replacement.page.locator("#code")).to_have_value(code)
    replacement.page.get_by_role("button", name="Đăng ký máy này").click()
    expect(replacement.page.get_by_test_id("ready-card")).to_be_visible()
