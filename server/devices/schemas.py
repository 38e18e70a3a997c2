"""Answer bodies of the coordinators' device endpoints."""

from __future__ import annotations

from marshmallow import Schema, fields


class DeviceOwner(Schema):
    id = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)


class DeviceInfo(Schema):
    id = fields.String(required=True)
    label = fields.String(required=True, allow_none=True)
    owner = fields.Nested(DeviceOwner, required=True)
    enrolled_at = fields.DateTime(required=True, format="iso")
    last_sync_at = fields.DateTime(required=True, allow_none=True, format="iso")
    app_version = fields.String(required=True, allow_none=True)
    pending_ops = fields.Integer(required=True, allow_none=True, metadata={
        "description": "ops still in the device's outbox, as it reported at its last sync"})
    revoked_at = fields.DateTime(required=True, allow_none=True, format="iso")


class DeviceList(Schema):
    devices = fields.List(fields.Nested(DeviceInfo), required=True)


class EnrolmentCodeResponse(Schema):
    code = fields.String(required=True, metadata={"description": "one-time code, as XXXXX-XXXXX"})
    link = fields.String(required=True, metadata={"description": "opens the app with the code filled in"})
