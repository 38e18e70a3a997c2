"""The coordinator's office in the browser: a desktop-size window for a coordinator, the same
PWA as the trainers' phones, and a look at the server's data the office should show."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Download, expect
from sqlalchemy import select

from server.extensions import db
from server.models import Course, CourseSession, Enrollment, Trainee
from tests.e2e.conftest import Register
from tests.e2e.phone import PHONE_VIEWPORT, SCREENS, Phone

DESKTOP_VIEWPORT = {"width": 1280, "height": 800}
COORDINATOR = "lan.laocai"


class Desk(Phone):
    """A coordinator at a desktop browser (everything a phone does, on a wider screen)."""

    @classmethod
    def open_desk(cls, browser: Browser, register: Register, user: str = COORDINATOR) -> Desk:
        context = browser.new_context(viewport=DESKTOP_VIEWPORT, timezone_id="Asia/Ho_Chi_Minh", locale="vi-VN",
                                      service_workers="allow", device_scale_factor=1, accept_downloads=True)
        page = context.new_page()
        page.goto(register.url)
        desk = cls(context, page, register.url, user)
        register.phones.append(desk)
        return desk

    def sign_in(self, code: str) -> None:
        """Enrol this browser for the coordinator and bring their area's records onto it."""
        self.enrol(code)
        self.get_ready()

    def open_office(self, tab: str = "figures") -> None:
        self.page.goto(f"{self.url}/#/")
        self.page.get_by_test_id("home-office").click()
        expect(self.page.get_by_test_id("office")).to_be_visible()
        if tab != "figures":
            self.page.get_by_test_id(f"office-tab-{tab}").click()

    def both_widths(self, name: str) -> list[Path]:
        """Screenshots at desktop width and at a 360 px phone's, full page."""
        SCREENS.mkdir(exist_ok=True)
        paths = []
        for label, size in (("desktop", DESKTOP_VIEWPORT), ("phone", PHONE_VIEWPORT)):
            self.page.set_viewport_size(size)
            self.page.wait_for_timeout(300)  # charts redraw on resize
            path = SCREENS / f"office-{name}-{label}.png"
            self.page.screenshot(path=str(path), full_page=True)
            paths.append(path)
        self.page.set_viewport_size(DESKTOP_VIEWPORT)
        return paths

    def download(self, test_id: str, nth: int = 0) -> tuple[Download, bytes]:
        with self.page.expect_download() as info:
            self.page.get_by_test_id(test_id).nth(nth).click()
        download = info.value
        path = download.path()
        assert path is not None, download.failure()
        return download, Path(path).read_bytes()


def mark_first_and_sync(register: Register, trainer: Phone, status_label: str) -> tuple[str, str, dict[str, Any]]:
    """Mark the first trainee on the trainer's roster and sync: (session id, trainee id, their course)."""
    session_id = trainer.page.url.split("/session/")[1]
    trainee = trainer.roster_trainees(1)[0]
    trainer.mark(trainee, status_label)
    trainer.sync_now()
    trainer.expect_pending(0)
    return session_id, trainee, course_of_session(register, session_id)


def course_of_session(register: Register, session_id: str) -> dict[str, Any]:
    """The course a session belongs to: its id, title and enrolled trainees."""

    def find() -> dict[str, Any]:
        session = db.session.get(CourseSession, session_id)
        assert session is not None
        course = db.session.get(Course, session.course_id)
        assert course is not None
        trainees = db.session.scalars(select(Trainee).join(Enrollment, Enrollment.trainee_id == Trainee.id)
                                      .where(Enrollment.course_id == course.id, Enrollment.deleted.is_(False))
                                      .order_by(Trainee.full_name)).all()
        return {"id": course.id, "title": course.title, "commune_id": course.commune_id,
                "trainees": {t.id: {"full_name": t.full_name, "birth_year": t.birth_year, "gender": t.gender}
                             for t in trainees}}

    return register.query(find)


def fold(text: str) -> str:
    """Text without accents or case, as someone types it on a keyboard without Vietnamese."""
    plain = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in plain if not unicodedata.combining(c)).lower()
