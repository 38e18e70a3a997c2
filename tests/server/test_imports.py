"""Importing trainee lists from real XLSX and CSV files: the dry-run report, all-or-nothing, scope."""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Iterator
from datetime import datetime

import pytest
from flask import Flask
from sqlalchemy import select

from server.extensions import db
from server.models import Enrollment, OpLog, RejectedOp, Trainee
from tests.live_server import serving
from tests.server.conftest import app_for, seed_world
from tests.server.protocol_client import Api, World, count_rows
from tests.server.spreadsheets import VI_HEADERS, csv_file, multipart, upload, xlsx_file

GOOD_ROWS = [
    [1, "Giàng Thị Mỷ", "Nữ", datetime(1986, 4, 12), "H'Mông", "Tả Trung Hồ", "0912345678", "HTX Bản Hồ", "", "có"],
    [2, "Lò Văn Đức", "Nam", 33664, "Thái", "Bản Dền", 912000111, "", "Bản Hồ", "x"],
    [3, "Tẩn Láo Sử", "khác", "05/03/1979", "Dao", "", "", "", "C-A", "không"],
]


def counts(app: Flask) -> tuple[int, ...]:
    return tuple(count_rows(app, model) for model in (Trainee, Enrollment, OpLog, RejectedOp))


def live_trainees(app: Flask) -> dict[str, Trainee]:
    with app.app_context():
        return {t.full_name: t for t in db.session.scalars(select(Trainee).where(Trainee.deleted.is_(False)))}


def test_a_dry_run_reports_every_line_and_changes_nothing(world: World) -> None:
    coordinator = world.device("coord_a")
    before = counts(world.app)
    reply = upload(world.api, coordinator, xlsx_file([VI_HEADERS, *GOOD_ROWS]))
    assert reply.status == 200, reply.body
    report = reply.body
    assert (report["ok"], report["errors"], report["duplicates"], report["imported"]) == (3, 0, 0, 0)
    assert [row["line"] for row in report["rows"]] == [2, 3, 4]
    assert all(row["status"] == "ok" for row in report["rows"])
    my, duc, su = (row["trainee"] for row in report["rows"])
    assert (my["full_name"], my["gender"], my["birth_year"], my["consent"]) == ("Giàng Thị Mỷ", "female", 1986, True)
    # 33664 is Excel's serial number of 1992-03-01; a 9-digit phone lost its leading 0 in a number cell.
    assert (duc["gender"], duc["birth_year"], duc["phone"], duc["consent"]) == ("male", 1992, "0912000111", True)
    assert (su["gender"], su["birth_year"], su["consent"], su["village"]) == ("other", 1979, False, None)
    assert {t["commune_id"] for t in (my, duc, su)} == {world.ids["commune_a"]}
    assert report["columns"]["Họ và tên"] == "full_name" and report["ignored_columns"] == []
    assert counts(world.app) == before


def test_an_import_creates_trainees_and_enrolments_that_the_trainer_pulls(world: World) -> None:
    coordinator, trainer = world.device("coord_a"), world.device("trainer_a")
    _, cursor = world.api.pull_all(trainer)
    reply = upload(world.api, coordinator, xlsx_file([VI_HEADERS, *GOOD_ROWS]), dry_run=False,
                   course_id=world.ids["course_a"])
    assert reply.status == 200, reply.body
    assert (reply.body["imported"], reply.body["enrolled"], reply.body["errors"]) == (3, 3, 0)
    new_ids = {row["trainee"]["id"] for row in reply.body["rows"]}
    pulled = world.api.sync(trainer, cursor=cursor)
    changes = pulled.body["changes"]
    names = {c["fields"]["full_name"] for c in changes if c["entity"] == "trainee" and c["id"] in new_ids}
    assert names == {"Giàng Thị Mỷ", "Lò Văn Đức", "Tẩn Láo Sử"}
    enrolled = {c["fields"]["trainee_id"] for c in changes if c["entity"] == "enrollment"}
    assert enrolled == new_ids
    stored = live_trainees(world.app)["Giàng Thị Mỷ"]
    assert (stored.commune_id, stored.birth_year, stored.origin_user_id) == (
        world.ids["commune_a"], 1986, world.ids["coord_a"])


