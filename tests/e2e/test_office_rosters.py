"""A coordinator at a desktop sees, in the office, what a trainer's phone synced minutes
before, finds the trainee without typing accents, and downloads the roster and the
attendance sheet as files."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Register
from tests.e2e.office import Desk, fold, mark_first_and_sync
from tests.e2e.phone import Phone

pytestmark = pytest.mark.browser


def test_the_office_shows_a_trainers_sync_and_exports_it(register: Register, trainer_at_roster: Phone,
                                                          browser: Browser) -> None:
    trainer = trainer_at_roster
    session_id, trainee, course = mark_first_and_sync(register, trainer, "Muộn")
    name = course["trainees"][trainee]["full_name"]

    desk = Desk.open_desk(browser, register)
    desk.sign_in(register.codes["lan.laocai"])
    expect(desk.page.get_by_test_id("home-office")).to_be_visible()
    # A trainer's home has no way into the office.
    trainer.page.goto(f"{trainer.url}/#/")
    expect(trainer.page.get_by_test_id("course").first).to_be_visible()
    expect(trainer.page.get_by_test_id("home-office")).to_have_count(0)
    desk.both_widths("home")
    desk.open_office()
    page = desk.page
    totals = page.get_by_test_id("office-totals")
    expect(totals).to_be_visible()
    expect(page.get_by_test_id("total-sessions").locator("strong")).not_to_have_text("0")
    expect(page.get_by_test_id("total-person_times").locator("strong")).not_to_have_text("0")
    expect(page.locator("canvas").first).to_be_visible()
    desk.both_widths("figures")
    download, data = desk.download("export-figures-xlsx")
    assert download.suggested_filename.endswith(".xlsx")
    book = openpyxl.load_workbook(io.BytesIO(data))
    figures_cells = {str(c) for ws in book.worksheets for r in ws.iter_rows(values_only=True)
                     for c in r if c is not None}
    sessions_shown = page.get_by_test_id("total-sessions").locator("strong").inner_text()
    assert sessions_shown in figures_cells, (sessions_shown, sorted(figures_cells)[:40])

    # A calendar period fills in its dates; dates typed by hand make the period "custom".
    year = page.evaluate("new Date().getFullYear()")
    page.get_by_test_id("office-period").select_option("this_year")
    expect(page.get_by_test_id("office-from")).to_have_value(f"{year}-01-01")
    expect(page.get_by_test_id("office-to")).to_have_value(f"{year}-12-31")
    expect(page.get_by_test_id("office-totals")).to_be_visible()
    page.get_by_test_id("office-from").fill(f"{year}-01-02")
    expect(page.get_by_test_id("office-period")).to_have_value("custom")
    page.get_by_test_id("office-period").select_option("all")
    expect(page.get_by_test_id("office-from")).to_have_value("")
    expect(page.get_by_test_id("total-sessions").locator("strong")).to_have_text(sessions_shown)

    # One commune of the province: its figures, fewer courses than the whole area's or as many.
    all_courses = int(page.get_by_test_id("total-courses").locator("strong").inner_text())
    page.get_by_test_id("office-area").select_option(course["commune_id"])
    expect(page.get_by_test_id("table-commune").locator("tbody tr")).to_have_count(1)
    assert int(page.get_by_test_id("total-courses").locator("strong").inner_text()) <= all_courses

    page.get_by_test_id("office-tab-courses").click()
    expect(page.get_by_test_id("office-course").first).to_be_visible()
    desk.both_widths("rosters")
    page.locator(f'[data-testid="office-course"][data-course="{course["id"]}"]').click()
    row = page.locator(f'[data-testid="office-grid-row"][data-trainee="{trainee}"]')
    expect(row.locator(f'td[data-session="{session_id}"]')).to_have_attribute("data-status", "late")

    # Typed without accents, the name still finds the trainee, and only matching rows stay.
    page.get_by_test_id("office-trainee-search").fill(fold(name))
    expect(row).to_be_visible()
    for shown in page.get_by_test_id("office-grid-row").all():
        assert fold(name) in fold(shown.locator("th").inner_text())
    page.get_by_test_id("office-trainee-search").fill("")
    expect(page.get_by_test_id("office-grid-row")).to_have_count(len(course["trainees"]))
    desk.both_widths("course")

    download, data = desk.download("export-roster-xlsx")
    assert download.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    cells = [str(c) for r in sheet.iter_rows(values_only=True) for c in r if c is not None]
    assert name in cells
    names = {t["full_name"] for t in course["trainees"].values()}
    assert sum(1 for c in cells if c in names) == len(course["trainees"])

    download, data = desk.download("export-roster-csv")
    assert download.suggested_filename.endswith(".csv")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert any(name in r for r in rows)

    session_row = page.locator(f'[data-testid="office-session"][data-session="{session_id}"]')
    sheet_button = session_row.get_by_test_id("export-sheet-pdf")
    with page.expect_download() as info:
        sheet_button.click()
    pdf = info.value
    assert pdf.suggested_filename.endswith(".pdf")
    path = pdf.path()
    assert path is not None and path.read_bytes()[:5] == b"%PDF-"

    # The session itself, one level further down.
    session_row.locator("a").click()
    expect(page.get_by_test_id("office-grid").locator("thead th")).to_have_count(
        1 + 1 + page.get_by_test_id("office-grid").locator("thead th.skill").count())
    expect(row.locator(f'td[data-session="{session_id}"]')).to_have_attribute("data-status", "late")
    desk.both_widths("session")
