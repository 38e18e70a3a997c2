"""The phone's storage fills up mid-session: the trainer is told, and nothing saved is lost.

The edge of the world, and why it is faked: Chromium's own quota cannot be forced here.
`Storage.overrideQuotaForOrigin` over a CDP session on the page (Chromium 156, Playwright
1.65, both a fresh and a persistent context) answers `{}` but changes nothing:
`navigator.storage.estimate()` still reports about 10 GiB and a 500 KB write of random
bytes over a quota set 50 KB above usage still succeeds; from the browser's CDP session it
answers "Internal error". So an init script makes IndexedDB's `add` and `put` throw the
browser's own `QuotaExceededError` DOMException while a switch is on: everything from the
app's `recordOps` up (the aborted transaction, the error banner, the outbox) is real.
The service worker is not touched by init scripts; the phone stays offline while full, so
it does not sync meanwhile.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, expect
from sqlalchemy import select

from server.extensions import db
from server.models import Attendance, OpLog
from tests.e2e.faults.conftest import FaultyRegister as Register
from tests.e2e.phone import Phone

pytestmark = pytest.mark.browser

FULL_DISK = """
(() => {
  for (const name of ['add', 'put']) {
    const real = IDBObjectStore.prototype[name];
    IDBObjectStore.prototype[name] = function (...args) {
      if (globalThis.__fieldrollDiskFull === true) {
        throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      }
      return real.apply(this, args);
    };
  }
})();
"""
QUOTA_MESSAGE = "Bộ nhớ máy đã đầy nên CHƯA lưu được"


def row(phone: Phone, trainee: str) -> Locator:
    return phone.page.locator(f'[data-testid="roster-row"][data-trainee="{trainee}"]')


def set_disk_full(phone: Phone, full: bool) -> None:
    phone.page.evaluate(f"globalThis.__fieldrollDiskFull = {'true' if full else 'false'}")


def test_a_full_phone_says_so_and_keeps_what_was_saved(register: Register, trainer_at_roster: Phone) -> None:
    phone = trainer_at_roster
    phone.context.add_init_script(script=FULL_DISK)
    phone.page.reload()
    expect(phone.page.get_by_test_id("roster-row").first).to_be_visible()
    session_id = phone.page.url.rsplit("/", 1)[-1]  # the roster on screen: #/session/<id>
    first, second = phone.roster_trainees(2)
    # The last name on the roster: the page is scrolled down when that tap fails.
    third = phone.page.get_by_test_id("roster-row").last.get_attribute("data-trainee") or ""
    phone.go_offline()
    phone.mark(first, "Có mặt")
    phone.mark(second, "Có mặt")
    phone.expect_pending(2)

    set_disk_full(phone, True)
    phone.mark(third, "Có mặt")
    banner = phone.page.get_by_role("alert")
    expect(banner).to_contain_text(QUOTA_MESSAGE)
    expect(banner).to_be_in_viewport()  # told where the tap was made, not at the top of the page
    phone.screenshot("storage-full")
    expect(row(phone, third)).to_have_attribute("data-status", "")  # not shown as saved
    phone.expect_pending(2)

    # Space is freed; the trainer closes and reopens the app, still with no signal.
    phone.reopen()
    phone.open_first_session_today()
    expect(row(phone, first)).to_have_attribute("data-status", "present")
    expect(row(phone, second)).to_have_attribute("data-status", "present")
    expect(row(phone, third)).to_have_attribute("data-status", "")
    phone.expect_pending(2)
    phone.mark(third, "Có mặt")  # tapped again, now that it can be kept
    phone.expect_pending(3)

    phone.go_online()
    phone.sync_now()
    phone.expect_pending(0)

    def on_server() -> tuple[list[tuple[str | None, str | None]], int]:
        marks = db.session.execute(select(Attendance.trainee_id, Attendance.status).where(
            Attendance.trainee_id.in_([first, second, third]), Attendance.session_id == session_id)).all()
        ops = db.session.scalars(select(OpLog).where(OpLog.device_id.is_not(None))).all()
        return sorted((trainee, status) for trainee, status in marks), len(ops)

    assert register.query(on_server) == (sorted((t, "present") for t in (first, second, third)), 3)