def test_a_file_with_any_bad_line_imports_nothing(world: World) -> None:
    coordinator = world.device("coord_a")
    rows = [VI_HEADERS, *GOOD_ROWS,
            [4, "Sùng A Páo", "đàn ông", "1990", "H'Mông", "", "", "", "", ""],
            [5, "", "Nam", "1990", "", "", "", "", "", ""],
            [6, "Vàng Thị Dở", "Nữ", "31/02/1990", "", "", "", "", "", ""],
            [7, "Lù Thị Mai", "Nữ", 1850, "", "", "", "", "", ""],
            [8, "Mùa A Chứ", "Nam", "1991", "", "", "abc", "", "Tả Van", "có lẽ"]]
    before = counts(world.app)
    reply = upload(world.api, coordinator, xlsx_file(rows), dry_run=False, course_id=world.ids["course_a"])
    assert reply.status == 200, reply.body
    report = reply.body
    assert (report["ok"], report["errors"], report["imported"], report["enrolled"]) == (3, 5, 0, 0)
    by_line = {row["line"]: row for row in report["rows"]}
    assert [by_line[n]["status"] for n in range(2, 10)] == ["ok"] * 3 + ["error"] * 5
    assert "Giới tính" in by_line[5]["messages"][0]
    assert "missing" in by_line[6]["messages"][0]
    assert "dd/mm/yyyy" in by_line[7]["messages"][0]
    assert "1850" in by_line[8]["messages"][0]
    assert len(by_line[9]["messages"]) == 3  # phone, consent, and a commune outside the caller's area
    assert counts(world.app) == before


@pytest.mark.parametrize(("data", "code"), [
    (xlsx_file([["Tên lớp", "Ngày"], ["Khoá A", "2026-11-23"]]), "unrecognised_headers"),
    (csv_file([["name_of_person", "year"], ["A", "1990"]]), "unrecognised_headers"),
    (b"PK\x03\x04 this is not really a workbook", "unreadable_file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1 old excel", "unsupported_file"),
    (b"\xff\xd8\xff\xe0 a photo, not a list \x81\x82", "not_utf8"),
    (b"", "empty_file"),
    (xlsx_file([]), "empty_file"),
    (xlsx_file([VI_HEADERS]), "no_rows"),
])
def test_a_bad_file_is_refused_and_changes_nothing(world: World, data: bytes, code: str) -> None:
    coordinator = world.device("coord_a")
    before = counts(world.app)
    reply = upload(world.api, coordinator, data, dry_run=False)
    assert (reply.status, reply.error_code) == (400, code), reply.body
    assert counts(world.app) == before


@pytest.mark.parametrize("form", ["NFC", "NFD"])
def test_csv_with_bom_semicolons_and_english_headers_in_either_unicode_form(world: World, form: str) -> None:
    coordinator = world.device("coord_p")
    rows = [["Full name", "Gender", "Year of birth", "Ethnicity", "Commune", "Consent"],
            ["Giàng Thị Mỷ", "female", "1986", "H'Mông", "Bản Hồ", "yes"],
            ["Lò Văn Đức", "MALE", "1992", "Thái", "c-b", "no"],
            ["Hoàng Thị Thu", "Nữ", "2001", "Tày", "xã  TẢ  VAN", ""]]
    reply = upload(world.api, coordinator, csv_file(rows, delimiter=";", form=form), "list.csv", dry_run=False)
    assert reply.status == 200, reply.body
    assert (reply.body["imported"], reply.body["errors"]) == (3, 0)
    stored = live_trainees(world.app)
    for name in ("Giàng Thị Mỷ", "Lò Văn Đức", "Hoàng Thị Thu"):
        assert unicodedata.is_normalized("NFC", name) and name in stored
    assert stored["Giàng Thị Mỷ"].commune_id == world.ids["commune_a"]
    assert stored["Lò Văn Đức"].commune_id == stored["Hoàng Thị Thu"].commune_id == world.ids["commune_b"]
    assert (stored["Lò Văn Đức"].gender, stored["Lò Văn Đức"].consent) == ("male", False)


