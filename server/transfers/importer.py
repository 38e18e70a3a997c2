"""Importing trainees (and their enrolments) from a spreadsheet: check every line, then apply all or nothing.

A dry run only checks. A real run applies nothing if any line has an error; otherwise the
new trainees (and enrolments) become ops from the coordinator, applied through the sync
engine like a device's, so trainers' phones pull them on their next sync. A line that
repeats an earlier line, or a trainee the commune already has (same name without accents,
same birth year), is a "duplicate": not created again (but enrolled, when a course is given).
Names are never logged.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from server import audit
from server.errors import ApiError
from server.extensions import db
from server.models import Area, Course, Enrollment, Trainee
from server.push.triggers import after_sync
from server.scope import Actor
from server.sync_api.push import SERVER_NODE, apply_ops, next_server_hlc
from server.transfers.access import communes_in_scope
from server.transfers.columns import (
    HEADERS,
    CellError,
    map_headers,
    read_birth_year,
    read_consent,
    read_gender,
    read_phone,
    read_text,
    unknown_headers,
)
from server.transfers.sheets import Row, read_rows
from server.transfers.text import fold
from sync.hlc import Hlc, parse_hlc, tick
from sync.ids import derived_id, uuid7

HEADER_SEARCH_ROWS = 10
TEXT_FIELDS = {"ethnicity": "Dân tộc / ethnicity", "village": "Thôn/bản / village",
               "cooperative": "Hợp tác xã / cooperative"}
HEADER_NAMES_VI = ("Họ và tên", "Giới tính", "Năm sinh", "Ngày sinh", "Dân tộc", "Thôn/bản",
                   "Số điện thoại", "Hợp tác xã", "Xã", "Đồng ý")


@dataclass
class Line:
    line: int
    status: str = "ok"
    messages: list[str] = field(default_factory=list)
    trainee: dict[str, Any] = field(default_factory=dict)
    duplicate_of: dict[str, Any] | None = None

    def fail(self, message: str) -> None:
        self.status = "error"
        self.messages.append(message)

    def to_wire(self) -> dict[str, Any]:
        wire = {"line": self.line, "status": self.status, "messages": self.messages, "trainee": self.trainee}
        if self.duplicate_of is not None:
            wire["duplicate_of"] = self.duplicate_of
        return wire


@dataclass
class Communes:
    """The communes a line may name, by code and by name without accents."""

    by_key: dict[str, list[Area]]
    default: Area | None

    @classmethod
    def of(cls, actor: Actor, course: Course | None) -> Communes:
        areas = communes_in_scope(actor)
        by_key: dict[str, list[Area]] = {}
        for area in areas:
            for key in {fold(area.code or ""), fold(area.name or "")} - {""}:
                by_key.setdefault(key, []).append(area)
        default = next((a for a in areas if course and a.id == course.commune_id), None)
        if default is None and course is None and len(areas) == 1:
            default = areas[0]
        return cls(by_key, default)

    def find(self, written: str) -> Area:
        if not written:
            if self.default is None:
                raise CellError("Xã / commune: missing, and your area has several communes")
            return self.default
        key = fold(written)
        found = self.by_key.get(key) or self.by_key.get(key.removeprefix("xa ").strip()) or []
        if not found:
            raise CellError(f"Xã / commune: “{written}” is not a commune of your area")
        if len(found) > 1:
            raise CellError(f"Xã / commune: several communes are called “{written}”: write its code")
        return found[0]


def import_trainees(data: bytes, actor: Actor, course: Course | None, dry_run: bool,
                    max_rows: int, device_id: str) -> dict[str, Any]:
    """Check every line of the file; unless `dry_run` or any line failed, create its trainees.

    `device_id` is the uploader's phone: the ops are the coordinator's own (no device), but
    push notifications skip the phone that made the change, as after a sync.
    """
    rows = read_rows(data, max_rows)
    header_at, mapping = _find_header(rows)
    body = rows[header_at + 1:]
    if len(body) > max_rows:
        raise ApiError(400, "too_many_rows", f"the file has more than {max_rows} rows: split it into smaller files",
                       {"max_rows": max_rows})
    if not body:
        raise ApiError(400, "no_rows", "the file has a header but no trainees under it")
    communes = Communes.of(actor, course)
    lines = [_check(row, mapping, communes, date.today().year) for row in body]
    _mark_duplicates(lines)
    report: dict[str, Any] = {
        "columns": {str(rows[header_at].cells[i]).strip(): name for i, name in mapping.items()},
        "ignored_columns": unknown_headers(rows[header_at].cells, mapping),
        "ok": sum(1 for ln in lines if ln.status == "ok"),
        "errors": sum(1 for ln in lines if ln.status == "error"),
        "duplicates": sum(1 for ln in lines if ln.status == "duplicate"),
        "imported": 0, "enrolled": 0, "dry_run": dry_run,
    }
    if not dry_run and report["errors"] == 0:
        report["imported"], report["enrolled"] = _apply(lines, actor, course, device_id)
    report["rows"] = [ln.to_wire() for ln in lines]
    return report


def _find_header(rows: list[Row]) -> tuple[int, dict[int, str]]:
    """Find the header row: the first of the top rows that names a full-name column (title lines may come first)."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping = map_headers(row.cells)
        if {"full_name", "given_name"} & set(mapping.values()):
            return index, mapping
    found = [str(cell) for cell in rows[0].cells if cell is not None and str(cell).strip()][:20]
    raise ApiError(400, "unrecognised_headers",
                   "no “Họ và tên” (full name) column: the first row must name the columns, e.g. "
                   + ", ".join(HEADER_NAMES_VI),
                   {"found": found, "expected": list(HEADER_NAMES_VI),
                    "accepted": {column: list(aliases) for column, aliases in HEADERS.items()}})


