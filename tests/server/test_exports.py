"""Exports: roster CSV and XLSX, the attendance sheet PDF (read back with pdftotext), scope."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import uuid
from typing import Any
from urllib.parse import quote

import pytest
from openpyxl import load_workbook

from sync.ids import derived_id
from tests.server.protocol_client import Reply, World, server_op

MY, DUC = "Giàng Thị Mỷ", "Lò Văn Đức"
SKILLS = [{"code": "vneid", "label_vi": "Cài đặt VNeID", "label_en": "Install VNeID"},
          {"code": "qr-pay", "label_vi": "Thanh toán QR", "label_en": "Pay by QR"}]


def _linked(entity: str, **fields: Any) -> dict[str, Any]:
    record_id = derived_id(entity, fields)
    assert record_id is not None
    return server_op(entity, record_id, **fields)


@pytest.fixture
def class_a(world: World) -> World:
    """Course a with a checklist, two sessions, three trainees, marks and skill levels."""
    ids = world.ids
    with world.app.app_context():
        ops = [server_op("checklist", world.new_id("checklist"), program_id=ids["program"], version=1,
                         title="Kỹ năng số", items=SKILLS),
               server_op("course", ids["course_a"], checklist_id=ids["checklist"]),
               server_op("session", world.new_id("session_a2"), course_id=ids["course_a"], date="2026-11-30",
                         start_time="14:00", place="Nhà văn hoá thôn Bản Dền")]
        for key, name, gender, year in (("my", MY, "female", 1986), ("duc", DUC, "male", 1992)):
            ops += [server_op("trainee", world.new_id(key), full_name=name, commune_id=ids["commune_a"],
                              gender=gender, birth_year=year, ethnicity="H'Mông", village="Bản Dền"),
                    _linked("enrollment", course_id=ids["course_a"], trainee_id=ids[key])]
        ops += [_linked("attendance", session_id=ids["session_a"], trainee_id=ids["my"], status="present"),
                _linked("attendance", session_id=ids["session_a"], trainee_id=ids["duc"], status="late"),
                _linked("attendance", session_id=ids["session_a2"], trainee_id=ids["my"], status="excused"),
                _linked("skill_check", course_id=ids["course_a"], trainee_id=ids["my"], skill_code="vneid",
                        level=3),
                _linked("skill_check", course_id=ids["course_a"], trainee_id=ids["duc"], skill_code="qr-pay",
                        level=1)]
        world.seed(*ops)
    return world


def get(world: World, user: str, path: str) -> Reply:
    return world.api.request("GET", path, token=world.device(user).token)


def test_roster_xlsx_opens_with_openpyxl_and_holds_the_right_rows(class_a: World) -> None:
    reply = get(class_a, "coord_a", f"/api/v1/exports/roster.xlsx?course_id={class_a.ids['course_a']}")
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    disposition = reply.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="danh-sach-Khoa-a.xlsx"')
    assert disposition.endswith(f"filename*=UTF-8''{quote('danh-sach-Khoá-a.xlsx')}")
    sheet = load_workbook(io.BytesIO(reply.raw)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0] == ["STT", "Họ và tên", "Giới tính", "Năm sinh", "Dân tộc", "Thôn/bản",
                       "Buổi 23/11/2026", "Buổi 30/11/2026", "Cài đặt VNeID", "Thanh toán QR"]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "C2"
    by_name = {row[1]: row for row in rows[1:]}
    assert set(by_name) == {"Giàng Thị A", MY, DUC}
    assert by_name[MY][2:] == ["Nữ", 1986, "H'Mông", "Bản Dền", "Có mặt", "Có phép", 3, None]
    assert by_name[DUC][2:] == ["Nam", 1992, "H'Mông", "Bản Dền", "Muộn", None, None, 1]
    # Sorted as Vietnamese lists are, by given name: A, Đức, Mỷ.
    assert [row[1] for row in rows[1:]] == ["Giàng Thị A", DUC, MY]


def test_roster_csv_has_a_bom_and_parses(class_a: World) -> None:
    reply = get(class_a, "coord_p", f"/api/v1/exports/roster.csv?course_id={class_a.ids['course_a']}&lang=en")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/csv; charset=utf-8"
    assert reply.raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(reply.raw.decode("utf-8-sig"))))
    assert rows[0][:4] == ["No.", "Full name", "Gender", "Birth year"] and rows[0][-1] == "Pay by QR"
    assert ["3", MY, "Female", "1986", "H'Mông", "Bản Dền", "Present", "Excused", "3", ""] in rows
    assert "filename*=UTF-8''roster-Kho%C3%A1-a.csv" in reply.headers["content-disposition"]


def _pdf_text(pdf: bytes, tmp_path: Any) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: install Debian's poppler-utils (scripts/test.sh does)")
    path = tmp_path / f"{uuid.uuid4().hex}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_attendance_sheet_pdf_keeps_vietnamese_names_intact(class_a: World, tmp_path: Any) -> None:
    reply = get(class_a, "coord_a", f"/api/v1/exports/attendance-sheet.pdf?session_id={class_a.ids['session_a']}")
    assert reply.status == 200, reply.body
    assert reply.headers["content-type"] == "application/pdf" and reply.raw.startswith(b"%PDF")
    disposition = reply.headers["content-disposition"]
    assert 'filename="diem-danh-Khoa-a-2026-11-23.pdf"' in disposition
    assert "filename*=UTF-8''%C4%91i%E1%BB%83m" not in disposition  # the word is ASCII; the title is not
    assert "Kho%C3%A1-a-2026-11-23.pdf" in disposition
    text = _pdf_text(reply.raw, tmp_path)
    for words in (MY, DUC, "Giàng Thị A", "DANH SÁCH ĐIỂM DANH HỌC VIÊN", "Lào Cai", "Bản Hồ", "Khoá a",
                  "23/11/2026", "Nhà văn hoá", "trainer_a", "Chữ ký", "Có mặt", "Muộn"):
        assert words in text, words
    assert "Trang 1/1" in text


def test_a_long_attendance_sheet_repeats_its_header_row_on_every_page(world: World, tmp_path: Any) -> None:
    with world.app.app_context():
        ops = []
        for n in range(70):
            trainee = world.new_id(f"t{n}")
            ops += [server_op("trainee", trainee, full_name=f"Thào Thị Sông {n:02d}", commune_id=world.ids["commune_a"],
                              gender="female", birth_year=1990),
                    _linked("enrollment", course_id=world.ids["course_a"], trainee_id=trainee)]
        world.seed(*ops)
    reply = get(world, "coord_a", f"/api/v1/exports/attendance-sheet.pdf?session_id={world.ids['session_a']}&lang=en")
    text = _pdf_text(reply.raw, tmp_path)
    pages = text.split("\f")
    filled = [page for page in pages if page.strip()]
    assert len(filled) >= 3
    assert all("Full name" in page and "Signature" in page for page in filled[:-1])
    assert "Thào Thị Sông 69" in text and "Page 1/" in text


@pytest.mark.parametrize("path", [
    "/api/v1/exports/roster.csv?course_id={course_b}",
    "/api/v1/exports/roster.xlsx?course_id={course_b}",
    "/api/v1/exports/roster.xlsx?course_id=00000000-0000-4000-8000-000000000000",
    "/api/v1/exports/roster.csv",
    "/api/v1/exports/attendance-sheet.pdf?session_id={session_b}",
    "/api/v1/exports/attendance-sheet.pdf",
])
def test_out_of_scope_courses_and_sessions_answer_404(world: World, path: str) -> None:
    reply = get(world, "coord_a", path.format(**world.ids))
    assert reply.status == 404 and reply.error_code in ("unknown_course", "unknown_session")


def test_trainers_are_refused_and_admins_see_everything(world: World) -> None:
    reply = get(world, "trainer_a", f"/api/v1/exports/roster.csv?course_id={world.ids['course_a']}")
    assert (reply.status, reply.error_code) == (403, "not_a_coordinator")
    world.user("root", "admin")
    reply = get(world, "root", f"/api/v1/exports/roster.csv?course_id={world.ids['course_b']}")
    assert reply.status == 200 and "Giàng Thị B" in reply.raw.decode("utf-8-sig")
    reply = world.api.request("GET", f"/api/v1/exports/roster.csv?course_id={world.ids['course_a']}")
    assert (reply.status, reply.error_code) == (401, "missing_token")


def test_figures_xlsx_holds_one_sheet_per_breakdown_matching_the_dashboard(class_a: World) -> None:
    device = class_a.device("coord_a")
    shown = class_a.api.request("GET", "/api/v1/figures?from=2026-11-01&to=2026-11-30", token=device.token).body
    reply = class_a.api.request("GET", "/api/v1/exports/figures.xlsx?from=2026-11-01&to=2026-11-30",
                                token=device.token)
    assert reply.status == 200, reply.body
    assert "filename*=UTF-8''so-lieu-B%E1%BA%A3n-H%E1%BB%93-2026-11-01-2026-11-30.xlsx" in \
        reply.headers["content-disposition"]
    book = load_workbook(io.BytesIO(reply.raw))
    assert book.sheetnames == ["Tổng hợp", "Kỹ năng", "Theo xã", "Theo giới tính", "Theo dân tộc", "Theo nhóm tuổi"]
    totals = {row[0]: row[1] for row in book["Tổng hợp"].iter_rows(min_row=2, values_only=True)}
    assert (totals["Phạm vi"], totals["Số lớp"], totals["Số buổi"], totals["Số lượt người"]) == ("Bản Hồ", 1, 2, 2)
    assert totals["Số người được đào tạo"] == shown["totals"]["trainees_reached"] == 2
    assert totals["Tỷ lệ chuyên cần"] == pytest.approx(shown["totals"]["attendance_rate"])
    skills = {row[0]: row[1:] for row in book["Kỹ năng"].iter_rows(min_row=2, values_only=True)}
    assert skills["vneid"] == ("Cài đặt VNeID", 1, 1, 1.0) and skills["qr-pay"] == ("Thanh toán QR", 1, 0, 0.0)
    genders = {row[0]: row[1] for row in book["Theo giới tính"].iter_rows(min_row=2, values_only=True)}
    assert (genders["Nữ"], genders["Nam"]) == (1, 1)
    communes = [row for row in book["Theo xã"].iter_rows(min_row=2, values_only=True)]
    assert [row[:3] for row in communes] == [("Bản Hồ", 2, 2)]
    assert all(cell.font.bold for cell in book["Theo xã"][1])


def test_figures_csv_has_one_block_per_breakdown_and_scope_is_kept(class_a: World) -> None:
    device = class_a.device("coord_p")
    reply = class_a.api.request("GET", "/api/v1/exports/figures.csv?lang=en", token=device.token)
    assert reply.status == 200 and reply.raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(reply.raw.decode("utf-8-sig"))))
    titles = [rows[0][0]] + [rows[i + 1][0] for i, row in enumerate(rows[:-1]) if row == []]
    assert titles == ["Totals", "Skills", "By commune", "By gender", "By ethnicity", "By age group"]
    assert ["Scope", "Lào Cai"] in rows
    coord_a = class_a.device("coord_a")
    reply = class_a.api.request("GET", f"/api/v1/exports/figures.xlsx?area_id={class_a.ids['commune_b']}",
                                token=coord_a.token)
    assert (reply.status, reply.error_code) == (404, "unknown_area")
    reply = class_a.api.request("GET", "/api/v1/exports/figures.csv", token=class_a.device("trainer_a").token)
    assert (reply.status, reply.error_code) == (403, "not_a_coordinator")
    reply = class_a.api.request("GET", "/api/v1/exports/figures.csv?from=yesterday", token=coord_a.token)
    assert (reply.status, reply.error_code) == (400, "invalid_request")
