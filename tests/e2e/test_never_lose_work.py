"""A trainer cannot throw away unsent work by signing out, and can read the app in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.phone import Phone

pytestmark = pytest.mark.browser


def test_sign_out_is_refused_while_taps_are_unsent(trainer_at_roster: Phone) -> None:
    phone = trainer_at_roster
    phone.mark_offline(1)
    phone.open_sync_screen()
    phone.page.get_by_test_id("sign-out").click()
    expect(phone.page.get_by_role("status")).to_contain_text("Không thể đăng xuất: còn 1 thao tác chưa gửi")
    phone.reopen()
    phone.expect_pending(1)
    expect(phone.page.get_by_test_id("course").first).to_be_visible()


def test_the_app_speaks_english_on_request(trainer_at_roster: Phone) -> None:
    phone = trainer_at_roster
    phone.open_sync_screen()
    phone.page.get_by_role("button", name="English").click()
    expect(phone.page.get_by_role("heading", level=1)).to_have_text("Sync")
    phone.page.goto(f"{phone.url}/#/")
    expect(phone.page.get_by_role("heading", name="My courses")).to_be_visible()
    phone.reopen()
    expect(phone.page.get_by_role("heading", name="My courses")).to_be_visible()
