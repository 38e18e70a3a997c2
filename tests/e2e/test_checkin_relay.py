"""The whole check-in in a village hall with no signal: the trainer's phone shows the code,
the trainee's phone (passkey made at an earlier online moment) signs the confirmation and
shows it as a QR code, the trainer's phone photographs it, and the trainer's sync brings a
verified confirmation to the server; the trainee's own copy later is the same confirmation.
A trainer's "absent" for that trainee becomes a conflict to review, not an overwrite."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from server.extensions import db
from server.models import Attendance, Conflict, OpLog, Trainee
from tests.e2e.conftest import Register
from tests.e2e.phone import Phone
from tests.e2e.test_trainer_checkin_qr import open_checkin, session_id_of, shown_token
from tests.e2e.trainee_phone import Attendee, TraineePhone, confirmation_on_server

pytestmark = pytest.mark.browser


def someone_with_a_birth_year(register: Register, session_id: str, trainee_ids: list[str]) -> Attendee:
    def find() -> Attendee:
        trainee = db.session.query(Trainee).filter(Trainee.id.in_(trainee_ids), Trainee.birth_year.is_not(None)) \
            .order_by(Trainee.full_name).first()
        assert trainee is not None, "nobody on the roster has a birth year"
        return Attendee(session_id, trainee.id, trainee.full_name, trainee.birth_year)

    found: Attendee = register.query(find)
    return found


@pytest.fixture
def trainee_phone(browser: Browser, register: Register) -> Iterator[TraineePhone]:
    phone = TraineePhone.open(browser, register.url, authenticator=True, pixel_ratio=3)
    yield phone
    phone.close()


def test_offline_passkey_confirmation_relayed_by_the_trainer_is_verified(
        register: Register, trainer_at_roster: Phone, trainee_phone: TraineePhone, tmp_path: Path) -> None:
    trainer, trainee = trainer_at_roster, trainee_phone
    on_roster = trainer.roster_trainees(trainer.page.get_by_test_id("roster-row").count())
    person = someone_with_a_birth_year(register, session_id_of(trainer), on_roster)

    # At an earlier online moment the trainee's phone was shown a code and made a passkey.
    session_id = open_checkin(trainer)
    trainee.scan(str(shown_token(trainer, register)))
    trainee.pick(person)
    trainee.type_birth_year(person.birth_year)
    trainee.create_passkey()
    trainee.wait_for_app_stored()

    # In the hall: no signal on either phone. The trainer marks the trainee absent by mistake.
    trainer.go_offline()
    trainee.context.set_offline(True)
    trainer.page.get_by_test_id("back-to-roster").click()
    trainer.mark(person.trainee_id, "Vắng")
    open_checkin(trainer)
    trainee.reopen(f"/#/checkin/{shown_token(trainer, register)}")
    trainee.see(person.name)  # the phone remembers whose it is: only the birth year is asked
    trainee.type_birth_year(person.birth_year)
    trainee.confirm()
    trainee.expect_state("pending")
    picture = trainee.photograph_relay(tmp_path / "relay.png")

    trainer.page.get_by_test_id("relay-photo").set_input_files(str(picture))
    result = trainer.page.get_by_test_id("relay-result")
    expect(result).to_have_attribute("data-ok", "true", timeout=20_000)
    trainer.expect_pending(2)
    assert confirmation_on_server(register, session_id, person.trainee_id) is None

    # Back in signal, the trainer's sync carries the trainee's signed confirmation.
    trainer.go_online()
    trainer.expect_pending(0)
    confirmation = confirmation_on_server(register, session_id, person.trainee_id)
    assert confirmation is not None
    assert (confirmation.method, confirmation.verification) == ("passkey", "verified")
    attendance = register.query(lambda: db.session.query(Attendance).filter_by(
        session_id=session_id, trainee_id=person.trainee_id).one())
    assert attendance.status == "absent", "the trainer's mark is kept as it was"
    review = register.query(lambda: db.session.query(Conflict).filter_by(
        record_id=attendance.id, cause="confirmation").one())
    assert review.resolved_at is None and (review.winner_value, review.loser_value) == ("absent", "confirmed")
    trainer.page.get_by_test_id("back-to-roster").click()
    badge = trainer.page.locator(
        f'[data-testid="roster-row"][data-trainee="{person.trainee_id}"] [data-testid="confirmation"]')
    expect(badge).to_have_attribute("data-state", "verified", timeout=20_000)
    trainer.open_sync_screen()
    expect(trainer.page.locator('[data-testid="conflict"][data-cause="confirmation"]')).to_have_count(1)
    trainer.screenshot("conflict-absent-confirmed")

    # The trainee's phone gets signal later and sends its own copy: still one confirmation.
    trainee.context.set_offline(False)
    trainee.reopen()
    trainee.expect_card("sent")
    ops = register.query(lambda: db.session.query(OpLog).filter_by(record_id=confirmation.id).count())
    assert ops == 1

    # The trainer sees the conflict on the roster row too, and keeps "absent" on purpose: that
    # tap answers the conflict, so the server closes it instead of leaving it to a coordinator.
    trainer.page.go_back()
    row = trainer.page.locator(f'[data-testid="roster-row"][data-trainee="{person.trainee_id}"]')
    expect(row.get_by_test_id("row-conflict")).to_have_attribute("data-cause", "confirmation", timeout=20_000)
    trainer.mark(person.trainee_id, "Vắng")
    deadline = time.monotonic() + 30
    while not register.query(lambda: db.session.get(Conflict, review.id).resolved_at is not None):
        assert time.monotonic() < deadline, "the trainer's second 'absent' did not close the conflict"
        time.sleep(0.2)
    trainer.sync_now()
    expect(row.get_by_test_id("row-conflict")).to_have_count(0, timeout=20_000)
