"""Import and export endpoints for coordinators: parse, call, send the answer or the file."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, g, request
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE

from server import audit
from server.compression import json_response
from server.dashboard.figures import figures
from server.dashboard.schemas import FiguresQuery
from server.database import begin_write
from server.devices.manage import require_manager
from server.devices.tokens import require_device
from server.errors import ApiError
from server.extensions import db
from server.models import Area
from server.scope import actor_for
from server.transfers.access import course_in_scope, session_in_scope
from server.transfers.attendance_pdf import attendance_sheet
from server.transfers.figures_tables import figures_tables
from server.transfers.importer import import_trainees
from server.transfers.labels import LANGS, word
from server.transfers.roster import roster_of
from server.transfers.tables import CSV_MIMETYPE, XLSX_MIMETYPE, roster_table, to_csv, to_xlsx
from server.transfers.text import attachment, file_part
from server.transfers.upload import uploaded_file
from server.validation import validate_body

bp = Blueprint("transfers", __name__, url_prefix="/api/v1")
TRUE_WORDS, FALSE_WORDS = {"1", "true", "yes"}, {"0", "false", "no"}


@bp.post("/imports")
@require_device
def import_file() -> ResponseReturnValue:
    """Check a trainee list line by line; unless a dry run or any line failed, import it."""
    actor = actor_for(g.user)
    require_manager(actor)
    data = uploaded_file(request)
    dry_run = _flag(request.args.get("dry_run") or request.form.get("dry_run") or "1")
    course_id = request.form.get("course_id") or request.args.get("course_id")
    course = course_in_scope(actor, course_id) if course_id else None
    report = import_trainees(data, actor, course, dry_run, current_app.config["IMPORT_MAX_ROWS"], g.device.id)
    return json_response(report)


@bp.get("/exports/roster.csv")
@require_device
def roster_csv() -> ResponseReturnValue:
    """Download a course's roster as CSV (UTF-8 with BOM)."""
    return _roster_file("csv")


@bp.get("/exports/roster.xlsx")
@require_device
def roster_xlsx() -> ResponseReturnValue:
    """Download a course's roster as an XLSX workbook."""
    return _roster_file("xlsx")


@bp.get("/exports/attendance-sheet.pdf")
@require_device
def attendance_sheet_pdf() -> ResponseReturnValue:
    """Download a session's printable attendance sheet (A4 PDF)."""
    lang = _lang()
    session, course = session_in_scope(actor_for(g.user), request.args.get("session_id"))
    config = current_app.config
    roster = roster_of(course, session.id)
    pdf = attendance_sheet(roster, config["PDF_FONT"], config["PDF_FONT_BOLD"], lang)
    _downloaded("attendance-sheet.pdf", session.id, len(roster.trainees))
    name = f"{word(lang, 'sheet')}-{file_part(course.title or 'course')}-{session.date}.pdf"
    return download(pdf, "application/pdf", name)


@bp.get("/exports/figures.csv")
@require_device
def figures_csv() -> ResponseReturnValue:
    """Download the figures of an area and date range as CSV: one block per breakdown."""
    return _figures_file("csv")


@bp.get("/exports/figures.xlsx")
@require_device
def figures_xlsx() -> ResponseReturnValue:
    """Download the figures of an area and date range as XLSX: one sheet per breakdown."""
    return _figures_file("xlsx")


def _figures_file(kind: str) -> Response:
    lang = _lang()
    actor = actor_for(g.user)
    require_manager(actor)
    args = validate_body(FiguresQuery(unknown=EXCLUDE), request.args.to_dict())
    found = figures(actor, args["area_id"], args["date_from"], args["date_to"], args["program_id"])
    area = db.session.get(Area, args["area_id"] or g.user.area_id or "")
    scope = area.name if area is not None and area.name else "*"
    tables = figures_tables(found, lang, scope, args["date_from"], args["date_to"])
    data, mimetype = (to_csv(tables), CSV_MIMETYPE) if kind == "csv" else (to_xlsx(tables), XLSX_MIMETYPE)
    _downloaded(f"figures.{kind}", args["area_id"] or g.user.area_id, 0)
    span = "-".join(part for part in (args["date_from"], args["date_to"]) if part)
    name = "-".join(part for part in (word(lang, "figures"), file_part(scope) if area else "", span) if part)
    return download(data, mimetype, f"{name}.{kind}")


def _roster_file(kind: str) -> Response:
    lang = _lang()
    course = course_in_scope(actor_for(g.user), request.args.get("course_id"))
    roster = roster_of(course)
    table = roster_table(roster, lang)
    data, mimetype = (to_csv([table]), CSV_MIMETYPE) if kind == "csv" else (to_xlsx([table]), XLSX_MIMETYPE)
    _downloaded(f"roster.{kind}", course.id, len(roster.trainees))
    return download(data, mimetype, f"{word(lang, 'roster')}-{file_part(course.title or 'course')}.{kind}")


def _downloaded(file: str, target_id: str | None, trainees: int) -> None:
    """Log who took which file of personal data (trainees: how many people it names), and commit."""
    begin_write()
    audit.record("export.downloaded", g.user.id, target_id=target_id, details={"file": file, "trainees": trainees})
    db.session.commit()


def download(data: bytes, mimetype: str, name: str) -> Response:
    """Answer a file to save, named in ASCII and in UTF-8 (RFC 5987); never cached by the way."""
    response = Response(data, content_type=mimetype)
    response.headers["Content-Disposition"] = attachment(name)
    response.headers["Cache-Control"] = "no-store"
    return response


def _flag(value: str) -> bool:
    if value.strip().lower() in TRUE_WORDS:
        return True
    if value.strip().lower() in FALSE_WORDS:
        return False
    raise ApiError(400, "invalid_request", "dry_run must be 1 or 0")


def _lang() -> str:
    lang = request.args.get("lang", "vi")
    if lang not in LANGS:
        raise ApiError(400, "invalid_request", "lang must be vi or en")
    return lang
