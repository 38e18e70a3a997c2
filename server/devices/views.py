"""Devices: redeem an enrolment code for a device token; coordinators list, revoke and re-enrol."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import Schema, fields, validate

from server import audit
from server.database import begin_write
from server.devices.manage import devices_in_area, enrolment_code_in_area, revoke_in_area
from server.devices.schemas import DeviceInfo, DeviceList, EnrolmentCodeResponse
from server.devices.tokens import redeem_enrolment_code, require_device
from server.extensions import db
from server.models import User
from server.rate_limits import rate_limited
from server.scope import actor_for
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
@rate_limited("enrolment")
def enrol_device() -> ResponseReturnValue:
    """Redeem a one-time enrolment code for a long-lived device token."""
    body = load_json(EnrolRequest(), request)
    # Redeeming reads the code, then writes: under the write lock, or SQLite refuses a
    # second phone enrolling at the same moment instead of letting it wait its turn.
    begin_write()
    device, token = redeem_enrolment_code(body["code"], body["label"], body["app_version"])
    user = db.session.get(User, device.user_id)
    assert user is not None
    audit.record("device.enrolled", user.id, target_id=device.id, subject_user_id=user.id,
                 details={"via": "enrolment_code"}, device_id=device.id)
    db.session.commit()
    reply = {"device_id": device.id, "token": token,
             "user": {"id": user.id, "name": user.name, "role": user.role}}
    return EnrolResponse().dump(reply), 201


@bp.get("/devices")
@require_device
def list_devices() -> ResponseReturnValue:
    """List the devices of the people in the coordinator's area, the most recently synced first."""
    devices = devices_in_area(actor_for(g.user))
    return jsonify(DeviceList().dump({"devices": devices}))


@bp.post("/devices/<device_id>/revoke")
@require_device
def revoke_device(device_id: str) -> ResponseReturnValue:
    """Revoke a device: its next contact is refused and told to wipe its local copy."""
    begin_write()
    device = revoke_in_area(actor_for(g.user), device_id)
    db.session.commit()
    return jsonify(DeviceInfo().dump(device))


@bp.post("/users/<user_id>/enrolment-codes")
@require_device
def make_enrolment_code(user_id: str) -> ResponseReturnValue:
    """Make a one-time enrolment code for a person in the coordinator's area, with its link."""
    begin_write()
    code = enrolment_code_in_area(actor_for(g.user), user_id)
    db.session.commit()
    return EnrolmentCodeResponse().dump({"code": code, "link": enrolment_link(request.host_url, code)}), 201


def enrolment_link(app_url: str, code: str) -> str:
    # server.admin imports this package (for enrolment codes), so it is imported when used.
    from server.admin import enrolment_link as link

    return link(app_url, code)
