"""The app runs under its Content-Security-Policy (no inline script or style): a trainer's
day, the check-in QR code, a trainee's check-in, the coordinator's office with its charts
and the status page, with every policy violation the browser reports caught."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, ViewportSize, expect

from tests.e2e.conftest import Register
from tests.e2e.office import DESKTOP_VIEWPORT, Desk
from tests.e2e.phone import PHONE_VIEWPORT, Phone
from tests.e2e.trainee_phone import TraineePhone, attendees_today, current_token

pytestmark = pytest.mark.browser

# Runs in every page before the app's own scripts, as the browser's DevTools inject it (so
# the policy does not apply to it), and reports each violation to the test.
WATCH = """document.addEventListener('securitypolicyviolation', (e) => {
  window.cspViolation(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`);
}, true);"""


class Violations(list[str]):
    """What the browser refused under the policy, from events and from its console."""

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.expose_function("cspViolation", self._report)
        context.add_init_script(WATCH)
        context.on("console", lambda message: self._console(message.text))
        return context

    def _report(self, text: str) -> None:
        self.append(text)

    def _console(self, text: str) -> None:
        if "Content Security Policy" in text or "Content-Security-Policy" in text:
            self.append(f"console: {text}")


@pytest.fixture
def violations() -> Violations:
    return Violations()


@pytest.fixture
def watched(browser: Browser, register: Register, violations: Violations) -> Iterator[Any]:
    """Open a watched browser window at phone or desktop size, the app at its start."""
    contexts: list[BrowserContext] = []

    def open_window(viewport: dict[str, int] = PHONE_VIEWPORT) -> BrowserContext:
        size: ViewportSize = {"width": viewport["width"], "height": viewport["height"]}
        context = violations.watch(browser.new_context(
            viewport=size, timezone_id="Asia/Ho_Chi_Minh", locale="vi-VN", service_workers="allow"))
        contexts.append(context)
        return context

    yield open_window
    for context in contexts:
        context.close()


def open_phone(context: BrowserContext, register: Register, user: str) -> Phone:
    page = context.new_page()
    page.goto(register.url)
    return Phone(context, page, register.url, user)


def test_the_watch_catches_what_the_policy_blocks(register: Register, watched: Any, violations: Violations) -> None:
    page = watched().new_page()
    page.goto(register.url)
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.evaluate("const s = document.createElement('script'); s.textContent = '1'; document.body.append(s)")
    expect(page.locator("#app")).not_to_be_empty()
    page.wait_for_function("document.querySelectorAll('p[style]').length === 1")
    page.wait_for_timeout(200)
    assert any("style-src" in v for v in violations), violations
    assert any("script-src" in v for v in violations), violations


def test_a_trainers_day_runs_under_the_policy(register: Register, watched: Any, violations: Violations) -> None:
    phone = open_phone(watched(), register, "tuan.trainer")
    expect(phone.page.locator("#code")).to_be_visible()
    phone.enrol(register.codes["tuan.trainer"])
    phone.get_ready()
    phone.open_first_session_today()
    trainee = phone.roster_trainees(1)[0]
    phone.mark(trainee, "Có mặt")
    phone.page.locator('[data-testid="roster-row"] a.name').first.click()
    skill = phone.page.get_by_test_id("skill").first
    skill.locator('button[data-level="2"]').click()
    expect(skill).to_have_attribute("data-level", "2")
    phone.page.go_back()
    phone.page.get_by_test_id("open-checkin").click()
    expect(phone.page.get_by_test_id("checkin-qr")).to_be_visible()
    phone.page.go_back()
    phone.sync_now()
    phone.expect_pending(0)
    phone.open_sync_screen()
    phone.reopen()
    expect(phone.page.get_by_test_id("sync-bar")).to_be_visible()
    assert violations == []


def test_a_trainees_check_in_runs_under_the_policy(register: Register, watched: Any, violations: Violations) -> None:
    person = attendees_today(register)[0]
    context = watched()
    page = context.new_page()
    trainee = TraineePhone(context, page, register.url, TraineePhone._add_authenticator(context, page))
    trainee.scan(current_token(register, person.session_id))
    trainee.pick(person)
    trainee.type_birth_year(person.birth_year)
    trainee.create_passkey()
    trainee.confirm()
    trainee.expect_state("sent")
    assert violations == []


def test_the_office_and_the_status_page_run_under_the_policy(
        register: Register, watched: Any, violations: Violations) -> None:
    context = watched(DESKTOP_VIEWPORT)
    desk = Desk(context, context.new_page(), register.url, "lan.laocai")
    desk.page.goto(register.url)
    desk.sign_in(register.codes["lan.laocai"])
    desk.open_office()
    expect(desk.page.locator("canvas").first).to_be_visible()
    tabs = desk.page.locator(".office-tabs a")
    for n in range(tabs.count()):
        tabs.nth(n).click()
        expect(tabs.nth(n)).to_have_attribute("aria-current", "page")
        desk.page.wait_for_load_state("networkidle")
    desk.page.goto(f"{register.url}/status")
    expect(desk.page.get_by_role("heading", name="FieldRoll")).to_be_visible()
    assert desk.page.evaluate("getComputedStyle(document.body).maxWidth") != "none"
    assert violations == []
