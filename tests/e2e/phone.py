"""A trainer's phone in the browser: a fresh Chromium profile at 360×740, in Vietnam's
time zone, driving the real PWA the way a person does (taps on visible buttons)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext, Page, expect

SCREENS = Path(__file__).resolve().parent / "screens"
PHONE_VIEWPORT = {"width": 360, "height": 740}


class Phone:
    def __init__(self, context: BrowserContext, page: Page, url: str, user: str) -> None:
        self.context = context
        self.page = page
        self.url = url
        self.user = user

    @classmethod
    def open(cls, browser: Browser, url: str, user: str) -> Phone:
        context = browser.new_context(viewport=PHONE_VIEWPORT, timezone_id="Asia/Ho_Chi_Minh", locale="vi-VN",
                                      service_workers="allow", device_scale_factor=1)
        page = context.new_page()
        page.goto(url)
        return cls(context, page, url, user)

    def close(self) -> None:
        self.context.close()

    def enrol(self, code: str) -> None:
        self.page.fill("#code", code)
        self.page.get_by_role("button", name="Đăng ký máy này").click()
        expect(self.page.get_by_test_id("ready-card")).to_be_visible()

    def get_ready(self) -> None:
        self.page.get_by_test_id("get-ready").click()
        expect(self.page.get_by_test_id("ready-card")).to_have_attribute("data-ready", "true", timeout=30_000)
        # The app is stored only once the service worker controls the page.
        self.page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)

    def go_offline(self) -> None:
        self.context.set_offline(True)

    def go_online(self) -> None:
        self.context.set_offline(False)

    def reopen(self) -> None:
        """Close the app and open it again from the home screen icon."""
        self.page.close()
        self.page = self.context.new_page()
        self.page.goto(self.url)

    def open_first_session_today(self) -> None:
        self.page.get_by_test_id("today-session").first.click()
        expect(self.page.get_by_test_id("roster-row").first).to_be_visible()

    def pending(self) -> int:
        return int(self.page.get_by_test_id("pending-count").get_attribute("data-pending") or "-1")

    def expect_pending(self, count: int, timeout: float = 30_000) -> None:
        expect(self.page.get_by_test_id("pending-count")).to_have_attribute("data-pending", str(count), timeout=timeout)

    def sync_now(self) -> None:
        self.page.get_by_test_id("sync-now").click()

    def open_sync_screen(self) -> None:
        self.page.get_by_test_id("sync-bar").locator("a.sync-summary").click()
        expect(self.page.get_by_test_id("sync-pending")).to_be_visible()

    def wait_until_idle(self) -> None:
        """Wait for the sync under way, if any, to end."""
        expect(self.page.get_by_test_id("sync-bar")).to_have_attribute("data-running", "false", timeout=60_000)

    def roster_trainees(self, count: int) -> list[str]:
        """The ids of the first `count` trainees on the roster on screen."""
        rows = self.page.get_by_test_id("roster-row")
        return [rows.nth(i).get_attribute("data-trainee") or "" for i in range(count)]

    def mark_offline(self, count: int, status_label: str = "Có mặt") -> list[str]:
        """Lose signal, then mark the first `count` trainees of the roster on screen."""
        self.go_offline()
        trainees = self.roster_trainees(count)
        for trainee in trainees:
            self.mark(trainee, status_label)
        self.expect_pending(count)
        return trainees

    def mark(self, trainee_id: str, status_label: str) -> None:
        row = self.page.locator(f'[data-testid="roster-row"][data-trainee="{trainee_id}"]')
        row.get_by_role("button", name=re.compile(status_label)).click()

    def screenshot(self, name: str) -> Path:
        SCREENS.mkdir(exist_ok=True)
        path = SCREENS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path
