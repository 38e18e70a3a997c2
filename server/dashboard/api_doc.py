"""The dashboard's endpoints as the OpenAPI document describes them (server/openapi.py merges these)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema

from server.dashboard import schemas

SCHEMAS: dict[str, type[Schema]] = {
    "AreaList": schemas.AreaList, "CourseList": schemas.CourseList, "CourseRoster": schemas.CourseRoster,
    "Figures": schemas.Figures, "FieldHealth": schemas.FieldHealth, "DuplicateList": schemas.DuplicateList,
    "MergePreview": schemas.MergePreview,
}
SCOPE = ("Scoped like a sync: a coordinator sees the communes inside their area, an admin everything. "
         "See docs/dashboard.md.")


def _get(summary: str, answer: str, described: str, query: type[Schema] | None = None,
         not_found: str | None = None, path_id: str | None = None) -> dict[str, Any]:
    """Describe a GET with a device token: its query, answer and the errors every dashboard read has."""
    parameters: list[dict[str, Any]] = []
    if path_id:
        parameters.append({"name": path_id, "in": "path", "required": True, "schema": {"type": "string"}})
    if query:
        parameters.append({"in": "query", "schema": query})
    responses = {"200": {"description": described, "content": {"application/json": {"schema": answer}}},
                 "400": _error("invalid_request: a query parameter of the wrong shape"),
                 "401": _error("missing, unknown or revoked device token"),
                 "403": _error("not_a_coordinator: the caller is a trainer")}
    if not_found:
        responses["404"] = _error(not_found)
    return {"get": {"summary": summary, "description": SCOPE, "security": [{"deviceToken": []}],
                    "parameters": parameters, "responses": responses}}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": "ErrorBody"}}}


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/areas": _get("The caller's areas: province, communes, villages", "AreaList",
                          "live areas, provinces first, then communes and villages, each by name"),
    "/api/v1/courses": _get("The courses of the caller's area, with sessions, trainees and attendance rate",
                            "CourseList", "courses by commune, start date and title", schemas.CoursesQuery,
                            "unknown_area: commune_id is not an area of the caller's"),
    "/api/v1/courses/{course_id}": _get(
        "One course's roster: sessions with their counts, trainees with marks, confirmations and skills",
        "CourseRoster", "the course, its checklist, its sessions by date and its trainees by name",
        schemas.CourseQuery, "unknown_course: no such course in the caller's area", "course_id"),
    "/api/v1/figures": _get("The figures a province reports, with breakdowns by commune, gender, ethnicity, age",
                            "Figures", "totals, skills and breakdowns (docs/dashboard.md §2)",
                            schemas.FiguresQuery, "unknown_area: area_id is not an area of the caller's"),
    "/api/v1/health": _get("Field health: stale phones, rejected ops, open conflicts", "FieldHealth",
                           "devices as GET /api/v1/devices with `stale`, the last 100 rejected ops, open conflicts",
                           schemas.HealthQuery),
    "/api/v1/duplicates": _get("Likely duplicate trainees: same commune and birth year, similar name",
                               "DuplicateList", "pairs, the most alike first (at most 500)", schemas.DuplicatesQuery,
                               "unknown_area: commune_id is not an area of the caller's"),
    "/api/v1/duplicates/preview": _get(
        "What merging one trainee into another would move", "MergePreview",
        "both trainees, the records that would follow, and how many both have", schemas.PreviewQuery,
        "unknown_trainee: either trainee is not in the caller's area"),
}
PATHS["/api/v1/duplicates/preview"]["get"]["responses"].update({
    "400": _error("invalid_request (keep or merge missing), or same_trainee"),
    "409": _error("already_merged: one of them was merged before")})