def _check(row: Row, mapping: dict[int, str], communes: Communes, this_year: int) -> Line:
    cells = {name: row.cells[i] if i < len(row.cells) else None for i, name in mapping.items()}
    line = Line(row.line)
    trainee = line.trainee
    readers: list[tuple[str, Any]] = [
        ("full_name", lambda: _full_name(cells)),
        ("gender", lambda: read_gender(cells.get("gender"))),
        ("birth_year", lambda: read_birth_year(cells.get("birth_year"), cells.get("birth_date"), this_year)),
        *((name, lambda name=name, label=label: read_text(cells.get(name), label))
          for name, label in TEXT_FIELDS.items()),
        ("phone", lambda: read_phone(cells.get("phone"))),
        ("consent", lambda: read_consent(cells.get("consent"))),
    ]
    for name, read in readers:
        try:
            trainee[name] = read()
        except CellError as err:
            trainee[name] = None
            line.fail(str(err))
    if not trainee["full_name"]:
        line.fail("Họ và tên / full name: missing")
    try:
        area = communes.find(read_text(cells.get("commune"), "Xã / commune") or "")
        trainee["commune_id"], trainee["commune_name"] = area.id, area.name
    except CellError as err:
        trainee["commune_id"] = trainee["commune_name"] = None
        line.fail(str(err))
    return line


Key = tuple[str | None, str, int | None]


def _full_name(cells: dict[str, Any]) -> str | None:
    """Read the full name, or join "Họ" and "Tên" when the list splits it."""
    if "full_name" in cells:
        return read_text(cells["full_name"], "Họ và tên / full name")
    parts = [read_text(cells.get(name), "Họ và tên / full name") for name in ("surname", "given_name")]
    return read_text(" ".join(part for part in parts if part), "Họ và tên / full name")


def _key(trainee: dict[str, Any]) -> Key:
    return trainee["commune_id"], fold(trainee["full_name"]), trainee["birth_year"]


