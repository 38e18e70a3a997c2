"""GET /api/v1/openapi.json: every endpoint, described from the schemas the views use."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from server.devices.views import EnrolRequest, EnrolResponse
from server.outbox_files.schemas import OutboxFile, OutboxImportResponse, OutboxPayload
from server.sync_api.schemas import SyncRequest, SyncResponse

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")


class ErrorDetail(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorBody(Schema):
    error = fields.Nested(ErrorDetail, required=True)


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": "ErrorBody"}}}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/sync": {"post": {
        "summary": "Push ops and pull changes in one round trip",
        "security": [{"deviceToken": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "SyncRequest"}}},
        "responses": {
            "200": _json("SyncResponse", "acks for every op, then changes in scope since the cursor"),
            "400": _error("malformed JSON, wrong types, bad cursor, device_id not the token's"),
            "401": _error("missing, unknown or revoked device token (revoked: details.wipe is true)"),
            "413": _error("request body too large, compressed or inflated"),
            "415": _error("Content-Encoding other than gzip"),
            "426": _error("protocol version not supported: update the app"),
        },
    }},
    "/api/v1/devices": {"post": {
        "summary": "Redeem a one-time enrolment code for a device token",
        "requestBody": {"required": True, "content": {"application/json": {"schema": "EnrolRequest"}}},
        "responses": {
            "201": _json("EnrolResponse", "the device id and its long-lived token"),
            "400": _error("malformed request, or a wrong, used or expired code"),
        },
    }},
    "/api/v1/outbox-files": {"post": {
        "summary": "Import a trainer's saved outbox file, as that phone's own sync would apply it",
        "description": "The uploader's device token must belong to a coordinator whose area covers the "
                       "file's phone's user, or to an admin. The payload (an OutboxPayload as JSON text) "
                       "is checked against its signature before anything is applied.",
        "security": [{"deviceToken": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "OutboxFile"}}},
        "responses": {
            "200": _json("OutboxImportResponse", "one ack per op, in file order, and the count of each status"),
            "400": _error("not an outbox file (invalid_outbox_file), or bad_signature"),
            "401": _error("missing, unknown or revoked uploader token"),
            "403": _error("not_a_coordinator, outside_your_area, or source_device_revoked"),
            "404": _error("unknown_device: no phone with the file's device_id"),
            "413": _error("file too large, compressed or inflated"),
            "415": _error("Content-Encoding other than gzip"),
        },
    }},
    "/api/v1/openapi.json": {"get": {
        "summary": "This document",
        "responses": {"200": {"description": "OpenAPI 3 document"}},
    }},
}


def build_spec() -> dict[str, Any]:
    """Assemble the OpenAPI document."""
    spec = APISpec(title="FieldRoll API", version="1", openapi_version="3.0.3",
                   plugins=[MarshmallowPlugin()],
                   info={"description": "Sync protocol v1, device enrolment and outbox files; see docs/protocol.md"})
    for name, schema in (("SyncRequest", SyncRequest), ("SyncResponse", SyncResponse),
                         ("EnrolRequest", EnrolRequest), ("EnrolResponse", EnrolResponse),
                         ("OutboxFile", OutboxFile), ("OutboxPayload", OutboxPayload),
                         ("OutboxImportResponse", OutboxImportResponse),
                         ("ErrorBody", ErrorBody)):
        spec.components.schema(name, schema=schema)
    spec.components.security_scheme("deviceToken", {"type": "http", "scheme": "bearer"})
    for path, operations in PATHS.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    """Serve the OpenAPI document."""
    return jsonify(build_spec())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
