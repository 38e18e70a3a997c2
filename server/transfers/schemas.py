"""The import's answer (the view builds it as plain data) and the OpenAPI paths of imports and exports."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate


class ImportedTrainee(Schema):
    id = fields.String(metadata={"description": "the new trainee's id (only when imported)"})
    full_name = fields.String(allow_none=True)
    gender = fields.String(allow_none=True, validate=validate.OneOf(["female", "male", "other"]))
    birth_year = fields.Integer(allow_none=True)
    ethnicity = fields.String(allow_none=True)
    village = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    cooperative = fields.String(allow_none=True)
    consent = fields.Boolean(allow_none=True)
    commune_id = fields.String(allow_none=True)
    commune_name = fields.String(allow_none=True)


class ImportLine(Schema):
    line = fields.Integer(required=True, metadata={"description": "the line number a spreadsheet shows"})
    status = fields.String(required=True, validate=validate.OneOf(["ok", "error", "duplicate"]))
    messages = fields.List(fields.String(), required=True)
    trainee = fields.Nested(ImportedTrainee, required=True)
    duplicate_of = fields.Dict(metadata={"description": "{\"line\": n} of an earlier line, or "
                                                        "{\"trainee_id\": id} of an existing trainee"})


class ImportReport(Schema):
    rows = fields.List(fields.Nested(ImportLine), required=True)
    ok = fields.Integer(required=True, metadata={"description": "lines that are (or would be) new trainees"})
    errors = fields.Integer(required=True)
    duplicates = fields.Integer(required=True)
    imported = fields.Integer(required=True, metadata={"description": "trainees created (0 on a dry run or "
                                                                      "with any error)"})
    enrolled = fields.Integer(required=True, metadata={"description": "enrolments created in course_id"})
    dry_run = fields.Boolean(required=True)
    columns = fields.Dict(required=True, metadata={"description": "header as written → field it was read as"})
    ignored_columns = fields.List(fields.String(), required=True)


# ImportLine and ImportedTrainee are named by apispec itself, as ImportReport's nested schemas.
SCHEMAS: dict[str, type[Schema]] = {"ImportReport": ImportReport}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": "ErrorBody"}}}


def _file(mimetype: str, description: str) -> dict[str, Any]:
    return {"description": description + ". Content-Disposition: attachment, with an ASCII filename and a "
                                         "UTF-8 filename* (RFC 5987)",
            "content": {mimetype: {"schema": {"type": "string", "format": "binary"}}}}


def _query(name: str, description: str, required: bool = False, fmt: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", **({"format": fmt} if fmt else {})}
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


LANG = {"name": "lang", "in": "query", "required": False,
        "schema": {"type": "string", "enum": ["vi", "en"], "default": "vi"},
        "description": "language of headers and words in the file"}
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LANG_ERROR = {"400": _error("invalid_request: lang is neither vi nor en")}
SCOPE_ERRORS = {"401": _error("missing, unknown or revoked device token"),
                "403": _error("not_a_coordinator: the caller is a trainer")}
ROSTER = {
    "summary": "A course's roster: one row per trainee, a column per session (status) and per skill (level)",
    "security": [{"deviceToken": []}],
    "parameters": [_query("course_id", "the course", required=True), LANG],
}
FIGURES = {
    "summary": "The figures of GET /api/v1/figures: totals, skills, and one table per breakdown "
               "(commune, gender, ethnicity, age group); rates are 0..1",
    "security": [{"deviceToken": []}],
    "parameters": [_query("area_id", "default: the caller's area"), _query("from", "first session date", fmt="date"),
                   _query("to", "last session date", fmt="date"), _query("program_id", "only this program"), LANG],
}

PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/imports": {"post": {
        "summary": "Import trainees (and enrolments) from a CSV or XLSX list: a report line by line",
        "description": "CSV in UTF-8 (with or without BOM; comma, semicolon or tab) or XLSX (first sheet). "
                       "Vietnamese or English headers, case- and accent-blind; title lines above the header "
                       "are skipped. Lines repeating an earlier line or a live trainee of the same commune (same "
                       "name without accents, same birth year) are duplicates: not created again, but enrolled "
                       "in course_id. With any error line nothing is applied; applied trainees are ops from "
                       "the coordinator, so trainers' phones pull them.",
        "security": [{"deviceToken": []}],
        "parameters": [{"name": "dry_run", "in": "query", "required": False,
                        "schema": {"type": "integer", "enum": [0, 1], "default": 1},
                        "description": "1 (the default): only check; 0: import when no line has an error"}],
        "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary",
                                    "description": "the .csv or .xlsx file (at most FIELDROLL_IMPORT_MAX_FILE_BYTES, "
                                                   "2 MiB, and FIELDROLL_IMPORT_MAX_ROWS rows, 5,000)"},
                           "course_id": {"type": "string", "description": "enrol every line in this course"},
                           "dry_run": {"type": "string", "enum": ["0", "1"],
                                       "description": "as the query parameter (which wins)"}}}}}},
        "responses": {
            "200": {"description": "the report: every line's status and messages, and the counts",
                    "content": {"application/json": {"schema": "ImportReport"}}},
            "400": _error("missing_file, empty_file, no_rows, not_utf8, unreadable_file, unsupported_file (.xls), "
                          "unrecognised_headers (details.found, details.expected), too_many_rows, invalid_request"),
            **SCOPE_ERRORS,
            "404": _error("unknown_course: course_id is not a course of the caller's area"),
            "409": _error("import_refused: the sync engine refused an op; nothing was imported"),
            "413": _error("file_too_large"),
        },
    }},
    "/api/v1/exports/roster.csv": {"get": {
        **ROSTER, "responses": {"200": _file(CSV, "UTF-8 with a BOM, so Excel shows diacritics"), **LANG_ERROR,
                                **SCOPE_ERRORS,
                                "404": _error("unknown_course: not a course of the caller's area")}}},
    "/api/v1/exports/roster.xlsx": {"get": {
        **ROSTER, "responses": {"200": _file(XLSX, "one sheet, header row bold and frozen with the names"),
                                **LANG_ERROR, **SCOPE_ERRORS,
                                "404": _error("unknown_course: not a course of the caller's area")}}},
    "/api/v1/exports/figures.csv": {"get": {
        **FIGURES, "responses": {"200": _file(CSV, "one block per table, its title above it; UTF-8 with a BOM"),
                                 "400": _error("invalid_request: a bad date or id"), **SCOPE_ERRORS,
                                 "404": _error("unknown_area: area_id is not in the caller's area")}}},
    "/api/v1/exports/figures.xlsx": {"get": {
        **FIGURES, "responses": {"200": _file(XLSX, "one sheet per table, header rows bold and frozen"),
                                 "400": _error("invalid_request: a bad date or id"), **SCOPE_ERRORS,
                                 "404": _error("unknown_area: area_id is not in the caller's area")}}},
    "/api/v1/exports/attendance-sheet.pdf": {"get": {
        "summary": "A session's printable attendance sheet: A4, header block, a table with an empty signature "
                   "column whose header row repeats on every page",
        "security": [{"deviceToken": []}],
        "parameters": [_query("session_id", "the session", required=True), LANG],
        "responses": {"200": _file("application/pdf", "named with the course and the session's date"),
                      **LANG_ERROR, **SCOPE_ERRORS,
                      "404": _error("unknown_session: not a session of the caller's area"),
                      "503": _error("pdf_font_missing: install fonts-dejavu-core or set FIELDROLL_PDF_FONT")}}},
}
