"""A course is taken off a trainer: at the phone's next sync, the course, its sessions and the
trainees seen only through it leave the phone (their names with them), and its other courses stay."""

from __future__ import annotations

import json
import uuid

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from server import admin
from server.extensions import db
from server.models import Course, CourseSession, Enrollment, Trainee, User
from server.sync_api.push import next_server_hlc
from tests.e2e.conftest import Register
from tests.e2e.phone import Phone
from tests.e2e.staff import READ_DATABASE
from tests.e2e.test_trainer_checkin_qr import session_id_of

pytestmark = pytest.mark.browser


def take_course_off(register: Register, session_id: str) -> tuple[tuple[str, str], list[str], list[str]]:
    """Take the session's course off tuan.trainer as a coordinator's edit would; return the course's
    id and title, the names seen only through it, and the titles of the trainer's other courses."""

    def change() -> tuple[tuple[str, str], list[str], list[str]]:
        trainer = db.session.scalar(select(User).where(User.name == "tuan.trainer"))
        session = db.session.get(CourseSession, session_id)
        assert trainer is not None and session is not None
        course = db.session.get(Course, session.course_id)
        assert course is not None
        others = [c for c in db.session.scalars(select(Course))
                  if trainer.id in (c.trainer_ids or []) and c.id != course.id]
        kept = set(db.session.scalars(select(Enrollment.trainee_id).where(
            Enrollment.course_id.in_([c.id for c in others]))))
        leaving = [t.full_name for t in db.session.scalars(select(Trainee).join(
            Enrollment, Enrollment.trainee_id == Trainee.id).where(Enrollment.course_id == course.id))
            if t.id not in kept]
        admin.apply_as_server([{
            "op_id": str(uuid.uuid4()), "entity": "course", "id": course.id, "hlc": next_server_hlc(), "kind": "upsert",
            "fields": {"trainer_ids": [t for t in course.trainer_ids if t != trainer.id]}, "base_rev": course.rev}])
        return (course.id, course.title), leaving, [c.title for c in others]

    result: tuple[tuple[str, str], list[str], list[str]] = register.query(change)
    return result


def test_a_course_taken_off_the_trainer_leaves_the_phone(register: Register, trainer_at_roster: Phone) -> None:
    trainer = trainer_at_roster
    (course_id, title), leaving, others = take_course_off(register, session_id_of(trainer))
    assert leaving and others, "the demo trainer has another course, and trainees only in this one"
    before = json.dumps(trainer.page.evaluate(READ_DATABASE), ensure_ascii=False)
    assert title in before and all(name in before for name in leaving)

    trainer.sync_now()
    trainer.wait_until_idle()
    trainer.page.goto(register.url)
    kept = json.dumps(trainer.page.evaluate(READ_DATABASE), ensure_ascii=False)
    assert course_id not in kept, "the course, its sessions, marks and enrolments are gone"
    assert not [name for name in leaving if name in kept], "no name seen only through that course stays"
    assert all(title in kept for title in others), "the trainer's other courses stay"
    expect(trainer.page.get_by_text(title)).to_have_count(0)
