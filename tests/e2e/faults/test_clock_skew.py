"""Phones whose clocks are days wrong: merges follow what each phone saw, not its wall clock.

One trainer's phone runs a day ahead, the other's two days behind (Playwright's clock,
installed before the app loads, so every `Date` the app reads is the phone's own). The
rules are docs/protocol.md §6 (HLC: `tick` per tap, `receive(server_hlc)` after each sync)
and §9.1-9.2 (per-field last writer wins by HLC; a write that loses to one it had not seen is
a conflict, kept for review).
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, ViewportSize, expect
from sqlalchemy import select

from server.extensions import db
from server.models import Attendance, Conflict, Device, OpLog, RejectedOp, User
from tests.e2e.faults.conftest import FaultyRegister as Register
from tests.e2e.phone import PHONE_VIEWPORT, Phone
from tests.e2e.test_two_trainers import ready_phone, shared_session

pytestmark = pytest.mark.browser

DAY_S = 24 * 3600


def phone_with_clock(browser: Browser, register: Register, user: str, skew_s: float) -> Phone:
    """A phone whose clock runs `skew_s` seconds off the true time, from before the app loads."""
    viewport = ViewportSize(width=PHONE_VIEWPORT["width"], height=PHONE_VIEWPORT["height"])
    context = browser.new_context(viewport=viewport, timezone_id="Asia/Ho_Chi_Minh", locale="vi-VN",
                                  service_workers="allow", device_scale_factor=1)
    context.clock.install(time=time.time() + skew_s)
    page = context.new_page()
    page.goto(register.url)
    phone = Phone(context, page, register.url, user)
    register.phones.append(phone)
    return phone


def phone_now_s(phone: Phone) -> float:
    return float(phone.page.evaluate("Date.now()")) / 1000


def row(phone: Phone, trainee: str) -> Locator:
    return phone.page.locator(f'[data-testid="roster-row"][data-trainee="{trainee}"]')


def ops_by_user(register: Register, record_id: str) -> list[tuple[str, str, str]]:
    """(user name, status, hlc) of every op the server holds for the record, in HLC order."""

    def read() -> list[tuple[str, str, str]]:
        rows = db.session.execute(
            select(User.name, OpLog.fields, OpLog.hlc).join(Device, Device.id == OpLog.device_id)
            .join(User, User.id == Device.user_id).where(OpLog.record_id == record_id).order_by(OpLog.hlc))
        return [(name, str(fields["status"]), hlc) for name, fields, hlc in rows]

    ops: list[tuple[str, str, str]] = register.query(read)
    return ops


def test_skewed_clocks_merge_by_what_each_phone_saw(register: Register, browser: Browser) -> None:
    session_id = shared_session(register)
    ahead = phone_with_clock(browser, register, "tuan.trainer", +1 * DAY_S)
    behind = phone_with_clock(browser, register, "mai.trainer", -2 * DAY_S)
    assert phone_now_s(ahead) - time.time() == pytest.approx(DAY_S, abs=120)
    assert phone_now_s(behind) - time.time() == pytest.approx(-2 * DAY_S, abs=120)
    ready_phone(ahead, register.codes["tuan.trainer"], session_id)
    ready_phone(behind, register.codes["mai.trainer"], session_id)
    trainee = ahead.page.get_by_test_id("roster-row").first.get_attribute("data-trainee")
    assert trainee

    # Both offline, neither sees the other. The slow phone taps last, but a later tap on a
    # slower clock is no later to anyone who did not see it: the greater HLC wins (§9.1), and
    # the loser is kept as a conflict (§9.2).
    ahead.go_offline()
    behind.go_offline()
    ahead.mark(trainee, "Có mặt")
    ahead.expect_pending(1)
    behind.mark(trainee, "Vắng")
    behind.expect_pending(1)
    for phone in (ahead, behind):
        phone.go_online()
        phone.sync_now()
        phone.expect_pending(0)

    def attendance() -> tuple[str | None, str]:
        record = db.session.scalars(select(Attendance).where(
            Attendance.session_id == session_id, Attendance.trainee_id == trainee)).one()
        return record.status, record.id

    status, record_id = register.query(attendance)
    assert status == "present"
    (first, first_status, first_hlc), (second, second_status, _) = ops_by_user(register, record_id)
    assert (first, first_status, second, second_status) == ("mai.trainer", "absent", "tuan.trainer", "present")

    def conflicts() -> list[tuple[Any, Any, bool]]:
        return [(c.winner_value, c.loser_value, c.resolved_at is not None)
                for c in db.session.scalars(select(Conflict).where(Conflict.record_id == record_id))]

    assert register.query(conflicts) == [("present", "absent", False)]
    ahead.sync_now()  # it synced first, so only now hears of the slow phone's mark and the conflict
    ahead.wait_until_idle()
    for phone in (ahead, behind):
        expect(row(phone, trainee)).to_have_attribute("data-status", "present", timeout=20_000)
        expect_conflicts(phone, session_id, 1)

    # The slow phone has pulled the fast phone's mark. Its next tap saw that mark, so it wins
    # though its wall clock is three days behind the other's, and settles the conflict.
    behind.go_offline()  # so the tap is seen waiting before it goes up
    behind.mark(trainee, "Muộn")
    behind.expect_pending(1)
    behind.go_online()
    behind.sync_now()
    behind.expect_pending(0)
    behind.wait_until_idle()

    assert register.query(attendance) == ("late", record_id)
    ops = ops_by_user(register, record_id)
    assert [(name, value) for name, value, _ in ops] == [
        ("mai.trainer", "absent"), ("tuan.trainer", "present"), ("mai.trainer", "late")]
    late_hlc = ops[2][2]
    assert int(late_hlc[:13]) / 1000 > time.time() + DAY_S - 300, "it sorts after the fast phone's mark"
    assert int(first_hlc[:13]) / 1000 < time.time(), "an offline tap on a slow clock keeps the time last seen"
    # Nothing lost: every tap is in the op log, and the conflict stays on record, resolved.
    assert register.query(conflicts) == [("present", "absent", True)]

    ahead.sync_now()
    ahead.wait_until_idle()
    for phone in (ahead, behind):
        expect(row(phone, trainee)).to_have_attribute("data-status", "late", timeout=20_000)
        expect_conflicts(phone, session_id, 0)


def expect_conflicts(phone: Phone, session_id: str, count: int) -> None:
    """The sync screen lists `count` open conflicts; then back to the roster."""
    phone.page.goto(f"{phone.url}/#/sync")
    expect(phone.page.get_by_test_id("conflict")).to_have_count(count, timeout=20_000)
    if count:
        expect(phone.page.get_by_test_id("conflict").first).to_contain_text("Giữ “Có mặt”, giá trị khác: “Vắng”")
    phone.page.goto(f"{phone.url}/#/session/{session_id}")
    expect(phone.page.get_by_test_id("roster-row").first).to_be_visible()


def test_a_clock_more_than_30_days_ahead_is_refused_and_kept(register: Register, browser: Browser) -> None:
    """Protocol §6: an op whose HLC is more than 30 days ahead of the server's clock is
    rejected. The phone cannot tell its clock is wrong, so it saves the tap; the server
    refuses it, keeps it with the reason, and the phone shows the reason (§11 rule 7)."""
    phone = phone_with_clock(browser, register, "tuan.trainer", 40 * DAY_S)
    phone.enrol(register.codes["tuan.trainer"])
    phone.get_ready()
    session_id = shared_session(register)
    phone.page.goto(f"{phone.url}/#/session/{session_id}")
    (trainee,) = phone.mark_offline(1)
    expect(row(phone, trainee)).to_have_attribute("data-status", "present")
    phone.go_online()
    phone.sync_now()
    phone.expect_pending(0)

    def server_side() -> tuple[int, list[str]]:
        marks = db.session.scalars(select(Attendance).where(
            Attendance.session_id == session_id, Attendance.trainee_id == trainee)).all()
        device = db.session.scalars(select(Device).join(User, User.id == Device.user_id)
                                    .where(User.name == "tuan.trainer")).one()
        return len(marks), list(db.session.scalars(select(RejectedOp.reason).where(RejectedOp.device_id == device.id)))

    reason = "hlc is more than 30 days ahead of the server clock: fix the device clock"
    assert register.query(server_side) == (0, [reason])
    expect(row(phone, trainee)).to_have_attribute("data-status", "", timeout=20_000)
    phone.page.goto(f"{phone.url}/#/sync")
    expect(phone.page.get_by_test_id("rejection")).to_have_count(1)
    expect(phone.page.get_by_test_id("rejection").first).to_contain_text(reason)

    # The trainer sets the clock right and marks again: taken at once, not refused until
    # real time catches up with the wrong clock (the reply put the phone's HLC back).
    phone.context.clock.set_system_time(time.time())
    phone.page.goto(f"{phone.url}/#/session/{session_id}")
    phone.mark_offline(1)
    phone.go_online()
    phone.sync_now()
    phone.expect_pending(0)
    phone.wait_until_idle()
    assert register.query(server_side) == (1, [reason])

