"""The saved-outbox file the PWA writes, and the import's answer."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from server.sync_api.schemas import AckSchema, at_most_ops

FILE_FORMAT = "fieldroll-outbox"
FILE_VERSION = 1
# 9999-12-31T23:59:59.999Z: any later "time" is garbage, and could not be shown as a date.
MAX_TIME_MS = 253_402_300_799_999


class OutboxFile(Schema):
    format = fields.String(required=True, validate=validate.Equal(
        FILE_FORMAT, error="this is not a FieldRoll outbox file"))
    version = fields.Integer(required=True, strict=True, validate=validate.Equal(
        FILE_VERSION, error="this server reads version 1 outbox files: update the server"))
    payload = fields.String(required=True, metadata={
        "description": "the JSON text of an OutboxPayload, exactly as signed"})
    signature = fields.String(required=True, metadata={
        "description": "hex HMAC-SHA256 of the payload's UTF-8 bytes, keyed by the SHA-256 digest of "
                       "the device token"})


class OutboxPayload(Schema):
    # A UUID, checked here: the database is asked for it, and PostgreSQL refuses NUL characters.
    device_id = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f-]{36}\Z",
                                                                      error="must be a lowercase UUID"))
    created_at_ms = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_TIME_MS))
    app_version = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    ops = fields.List(fields.Raw(allow_none=True), required=True,
                      validate=at_most_ops("MAX_OPS_PER_OUTBOX_FILE", "file"),
                      metadata={"description": "wire ops, as in a sync request"})


class OutboxImportResponse(Schema):
    device_id = fields.String(required=True)
    acks = fields.List(fields.Nested(AckSchema), required=True)
    applied = fields.Integer(required=True)
    duplicate = fields.Integer(required=True)
    conflict = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
