"""A trainer makes a passkey on their enrolled phone, then signs in with it on a new phone
(the passkey synced to it, as a person's passkeys are), which then works with no signal."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import func, select

from server.extensions import db
from server.models import Device, Passkey, User
from tests.e2e.conftest import Register
from tests.e2e.phone import Phone
from tests.e2e.staff import Authenticator, enrolment

pytestmark = pytest.mark.browser


def devices_of(register: Register, name: str) -> int:
    return register.query(lambda: db.session.scalar(
        select(func.count()).select_from(Device).join(User, User.id == Device.user_id).where(User.name == name)))


def test_a_passkey_made_on_one_phone_enrols_another(register: Register, phone_for, browser: Browser) -> None:
    first = phone_for("tuan.trainer")
    first.enrol(register.codes["tuan.trainer"])
    first.get_ready()
    first_key = Authenticator(first.context, first.page)
    first.open_sync_screen()
    expect(first.page.get_by_test_id("passkey-card")).to_be_visible()
    first.page.get_by_test_id("create-passkey").click()
    expect(first.page.get_by_test_id("passkey-result")).to_have_attribute("data-ok", "true", timeout=20_000)
    first.page.get_by_test_id("passkey-card").scroll_into_view_if_needed()
    first.screenshot("passkey-created")
    [credential] = first_key.credentials()
    assert credential["isResidentCredential"], "a staff passkey must be discoverable: sign-in lists none"
    assert register.query(lambda: db.session.scalar(select(func.count()).select_from(Passkey))) == 1

    second = Phone.open(browser, register.url, "tuan.trainer")
    register.phones.append(second)
    Authenticator(second.context, second.page).add(credential)
    second.screenshot("enrol-passkey")
    second.page.get_by_test_id("passkey-sign-in").click()
    expect(second.page.get_by_test_id("ready-card")).to_be_visible(timeout=20_000)
    assert enrolment(second.page)["user"]["name"] == "tuan.trainer"
    assert enrolment(second.page)["device_id"] != enrolment(first.page)["device_id"]
    assert devices_of(register, "tuan.trainer") == 2

    second.get_ready()
    second.go_offline()
    second.page.reload()
    expect(second.page.get_by_test_id("course").first).to_be_visible()
    second.open_first_session_today()
    second.screenshot("passkey-phone-offline-roster")
    assert second.page.get_by_test_id("roster-row").count() > 0


def test_a_passkey_the_server_no_longer_accepts_enrols_nothing(register: Register, phone_for, browser: Browser) -> None:
    first = phone_for("mai.trainer")
    first.enrol(register.codes["mai.trainer"])
    first_key = Authenticator(first.context, first.page)
    first.open_sync_screen()
    first.page.get_by_test_id("create-passkey").click()
    expect(first.page.get_by_test_id("passkey-result")).to_have_attribute("data-ok", "true", timeout=20_000)
    [credential] = first_key.credentials()

    def revoke_passkeys() -> None:
        for passkey in db.session.scalars(select(Passkey)):
            passkey.revoked_at = passkey.created_at
        db.session.commit()

    register.query(revoke_passkeys)
    second = Phone.open(browser, register.url, "mai.trainer")
    register.phones.append(second)
    Authenticator(second.context, second.page).add(credential)
    second.page.get_by_test_id("passkey-sign-in").click()
    expect(second.page.get_by_role("alert")).to_contain_text("Khóa truy cập này không được nhận", timeout=20_000)
    expect(second.page.locator("#code")).to_be_visible()
    assert devices_of(register, "mai.trainer") == 1
