"""A trainee's phone in the browser: not enrolled, 360×740, optionally with a passkey-capable
authenticator (Chromium's virtual one, through the DevTools protocol), driving the check-in
page the way a person does."""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page, expect

from server.checkins.secrets import session_secret
from server.demo_data import local_today
from server.extensions import db
from server.models import Confirmation, CourseSession, Enrollment, Trainee
from sync.checkin import make_checkin_token, window_of
from sync.ids import derived_id
from tests.e2e.phone import PHONE_VIEWPORT, SCREENS

VIRTUAL_AUTHENTICATOR = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                         "hasUserVerification": True, "isUserVerified": True,
                         "automaticPresenceSimulation": True}
# What WebAuthn.addCredential takes of what WebAuthn.getCredentials gives.
PASSKEY_KEYS = ("credentialId", "isResidentCredential", "rpId", "privateKey", "userHandle", "signCount")


@dataclass(frozen=True)
class Attendee:
    """A demo trainee enrolled in a course with a session today."""

    session_id: str
    trainee_id: str
    name: str
    birth_year: int


def attendees_today(register: Any) -> list[Attendee]:
    """Trainees of today's first demo session (by the server's database), in name order."""

    def find() -> list[Attendee]:
        today = local_today(int(time.time() * 1000)).isoformat()
        session = db.session.query(CourseSession).filter_by(date=today).order_by(CourseSession.id).first()
        assert session is not None, "the demo has no session today"
        rows = (db.session.query(Trainee).join(Enrollment, Enrollment.trainee_id == Trainee.id)
                .filter(Enrollment.course_id == session.course_id).order_by(Trainee.full_name).all())
        return [Attendee(session.id, t.id, t.full_name, t.birth_year) for t in rows if t.birth_year]

    result: list[Attendee] = register.query(find)
    return result


def current_token(register: Any, session_id: str, minutes_ago: int = 0) -> str:
    """The code the trainer's phone shows for the session now, or showed `minutes_ago`
    (the trainer's on-screen QR code is tested elsewhere)."""
    window = window_of(int(time.time() * 1000) - minutes_ago * 60_000)
    return str(register.query(lambda: make_checkin_token(session_secret(session_id), session_id, window)))


def confirmation_on_server(register: Any, session_id: str, trainee_id: str) -> Confirmation | None:
    record_id = derived_id("confirmation", {"session_id": session_id, "trainee_id": trainee_id})
    found: Confirmation | None = register.query(lambda: db.session.get(Confirmation, record_id))
    return found


class TraineePhone:
    def __init__(self, context: BrowserContext, page: Page, url: str, authenticator: Any = None) -> None:
        self.context = context
        self.page = page
        self.url = url
        # (DevTools session, authenticator id) of the virtual authenticator, if the phone has one.
        self.authenticator = authenticator

    @classmethod
    def open(cls, browser: Browser, url: str, *, authenticator: bool = False, pixel_ratio: int = 1) -> TraineePhone:
        """Open a fresh phone; `pixel_ratio` 2 or 3 is a real phone's screen, sharp enough to photograph."""
        context = browser.new_context(viewport=PHONE_VIEWPORT, timezone_id="Asia/Ho_Chi_Minh", locale="vi-VN",
                                      service_workers="allow", device_scale_factor=pixel_ratio)
        page = context.new_page()
        return cls(context, page, url, cls._add_authenticator(context, page) if authenticator else None)

    def lose_passkeys(self) -> None:
        """The passkeys vanish from the phone (reset, new phone): signing with one fails."""
        cdp, authenticator_id = self.authenticator
        cdp.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator_id})

    def close(self) -> None:
        self.context.close()

    def scan(self, token: str) -> None:
        """Open the link the trainer's QR code holds, as the phone's camera app does."""
        self.page.goto(f"{self.url}/#/checkin/{token}")

    def reopen(self, path: str = "/") -> None:
        """Close the app and open it again (from the home screen icon, by default).

        Chromium's virtual authenticator belongs to one tab, but a phone's passkeys outlive
        the app: they move to the new tab's authenticator.
        """
        passkeys = self._passkeys()
        self.page.close()
        self.page = self.context.new_page()
        if self.authenticator is not None:
            self.authenticator = self._add_authenticator(self.context, self.page)
            cdp, authenticator_id = self.authenticator
            for passkey in passkeys:
                kept = {k: passkey[k] for k in PASSKEY_KEYS if k in passkey}
                cdp.send("WebAuthn.addCredential", {"authenticatorId": authenticator_id, "credential": kept})
        self.page.goto(f"{self.url}{path}")

    def _passkeys(self) -> list[dict[str, Any]]:
        if self.authenticator is None:
            return []
        cdp, authenticator_id = self.authenticator
        return list(cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator_id})["credentials"])

    @staticmethod
    def _add_authenticator(context: BrowserContext, page: Page) -> tuple[Any, str]:
        cdp = context.new_cdp_session(page)
        cdp.send("WebAuthn.enable")
        added = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": VIRTUAL_AUTHENTICATOR})
        return cdp, added["authenticatorId"]

    def wait_for_app_stored(self) -> None:
        self.page.wait_for_function("() => navigator.serviceWorker.controller !== null", timeout=30_000)

    def pick(self, person: Attendee) -> None:
        expect(self.page.get_by_test_id("checkin-name").first).to_be_visible(timeout=20_000)
        search = self.page.get_by_test_id("checkin-search")
        if search.count():
            search.fill(person.name.split()[-1])
        self.page.locator(f'[data-testid="checkin-name"][data-trainee="{person.trainee_id}"]').click()

    def type_birth_year(self, year: int) -> None:
        self.page.get_by_test_id("birth-year").fill(str(year))
        self.page.get_by_test_id("birth-year-submit").click()

    def create_passkey(self) -> None:
        self.page.get_by_test_id("create-passkey").click()
        expect(self.page.get_by_test_id("confirm-attendance")).to_be_visible(timeout=20_000)

    def confirm(self) -> None:
        self.page.get_by_test_id("confirm-attendance").click()

    def expect_state(self, state: str, timeout: float = 20_000) -> None:
        expect(self.page.get_by_test_id("checkin-status")).to_have_attribute("data-state", state, timeout=timeout)

    def relay_text(self) -> str:
        qr = self.page.get_by_test_id("relay-qr")
        expect(qr).to_be_visible()
        return qr.get_attribute("data-text") or ""

    def photograph_relay(self, path: Path) -> Path:
        """Take a picture of the relay QR code on screen, as the trainer's camera would."""
        self.page.get_by_test_id("relay-qr").screenshot(path=str(path))
        return path

    def expect_card(self, state: str, timeout: float = 30_000) -> None:
        expect(self.page.get_by_test_id("checkin-card").first).to_have_attribute("data-state", state, timeout=timeout)

    def see(self, text: str) -> None:
        expect(self.page.get_by_text(re.compile(re.escape(text))).first).to_be_visible()

    def screenshot(self, name: str) -> Path:
        SCREENS.mkdir(exist_ok=True)
        path = SCREENS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path
