"""The trainer's check-in QR code, made on the phone with no signal, is one the server accepts
and changes with each time window; and a trainee's confirmation brought as a QR code (a
photo of it) is kept verbatim and reaches the server with the trainer's next sync."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from server.checkins.secrets import session_secret
from server.extensions import db
from server.models import Confirmation, OpLog
from sync.checkin import CheckinToken, parse_checkin_token, token_is_genuine, window_of
from tests.e2e.conftest import Register
from tests.e2e.phone import Phone
from tests.e2e.staff import confirmation_op, outbox_ops, relay_picture

pytestmark = pytest.mark.browser


def session_id_of(phone: Phone) -> str:
    match = re.search(r"#/session/([0-9a-f-]{36})", phone.page.url)
    assert match, phone.page.url
    return match.group(1)


def shown_token(phone: Phone, register: Register) -> CheckinToken:
    """The token in the QR code on screen, read from the URL it holds."""
    qr = phone.page.get_by_test_id("checkin-qr")
    expect(qr).to_be_visible()
    url = qr.get_attribute("data-text") or ""
    prefix = f"{register.url}/#/checkin/"
    assert url.startswith(prefix), url
    token = parse_checkin_token(url[len(prefix):])
    assert token is not None, url
    return token


def genuine(register: Register, token: CheckinToken) -> bool:
    return bool(register.query(lambda: token_is_genuine(session_secret(token.session_id), token)))


def open_checkin(phone: Phone) -> str:
    session_id = session_id_of(phone)
    phone.page.get_by_test_id("open-checkin").click()
    expect(phone.page).to_have_url(re.compile(rf"#/session/{session_id}/checkin$"))
    return session_id


def test_the_check_in_code_is_genuine_and_changes_with_the_window(register: Register, trainer_at_roster: Phone) -> None:
    phone = trainer_at_roster
    phone.go_offline()  # made on the phone: no request is needed
    before = window_of(int(time.time() * 1000))
    session_id = open_checkin(phone)
    token = shown_token(phone, register)
    after = window_of(int(time.time() * 1000))
    assert token.session_id == session_id
    assert before <= token.window <= after, "the window of the server's time (the offset is ~0 here)"
    assert genuine(register, token)
    expect(phone.page.get_by_test_id("checkin-countdown")).to_contain_text(re.compile(r"Mã mới sau [0-3]:[0-5]\d"))
    phone.screenshot("checkin-qr")

    # Three minutes later, by the phone's clock, the code is the next window's.
    phone.page.clock.install()
    phone.page.reload()
    first = shown_token(phone, register)
    phone.page.clock.fast_forward("03:00")
    expect(phone.page.get_by_test_id("checkin-code")).to_have_attribute("data-window", str(first.window + 1))
    second = shown_token(phone, register)
    assert second.window == first.window + 1 and second.mac != first.mac
    assert genuine(register, second)


def test_a_session_never_synced_asks_for_a_sync_first(register: Register, trainer_at_roster: Phone) -> None:
    phone = trainer_at_roster
    session_id = session_id_of(phone)
    # As for a session made on this phone and not yet synced: its secret is not here yet.
    phone.page.evaluate("""async (id) => {
      const db = await new Promise((ok) => {
        const r = indexedDB.open('fieldroll'); r.onsuccess = () => ok(r.result);
      });
      const tx = db.transaction('view', 'readwrite');
      const store = tx.objectStore('view');
      const row = await new Promise((ok) => {
        const r = store.get(['session', id]); r.onsuccess = () => ok(r.result);
      });
      delete row.fields.checkin_secret;
      store.put(row);
      await new Promise((ok) => { tx.oncomplete = ok; });
    }""", session_id)
    phone.go_offline()
    phone.page.reload()
    open_checkin(phone)
    expect(phone.page.get_by_test_id("checkin-no-secret")).to_contain_text("Hãy đồng bộ một lần khi có mạng")
    expect(phone.page.get_by_test_id("relay-photo")).to_be_attached()  # relays need no secret
    expect(phone.page.get_by_test_id("back-to-roster")).to_be_visible()


def test_a_relayed_confirmation_is_kept_verbatim_and_reaches_the_server(register: Register, trainer_at_roster: Phone,
                                                                       tmp_path: Path) -> None:
    phone = trainer_at_roster
    row = phone.page.get_by_test_id("roster-row").first
    trainee_id = row.get_attribute("data-trainee") or ""
    name = row.locator("a.name").inner_text().strip().rstrip("↑").strip()
    session_id = open_checkin(phone)
    token = shown_token(phone, register)

    # The trainee's phone, with no signal, made this op and shows it as a QR code.
    op = confirmation_op(session_id, trainee_id, str(token))
    phone.go_offline()
    phone.page.get_by_test_id("relay-photo").set_input_files(str(relay_picture(op, tmp_path / "relay.png")))
    result = phone.page.get_by_test_id("relay-result")
    expect(result).to_have_attribute("data-ok", "true", timeout=20_000)
    expect(result).to_contain_text(f"Đã lưu: {name} đã xác nhận")
    expect(phone.page.get_by_test_id("confirmed-count")).to_have_attribute("data-count", "1")
    phone.screenshot("relay-saved")
    assert outbox_ops(phone.page) == [op], "kept unchanged: same op id, clock and fields"

    # The same code again is not kept twice.
    phone.page.get_by_test_id("relay-photo").set_input_files(str(tmp_path / "relay.png"))
    expect(result).to_contain_text("đã có trên máy này")
    assert len(outbox_ops(phone.page)) == 1

    phone.page.get_by_test_id("back-to-roster").click()
    badge = phone.page.locator(f'[data-testid="roster-row"][data-trainee="{trainee_id}"] [data-testid="confirmation"]')
    expect(badge).to_have_attribute("data-state", "pending")
    expect(phone.page.get_by_test_id("roster-confirmed")).to_have_attribute("data-count", "1")

    phone.go_online()  # the app syncs as soon as the signal is back
    phone.expect_pending(0)
    assert register.query(lambda: db.session.get(OpLog, op["op_id"]) is not None)
    stored = register.query(lambda: db.session.get(Confirmation, op["id"]))
    assert (stored.session_id, stored.trainee_id, stored.verification) == (session_id, trainee_id, "unverified")
    expect(badge).to_have_attribute("data-state", "unverified")
    phone.screenshot("roster-confirmed")
