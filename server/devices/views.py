"""POST /api/v1/devices: redeem an enrolment code for a device token."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from server.devices.tokens import redeem_enrolment_code
from server.extensions import db
from server.models import User
from server.validation import load_json

bp = Blueprint("devices", __name__, url_prefix="/api/v1")


class EnrolRequest(Schema):
    code = fields.String(required=True, validate=validate.Length(min=4, max=40))
    label = fields.String(load_default=None, validate=validate.Length(max=120))
    app_version = fields.String(load_default=None, validate=validate.Length(max=40))


class EnrolResponse(Schema):
    device_id = fields.String(required=True)
    token = fields.String(required=True)
    user = fields.Dict(required=True)


@bp.post("/devices")
def enrol_device() -> ResponseReturnValue:
    """Redeem a one-time enrolment code for a long-lived device token."""
    body = load_json(EnrolRequest(), request)
    device, token = redeem_enrolment_code(body["code"], body["label"], body["app_version"])
    user = db.session.get(User, device.user_id)
    assert user is not None
    db.session.commit()
    reply = {"device_id": device.id, "token": token,
             "user": {"id": user.id, "name": user.name, "role": user.role}}
    return EnrolResponse().dump(reply), 201