def test_headers_are_found_under_title_lines_and_csv_without_bom_with_commas_works(world: World) -> None:
    coordinator = world.device("coord_a")
    data = xlsx_file([["  HỌ VÀ TÊN ", "NĂM SINH", "GHI CHÚ", "Màu áo"], ["Lò Văn Đức", 1992, "", "đỏ"]],
                     title_lines=["DANH SÁCH HỌC VIÊN", "Lớp: Khoá a"])
    reply = upload(world.api, coordinator, data)
    assert reply.status == 200, reply.body
    assert [(r["line"], r["status"]) for r in reply.body["rows"]] == [(4, "ok")]
    assert reply.body["ignored_columns"] == ["Màu áo"]
    plain = csv_file([["Ho va ten", "Nam sinh"], ["Lò Văn Đức", "1992"], ["Lò Văn Đức", "1992"]], bom=False)
    reply = upload(world.api, coordinator, plain, "list.csv")
    assert [(r["line"], r["status"]) for r in reply.body["rows"]] == [(2, "ok"), (3, "duplicate")]
    assert reply.body["rows"][1]["duplicate_of"] == {"line": 2}


def test_duplicates_of_existing_trainees_are_not_imported_twice_but_are_enrolled(world: World) -> None:
    coordinator = world.device("coord_p")
    world.seed(*[])
    rows = [VI_HEADERS,
            [1, "GIÀNG THỊ A", "Nữ", "1980", "", "", "", "", "Bản Hồ", ""],     # the seeded trainee_a
            [2, "Giang Thi B", "Nữ", "01/06/1980", "", "", "", "", "Tả Van", ""],  # the seeded trainee_b
            [3, "Giàng Thị B", "Nữ", "1981", "", "", "", "", "Tả Van", ""],      # another year: another person
            [4, "Lò Văn Đức", "Nam", "1992", "", "", "", "", "Tả Van", ""],
            [5, "Lò  Văn Đức", "Nam", "1992", "", "", "", "", "Tả Van", ""]]
    reply = upload(world.api, coordinator, xlsx_file(rows), dry_run=False, course_id=world.ids["course_b"])
    assert reply.status == 200, reply.body
    statuses = [(r["line"], r["status"]) for r in reply.body["rows"]]
    assert statuses == [(2, "duplicate"), (3, "duplicate"), (4, "ok"), (5, "ok"), (6, "duplicate")]
    assert reply.body["rows"][0]["duplicate_of"] == {"trainee_id": world.ids["trainee_a"]}
    assert reply.body["rows"][4]["duplicate_of"] == {"line": 5}
    # Two new trainees; trainee_a (of the other commune) joins course_b; trainee_b already had.
    assert (reply.body["imported"], reply.body["enrolled"], reply.body["duplicates"]) == (2, 3, 3)
    with world.app.app_context():
        enrolled = set(db.session.scalars(select(Enrollment.trainee_id).where(
            Enrollment.course_id == world.ids["course_b"])))
    assert {world.ids["trainee_a"], world.ids["trainee_b"]} <= enrolled and len(enrolled) == 4
    assert sum(1 for t in live_trainees(world.app) if t.startswith("Lò")) == 1


def test_scope_commune_coordinator_trainer_and_other_areas_courses(world: World) -> None:
    coord_a, trainer = world.device("coord_a"), world.device("trainer_a")
    before = counts(world.app)
    other_commune = xlsx_file([VI_HEADERS, [1, "Lò Văn Đức", "Nam", "1992", "", "", "", "", "Tả Van", ""]])
    reply = upload(world.api, coord_a, other_commune, dry_run=False)
    assert (reply.body["errors"], reply.body["imported"]) == (1, 0)
    assert "not a commune of your area" in reply.body["rows"][0]["messages"][0]
    good = xlsx_file([VI_HEADERS, *GOOD_ROWS])
    reply = upload(world.api, coord_a, good, dry_run=False, course_id=world.ids["course_b"])
    assert (reply.status, reply.error_code) == (404, "unknown_course")
    reply = upload(world.api, coord_a, good, dry_run=False, course_id="00000000-0000-4000-8000-000000000000")
    assert (reply.status, reply.error_code) == (404, "unknown_course")
    reply = upload(world.api, trainer, good, dry_run=False)
    assert (reply.status, reply.error_code) == (403, "not_a_coordinator")
    assert counts(world.app) == before
    province = world.device("coord_p")
    reply = upload(world.api, province, xlsx_file([VI_HEADERS, [1, "Lò Văn Đức", "Nam", "1992"]]))
    assert "several communes" in reply.body["rows"][0]["messages"][0]