def _mark_duplicates(lines: list[Line]) -> None:
    """Mark lines that repeat an earlier line, or a live trainee of the same commune."""
    candidates = [ln for ln in lines if ln.trainee.get("commune_id") and ln.trainee.get("full_name")]
    commune_ids = {ln.trainee["commune_id"] for ln in candidates}
    existing: dict[Key, str] = {}
    if commune_ids:
        query = select(Trainee.id, Trainee.commune_id, Trainee.full_name, Trainee.birth_year).where(
            Trainee.commune_id.in_(commune_ids), Trainee.deleted.is_(False), Trainee.merged_into.is_(None))
        for trainee_id, commune_id, full_name, birth_year in db.session.execute(query):
            existing.setdefault((commune_id, fold(full_name or ""), birth_year), trainee_id)
    seen: dict[Key, int] = {}
    for ln in candidates:
        key = _key(ln.trainee)
        if key in existing:
            ln.duplicate_of = {"trainee_id": existing[key]}
            ln.messages.append("already registered in this commune (same name and birth year): not added again")
        elif key in seen:
            ln.duplicate_of = {"line": seen[key]}
            ln.messages.append(f"same person as line {seen[key]} (same name and birth year): not added twice")
        else:
            if ln.status == "ok":
                seen[key] = ln.line
            continue
        if ln.status == "ok":
            ln.status = "duplicate"


def _apply(lines: list[Line], actor: Actor, course: Course | None, device_id: str) -> tuple[int, int]:
    """Create the new trainees (and enrolments) as the coordinator's ops; commit once, or not at all."""
    clock = _Clock()
    ops: list[dict[str, Any]] = []
    enrol: list[str] = []
    for ln in lines:
        if ln.status == "ok":
            trainee_id = uuid7(int(time.time() * 1000))
            fields = {k: v for k, v in ln.trainee.items() if k != "commune_name" and v is not None}
            ops.append(_op("trainee", trainee_id, clock.next(), fields))
            ln.trainee["id"] = trainee_id
            enrol.append(trainee_id)
        elif ln.status == "duplicate" and ln.duplicate_of and "trainee_id" in ln.duplicate_of:
            enrol.append(ln.duplicate_of["trainee_id"])
    enrolments = _enrolments(course, enrol, clock) if course is not None else []
    created = len(ops)
    ops += enrolments
    if not ops:
        return 0, 0
    acks = apply_ops(ops, actor, None)
    refused = [ack for ack in acks if ack.status == "rejected"]
    if refused:
        db.session.rollback()
        raise ApiError(409, "import_refused", f"nothing was imported: {refused[0].reason}")
    audit.record("spreadsheet.imported", actor.user_id, target_id=course.id if course is not None else None,
                 details={"imported": created, "enrolled": len(enrolments)}, device_id=device_id)
    db.session.commit()
    # Trainers of the course hear "your roster changed", coordinators "new data", as after a sync.
    after_sync(device_id, ops, acks)
    return created, len(enrolments)


def _enrolments(course: Course, trainee_ids: list[str], clock: _Clock) -> list[dict[str, Any]]:
    already = set(db.session.scalars(select(Enrollment.trainee_id).where(
        Enrollment.course_id == course.id, Enrollment.deleted.is_(False))))
    ops = []
    for trainee_id in dict.fromkeys(trainee_ids):
        if trainee_id in already:
            continue
        fields = {"course_id": course.id, "trainee_id": trainee_id}
        record_id = derived_id("enrollment", fields)
        assert record_id is not None
        ops.append(_op("enrollment", record_id, clock.next(), fields))
    return ops


def _op(entity: str, record_id: str, hlc: str, fields: dict[str, Any]) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "entity": entity, "id": record_id, "hlc": hlc, "kind": "upsert",
            "fields": fields}


class _Clock:
    """Server HLCs for a batch of ops, each after the last and after everything accepted."""

    def __init__(self) -> None:
        self.last: Hlc | None = parse_hlc(next_server_hlc())

    def next(self) -> str:
        self.last = tick(self.last, int(time.time() * 1000), SERVER_NODE)
        return str(self.last)
