"""A trainee checks in on their own phone: online with a passkey (verified on the server),
and offline without one (the relay QR code, then sent when the phone has signal again)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from sync.checkin import decode_relay
from sync.ops import Op, parse_op
from tests.e2e.conftest import Register
from tests.e2e.trainee_phone import TraineePhone, attendees_today, confirmation_on_server, current_token

pytestmark = pytest.mark.browser


@pytest.fixture
def trainee_phones(browser: Browser, register: Register) -> Iterator[list[TraineePhone]]:
    phones: list[TraineePhone] = []
    yield phones
    for phone in phones:
        phone.close()


def test_online_with_a_passkey_the_confirmation_is_verified(
        browser: Browser, register: Register, trainee_phones: list[TraineePhone]) -> None:
    person = attendees_today(register)[0]
    phone = TraineePhone.open(browser, register.url, authenticator=True)
    trainee_phones.append(phone)

    phone.scan(current_token(register, person.session_id))
    expect(phone.page.get_by_test_id("checkin-name").first).to_be_visible()
    phone.screenshot("checkin-names")
    phone.pick(person)
    phone.type_birth_year(person.birth_year)
    expect(phone.page.get_by_test_id("passkey-offer")).to_be_visible()
    phone.screenshot("checkin-passkey")
    phone.create_passkey()
    phone.confirm()
    phone.expect_state("sent")
    phone.screenshot("checkin-sent")

    confirmation = confirmation_on_server(register, person.session_id, person.trainee_id)
    assert confirmation is not None
    assert confirmation.method == "passkey"
    assert (confirmation.verification, confirmation.verification_reason) == ("verified", None)


def test_when_the_passkey_fails_the_trainee_can_confirm_without_it(
        browser: Browser, register: Register, trainee_phones: list[TraineePhone]) -> None:
    person = attendees_today(register)[2]
    phone = TraineePhone.open(browser, register.url, authenticator=True)
    trainee_phones.append(phone)
    phone.scan(current_token(register, person.session_id))
    phone.pick(person)
    phone.type_birth_year(person.birth_year)
    phone.create_passkey()
    phone.lose_passkeys()
    phone.confirm()
    expect(phone.page.get_by_test_id("confirm-without-passkey")).to_be_visible(timeout=30_000)
    phone.screenshot("checkin-passkey-failed")
    phone.page.get_by_test_id("confirm-without-passkey").click()
    phone.expect_state("sent")
    confirmation = confirmation_on_server(register, person.session_id, person.trainee_id)
    assert confirmation is not None
    assert (confirmation.method, confirmation.verification) == ("unverified", "unverified")


def test_offline_the_relay_code_carries_it_and_it_goes_up_later(
        browser: Browser, register: Register, trainee_phones: list[TraineePhone]) -> None:
    person = attendees_today(register)[1]
    phone = TraineePhone.open(browser, register.url)
    trainee_phones.append(phone)
    token = current_token(register, person.session_id)

    # One visit with signal: the app and the list of names stay on the phone.
    phone.scan(token)
    expect(phone.page.get_by_test_id("checkin-name").first).to_be_visible()
    phone.wait_for_app_stored()

    phone.context.set_offline(True)
    phone.reopen(f"/#/checkin/{token}")
    expect(phone.page.get_by_test_id("checkin-offline")).to_be_visible(timeout=20_000)
    phone.pick(person)
    phone.type_birth_year(person.birth_year - 1)
    expect(phone.page.get_by_role("alert")).to_be_visible()
    phone.type_birth_year(person.birth_year)
    expect(phone.page.get_by_test_id("passkey-offer")).to_have_count(0)
    phone.confirm()
    phone.expect_state("pending")
    phone.screenshot("checkin-relay")

    op = decode_relay(phone.relay_text())
    assert op is not None
    parsed = parse_op(op, int(time.time() * 1000))
    assert isinstance(parsed, Op), parsed
    assert op["fields"]["session_id"] == person.session_id
    assert op["fields"]["trainee_id"] == person.trainee_id
    assert op["fields"]["method"] == "unverified"
    assert op["fields"]["proof"]["token"] == token
    assert confirmation_on_server(register, person.session_id, person.trainee_id) is None

    phone.page.get_by_test_id("checkin-done").click()
    phone.expect_card("pending")

    phone.context.set_offline(False)
    phone.reopen()
    phone.expect_card("sent")
    phone.screenshot("checkin-home")
    confirmation = confirmation_on_server(register, person.session_id, person.trainee_id)
    assert confirmation is not None
    assert confirmation.verification == "unverified"


def test_an_old_code_says_to_scan_the_current_one(
        browser: Browser, register: Register, trainee_phones: list[TraineePhone]) -> None:
    person = attendees_today(register)[3]
    phone = TraineePhone.open(browser, register.url)
    trainee_phones.append(phone)
    # Refused by the server (no longer current), and the phone has no names of its own.
    phone.scan(current_token(register, person.session_id, minutes_ago=10))
    expect(phone.page.get_by_test_id("checkin-expired")).to_be_visible(timeout=20_000)
    # Past the grace too: the phone says so itself, before asking anything.
    phone.scan(current_token(register, person.session_id, minutes_ago=30))
    expect(phone.page.get_by_test_id("checkin-expired")).to_be_visible()
    phone.screenshot("checkin-expired")
    phone.page.get_by_test_id("checkin-start").click()
    expect(phone.page.get_by_test_id("checkin-home")).to_be_visible()
