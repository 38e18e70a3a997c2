"""Enrol by pointing the phone's camera at the enrolment QR code (Chromium's fake camera
plays a video of the code, made here)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import segno
from playwright.sync_api import Playwright, expect

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, Register
from tests.e2e.phone import Phone

pytestmark = pytest.mark.browser

FRAME_W, FRAME_H = 320, 240
BLACK, WHITE, NEUTRAL_CHROMA = 16, 235, 128


def write_y4m(text: str, path: Path, scale: int = 6) -> Path:
    """Write a short greyscale Y4M video showing `text` as a QR code, centred on white."""
    matrix = [list(row) for row in segno.make(text, error="m").matrix_iter(scale=scale, border=4)]
    top, left = (FRAME_H - len(matrix)) // 2, (FRAME_W - len(matrix[0])) // 2
    assert top >= 0 and left >= 0, "QR code larger than the frame"
    luma = bytearray([WHITE]) * (FRAME_W * FRAME_H)
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                luma[(top + y) * FRAME_W + left + x] = BLACK
    chroma = bytes([NEUTRAL_CHROMA]) * (FRAME_W * FRAME_H // 2)
    frame = b"FRAME\n" + bytes(luma) + chroma
    path.write_bytes(f"YUV4MPEG2 W{FRAME_W} H{FRAME_H} F10:1 Ip A1:1 C420jpeg\n".encode() + frame * 5)
    return path


@contextmanager
def phone_filming(playwright: Playwright, register: Register, video: Path) -> Iterator[Phone]:
    """A phone whose camera sees only `video`, with camera permission granted."""
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
        *CHROMIUM_ARGS, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-video-capture={video}"])
    try:
        phone = Phone.open(browser, register.url, "mai.trainer")
        phone.context.grant_permissions(["camera"], origin=register.url)
        yield phone
    finally:
        browser.close()


def test_scanning_the_code_enrols_the_phone(playwright: Playwright, register: Register, tmp_path: Path) -> None:
    video = write_y4m(f"{register.url}/#/enrol/{register.codes['mai.trainer']}", tmp_path / "qr.y4m")
    with phone_filming(playwright, register, video) as phone:
        phone.page.get_by_role("button", name="Quét mã QR").click()
        expect(phone.page.locator("#code")).to_have_value(register.codes["mai.trainer"], timeout=20_000)
        phone.page.get_by_role("button", name="Đăng ký máy này").click()
        phone.get_ready()
        expect(phone.page.get_by_test_id("course").first).to_be_visible()


def test_a_qr_code_that_is_not_an_enrolment_code_is_refused(playwright: Playwright, register: Register,
                                                              tmp_path: Path) -> None:
    video = write_y4m("https://example.org/pay/ABCDEFGHJK", tmp_path / "other.y4m")
    with phone_filming(playwright, register, video) as phone:
        phone.page.get_by_role("button", name="Quét mã QR").click()
        refusal = "Mã QR này không phải mã đăng ký FieldRoll."
        expect(phone.page.get_by_role("alert")).to_have_text(refusal, timeout=20_000)
        expect(phone.page.locator("#code")).to_have_value("")