def test_requests_without_a_file_or_with_a_bad_flag_are_400(world: World) -> None:
    coordinator = world.device("coord_a")
    reply = world.api.request("POST", "/api/v1/imports", {"file": "x"}, token=coordinator.token)
    assert (reply.status, reply.error_code) == (400, "missing_file")
    body, content_type = multipart({}, "list.csv", csv_file([["Họ và tên"], ["Lò Văn Đức"]]))
    reply = world.api.request("POST", "/api/v1/imports?dry_run=maybe", raw=body, token=coordinator.token,
                              headers={"Content-Type": content_type})
    assert (reply.status, reply.error_code) == (400, "invalid_request")
    body, content_type = multipart({}, "list.csv", b"")
    reply = world.api.request("POST", "/api/v1/imports", raw=body, token=coordinator.token,
                              headers={"Content-Type": content_type})
    assert (reply.status, reply.error_code) == (400, "empty_file")


@pytest.fixture
def small_caps(database_url: str) -> Iterator[World]:
    app = app_for(database_url, IMPORT_MAX_FILE_BYTES=20_000, IMPORT_MAX_ROWS=5)
    with serving(app) as url:
        yield seed_world(World(app, Api(url)))
    with app.app_context():
        db.engine.dispose()


def test_too_large_files_and_too_many_rows_are_refused(small_caps: World) -> None:
    coordinator = small_caps.device("coord_a")
    before = counts(small_caps.app)
    big = csv_file([["Họ và tên", "Ghi chú"]] + [[f"Người {i}", "x" * 100] for i in range(300)])
    reply = upload(small_caps.api, coordinator, big, "big.csv", dry_run=False)
    assert (reply.status, reply.error_code) == (413, "file_too_large")
    six = csv_file([["Họ và tên"]] + [[f"Người {i}"] for i in range(6)])
    reply = upload(small_caps.api, coordinator, six, "six.csv", dry_run=False)
    assert (reply.status, reply.error_code) == (400, "too_many_rows")
    five = csv_file([["Họ và tên"]] + [[f"Người {i}"] for i in range(5)])
    assert upload(small_caps.api, coordinator, five, "five.csv", dry_run=False).body["imported"] == 5
    assert counts(small_caps.app)[0] == before[0] + 5


def test_imports_never_log_names(world: World, caplog: pytest.LogCaptureFixture) -> None:
    coordinator = world.device("coord_a")
    with caplog.at_level(logging.DEBUG):
        upload(world.api, coordinator, xlsx_file([VI_HEADERS, *GOOD_ROWS]), dry_run=False)
        upload(world.api, coordinator, b"PK\x03\x04 broken", dry_run=False)
    assert "Giàng" not in caplog.text and "Đức" not in caplog.text


def test_a_name_split_into_surname_and_given_name_columns_is_joined(world: World) -> None:
    coordinator = world.device("coord_a")
    data = xlsx_file([["STT", "Họ", "Tên", "Năm sinh"], [1, "Giàng Thị", "Mỷ", 1986], [2, "Lò Văn", "", 1992]])
    reply = upload(world.api, coordinator, data)
    assert reply.status == 200, reply.body
    assert [r["trainee"]["full_name"] for r in reply.body["rows"]] == ["Giàng Thị Mỷ", "Lò Văn"]
    assert reply.body["columns"] == {"Họ": "surname", "Tên": "given_name", "Năm sinh": "birth_year"}
