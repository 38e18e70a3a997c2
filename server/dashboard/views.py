"""The dashboard's read endpoints: parse the query, ask a query module, serialise."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g, request
from flask.typing import ResponseReturnValue
from marshmallow import EXCLUDE, Schema

from server.compression import json_response
from server.dashboard import schemas
from server.dashboard.access import manager
from server.dashboard.course_roster import course_roster
from server.dashboard.duplicates import duplicate_pairs, merge_preview
from server.dashboard.figures import figures
from server.dashboard.health import field_health
from server.dashboard.rosters import areas, courses
from server.devices.tokens import require_device
from server.validation import validate_body

bp = Blueprint("dashboard", __name__, url_prefix="/api/v1")


def query(schema: type[Schema]) -> dict[str, Any]:
    """Validate the query string; other parameters (a cache-buster, say) are ignored."""
    return validate_body(schema(unknown=EXCLUDE), request.args.to_dict())


@bp.get("/areas")
@require_device
def list_areas() -> ResponseReturnValue:
    """List the caller's area tree, for the drill-down."""
    return json_response(schemas.AreaList().dump({"areas": areas(manager(g.user))}))


@bp.get("/courses")
@require_device
def list_courses() -> ResponseReturnValue:
    """List the courses of the caller's area (or one commune of it), with counts."""
    args = query(schemas.CoursesQuery)
    found = courses(manager(g.user), args["commune_id"], args["q"], args["program_id"])
    return json_response(schemas.CourseList().dump({"courses": found}))


@bp.get("/courses/<course_id>")
@require_device
def show_course(course_id: str) -> ResponseReturnValue:
    """Show one course's roster: sessions, trainees' marks, confirmations and skills."""
    args = query(schemas.CourseQuery)
    found = course_roster(manager(g.user), course_id, args["q"], args["gender"], args["ethnicity"])
    return json_response(schemas.CourseRoster().dump(found))


@bp.get("/figures")
@require_device
def show_figures() -> ResponseReturnValue:
    """Count the figures a province reports, with their breakdowns."""
    args = query(schemas.FiguresQuery)
    found = figures(manager(g.user), args["area_id"], args["date_from"], args["date_to"], args["program_id"])
    return json_response(schemas.Figures().dump(found))


@bp.get("/health")
@require_device
def show_health() -> ResponseReturnValue:
    """Show stale phones, rejected ops and open conflicts of the caller's area."""
    args = query(schemas.HealthQuery)
    return json_response(schemas.FieldHealth().dump(field_health(manager(g.user), args["stale_days"])))


@bp.get("/duplicates")
@require_device
def list_duplicates() -> ResponseReturnValue:
    """List pairs of trainees that look like one person."""
    args = query(schemas.DuplicatesQuery)
    pairs = duplicate_pairs(manager(g.user), args["commune_id"])
    return json_response(schemas.DuplicateList().dump({"pairs": pairs}))


@bp.get("/duplicates/preview")
@require_device
def preview_merge() -> ResponseReturnValue:
    """Say what merging one trainee into another would move."""
    args = query(schemas.PreviewQuery)
    return json_response(schemas.MergePreview().dump(merge_preview(manager(g.user), args["keep"], args["merge"])))
