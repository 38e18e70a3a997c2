"""A trainee asks what is kept about them, then to be forgotten: the coordinator hands them a copy,
erases them, and the trainer's phone drops their name at its next sync while the marks stay."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select

from server.extensions import db
from server.models import Attendance, Trainee
from tests.e2e.conftest import Register
from tests.e2e.office import Desk, mark_first_and_sync
from tests.e2e.phone import Phone

pytestmark = pytest.mark.browser


def test_a_coordinator_gives_a_copy_then_erases_and_the_phone_forgets(register: Register, trainer_at_roster: Phone,
                                                                     browser: Browser) -> None:
    trainer = trainer_at_roster
    on_roster = trainer.page.get_by_test_id("roster-row").count()
    session_id, trainee, course = mark_first_and_sync(register, trainer, "Có mặt")
    name = course["trainees"][trainee]["full_name"]

    desk = Desk.open_desk(browser, register)
    desk.sign_in(register.codes["lan.laocai"])
    desk.open_office("courses")
    page = desk.page
    page.locator(f'[data-testid="office-course"][data-course="{course["id"]}"]').click()
    page.locator(f'[data-testid="office-grid-row"][data-trainee="{trainee}"]').get_by_test_id(
        "office-trainee-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)

    _, data = desk.download("trainee-copy")
    copy = json.loads(data)
    assert copy["trainee"]["full_name"] == name
    assert (session_id, "present") in [(a["session_id"], a["status"]) for a in copy["attendance"]]

    erase = page.get_by_test_id("trainee-erase")
    expect(erase).to_be_disabled()  # not before the coordinator says the trainee asked
    page.get_by_test_id("trainee-erase-asked").check()
    erase.click()
    expect(page.get_by_test_id("trainee-erased")).to_be_visible()

    def server_side() -> tuple[str | None, bool, int]:
        person = db.session.get(Trainee, trainee)
        assert person is not None
        marks = db.session.scalars(select(Attendance.status).where(Attendance.trainee_id == trainee)).all()
        return person.full_name, person.erased_at is not None, len(marks)

    marks_before = len(copy["attendance"])
    assert register.query(server_side) == (None, True, marks_before)

    trainer.sync_now()
    trainer.wait_until_idle()
    trainer.page.reload()
    expect(trainer.page.get_by_test_id("roster-row")).to_have_count(on_roster - 1)
    # Nothing on the phone still names them: not its records, its view, its outbox.
    kept = trainer.page.evaluate("""async () => {
        const open = indexedDB.open('fieldroll');
        const db = await new Promise((ok, fail) => { open.onsuccess = () => ok(open.result); open.onerror = fail; });
        const stores = [...db.objectStoreNames];
        const rows = await Promise.all(stores.map((name) => new Promise((ok) => {
            const all = db.transaction(name).objectStore(name).getAll();
            all.onsuccess = () => ok(all.result);
        })));
        db.close();
        return JSON.stringify(rows);
    }""")
    assert name not in kept
