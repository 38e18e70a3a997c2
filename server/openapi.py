"""GET /api/v1/openapi.json: every endpoint, described from the schemas the views use."""

from __future__ import annotations

from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Flask, jsonify
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields

from server.audit_api import PATHS as AUDIT_PATHS
from server.audit_api import SCHEMAS as AUDIT_SCHEMAS
from server.checkins.schemas import CheckinRequest, CheckinResponse, RosterResponse
from server.dashboard.api_doc import PATHS as DASHBOARD_PATHS
from server.dashboard.api_doc import SCHEMAS as DASHBOARD_SCHEMAS
from server.devices.schemas import DeviceInfo, DeviceList, EnrolmentCodeResponse
from server.devices.views import EnrolRequest, EnrolResponse
from server.outbox_files.schemas import OutboxFile, OutboxImportResponse, OutboxPayload
from server.push.schemas import PATHS as PUSH_PATHS
from server.push.schemas import SCHEMAS as PUSH_SCHEMAS
from server.sync_api.schemas import SyncRequest, SyncResponse
from server.trainees.api_doc import PATHS as TRAINEE_PATHS
from server.trainees.api_doc import SCHEMAS as TRAINEE_SCHEMAS
from server.transfers.schemas import PATHS as TRANSFER_PATHS
from server.transfers.schemas import SCHEMAS as TRANSFER_SCHEMAS
from server.webauthn.schemas import (
    PasskeyLoginRequest,
    PasskeyOptions,
    PasskeyRegistered,
    PasskeyRegisterRequest,
    TraineePasskeyOptionsRequest,
)

bp = Blueprint("openapi", __name__, url_prefix="/api/v1")


class ErrorDetail(Schema):
    code = fields.String(required=True)
    message = fields.String(required=True)
    details = fields.Dict(required=True)


class ErrorBody(Schema):
    error = fields.Nested(ErrorDetail, required=True)


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": "ErrorBody"}}}


def _path_id(name: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _too_many() -> dict[str, Any]:
    """The answer of an endpoint under a rate limit (server/rate_limits.py) once it is used up."""
    return {**_error("too_many_attempts: this address used up its attempts for now; nothing was done"),
            "headers": {"Retry-After": {"description": "seconds until the address may try again",
                                        "schema": {"type": "integer"}}}}


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
    "/api/v1/devices": {"get": {
        "summary": "List the devices of the people in the coordinator's area (admin: all), latest sync first",
        "security": [{"deviceToken": []}],
        "responses": {"200": _json("DeviceList", "each device with its owner, enrolment, last sync, "
                                                 "app version, pending ops as last reported, and revocation"),
                      "401": _error("missing, unknown or revoked device token"),
                      "403": _error("not_a_coordinator: the caller is a trainer")},
    }, "post": {
        "summary": "Redeem a one-time enrolment code for a device token",
        "requestBody": {"required": True, "content": {"application/json": {"schema": "EnrolRequest"}}},
        "responses": {
            "201": _json("EnrolResponse", "the device id and its long-lived token"),
            "400": _error("malformed request, or a wrong, used or expired code"),
            "429": _too_many(),
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
    "/api/v1/webauthn/register/options": {"post": {
        "summary": "Start registering a passkey for the device's user (trainer, coordinator, admin)",
        "security": [{"deviceToken": []}],
        "responses": {"200": _json("PasskeyOptions", "a ceremony id and options for navigator.credentials.create()"),
                      "401": _error("missing, unknown or revoked device token"),
                      "403": _error("not_staff")},
    }},
    "/api/v1/webauthn/register": {"post": {
        "summary": "Keep the passkey the device's user just made",
        "security": [{"deviceToken": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "PasskeyRegisterRequest"}}},
        "responses": {"201": _json("PasskeyRegistered", "the new passkey's credential id"),
                      "400": _error("invalid_ceremony (unknown, used, expired or of another purpose), "
                                    "invalid_credential, or a malformed request"),
                      "401": _error("missing, unknown or revoked device token"),
                      "403": _error("not_staff"), "409": _error("passkey_exists")},
    }},
    "/api/v1/webauthn/login/options": {"post": {
        "summary": "Start a passkey sign-in (discoverable: no credentials listed)",
        "responses": {"200": _json("PasskeyOptions", "a ceremony id and the options for navigator.credentials.get()"),
                      "429": _too_many()},
    }},
    "/api/v1/webauthn/login": {"post": {
        "summary": "Sign in with a passkey: a new device token, as an enrolment code gives",
        "requestBody": {"required": True, "content": {"application/json": {"schema": "PasskeyLoginRequest"}}},
        "responses": {"201": _json("EnrolResponse", "the new device's id, its long-lived token and its user"),
                      "400": _error("invalid_ceremony, or a malformed request"),
                      "401": _error("passkey_refused: unknown or revoked passkey, or a bad signature"),
                      "429": _too_many()},
    }},
    "/api/v1/webauthn/trainee/register/options": {"post": {
        "summary": "Start registering a trainee's passkey with a current check-in code and their birth year",
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": "TraineePasskeyOptionsRequest"}}},
        "responses": {"200": _json("PasskeyOptions", "a ceremony id and options for navigator.credentials.create()"),
                      "400": _error("invalid_checkin_token (not genuine or not current), or a malformed request"),
                      "403": _error("not_on_roster, or birth_year_mismatch"), "429": _too_many()},
    }},
    "/api/v1/webauthn/trainee/register": {"post": {
        "summary": "Keep the trainee's new passkey; their phone signs confirmations with it",
        "requestBody": {"required": True, "content": {"application/json": {"schema": "PasskeyRegisterRequest"}}},
        "responses": {"201": _json("PasskeyRegistered", "the new passkey's credential id"),
                      "400": _error("invalid_ceremony, invalid_credential, or a malformed request"),
                      "409": _error("passkey_exists"), "429": _too_many()},
    }},
    "/api/v1/devices/{device_id}/revoke": {"post": {
        "summary": "Revoke a device of a person in the coordinator's area: its next contact is told to wipe",
        "security": [{"deviceToken": []}],
        "parameters": [_path_id("device_id")],
        "responses": {"200": _json("DeviceInfo", "the device, with revoked_at set (revoking again keeps the first)"),
                      "401": _error("missing, unknown or revoked device token"),
                      "403": _error("not_a_coordinator"),
                      "404": _error("unknown_device: no such device, or not of a person in the caller's area")},
    }},
    "/api/v1/users/{user_id}/enrolment-codes": {"post": {
        "summary": "Make a one-time enrolment code for a person in the coordinator's area (recovery)",
        "security": [{"deviceToken": []}],
        "parameters": [_path_id("user_id")],
        "responses": {"201": _json("EnrolmentCodeResponse", "the code and the link that opens the app with it"),
                      "401": _error("missing, unknown or revoked device token"),
                      "403": _error("not_a_coordinator"),
                      "404": _error("unknown_user: no such user, or not in the caller's area")},
    }},
    "/api/v1/checkins/roster": {"get": {
        "summary": "The trainees of a check-in code's session, for a trainee to pick their name",
        "description": "Names and birth-year checks only. The code must be genuine and current by the "
                       "server's clock (its window within one of now).",
        "parameters": [{"name": "token", "in": "query", "required": True, "schema": {"type": "string"},
                        "description": "the check-in code the trainer's phone shows"}],
        "responses": {"200": _json("RosterResponse", "the session and its course's trainees, by name"),
                      "400": _error("invalid_checkin_token: not a code the server made, or its session is gone"),
                      "410": _error("checkin_token_expired: a genuine code, no longer current"),
                      "429": _too_many()},
    }},
    "/api/v1/checkins": {"post": {
        "summary": "Send confirmations from a trainee's own phone (no device token)",
        "description": "Each op must be a confirmation whose proof carries a genuine check-in code of the "
                       "op's own session (expired codes are judged, not refused), about a trainee enrolled "
                       "in the session's course; any other op is acked rejected and nothing of it is stored.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": "CheckinRequest"}}},
        "responses": {"200": _json("CheckinResponse", "one ack per op, in order, as a sync gives"),
                      "400": _error("malformed JSON, more than 20 ops, bad gzip"),
                      "413": _error("request body too large, compressed or inflated"),
                      "415": _error("Content-Encoding other than gzip"),
                      "429": _too_many()},
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
                         ("PasskeyOptions", PasskeyOptions), ("PasskeyRegisterRequest", PasskeyRegisterRequest),
                         ("PasskeyRegistered", PasskeyRegistered), ("PasskeyLoginRequest", PasskeyLoginRequest),
                         ("TraineePasskeyOptionsRequest", TraineePasskeyOptionsRequest),
                         ("DeviceInfo", DeviceInfo), ("DeviceList", DeviceList),
                         ("EnrolmentCodeResponse", EnrolmentCodeResponse),
                         ("CheckinRequest", CheckinRequest), ("CheckinResponse", CheckinResponse),
                         ("RosterResponse", RosterResponse),
                         ("ErrorBody", ErrorBody)):
        spec.components.schema(name, schema=schema)
    for name, schema in {**PUSH_SCHEMAS, **TRANSFER_SCHEMAS, **DASHBOARD_SCHEMAS, **AUDIT_SCHEMAS,
                         **TRAINEE_SCHEMAS}.items():
        spec.components.schema(name, schema=schema)
    spec.components.security_scheme("deviceToken", {"type": "http", "scheme": "bearer"})
    for path, operations in {**PATHS, **PUSH_PATHS, **TRANSFER_PATHS, **DASHBOARD_PATHS, **AUDIT_PATHS,
                             **TRAINEE_PATHS}.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi_document() -> ResponseReturnValue:
    """Serve the OpenAPI document."""
    return jsonify(build_spec())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
