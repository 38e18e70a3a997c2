"""The passkey endpoints: staff register and sign in; trainees register for check-in."""

from __future__ import annotations

import time

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from server import audit
from server.database import begin_write
from server.devices.tokens import new_device, require_device
from server.devices.views import EnrolResponse
from server.errors import ApiError
from server.extensions import db
from server.models import User
from server.rate_limits import rate_limited
from server.validation import load_json
from server.webauthn.ceremonies import LOGIN, REGISTER, TRAINEE_REGISTER, spend_ceremony
from server.webauthn.passkeys import add_passkey, begin_login, begin_registration, sign_in
from server.webauthn.relying_party import relying_party
from server.webauthn.schemas import (
    PasskeyLoginRequest,
    PasskeyOptions,
    PasskeyRegistered,
    PasskeyRegisterRequest,
    TraineePasskeyOptionsRequest,
)
from server.webauthn.trainee import trainee_on_roster

bp = Blueprint("webauthn", __name__, url_prefix="/api/v1/webauthn")
STAFF_ROLES = ("trainer", "coordinator", "admin")


def staff_user() -> User:
    user: User | None = g.user
    if user is None or user.role not in STAFF_ROLES:
        raise ApiError(403, "not_staff", "only trainers and coordinators sign in with passkeys")
    return user


@bp.post("/register/options")
@require_device
def register_options() -> ResponseReturnValue:
    """Start registering a passkey for the device's user."""
    begin_write()
    reply = begin_registration(relying_party(), user=staff_user())
    db.session.commit()
    return jsonify(PasskeyOptions().dump(reply))


@bp.post("/register")
@require_device
def register() -> ResponseReturnValue:
    """Keep the passkey the device's user just made."""
    body = load_json(PasskeyRegisterRequest(), request)
    ceremony = spend_ceremony(body["ceremony_id"], REGISTER, user_id=staff_user().id)
    begin_write()
    passkey = add_passkey(ceremony, body["credential"], relying_party())
    audit.record("passkey.registered", passkey.user_id, target_id=passkey.credential_id,
                 subject_user_id=passkey.user_id)
    db.session.commit()
    return PasskeyRegistered().dump({"credential_id": passkey.credential_id}), 201


@bp.post("/login/options")
@rate_limited("sign_in")
def login_options() -> ResponseReturnValue:
    """Start a passkey sign-in on a new phone or computer."""
    begin_write()
    reply = begin_login(relying_party())
    db.session.commit()
    return jsonify(PasskeyOptions().dump(reply))


@bp.post("/login")
@rate_limited("sign_in")
def login() -> ResponseReturnValue:
    """Sign in with a passkey: a new device and its token, as an enrolment code gives."""
    body = load_json(PasskeyLoginRequest(), request)
    ceremony = spend_ceremony(body["ceremony_id"], LOGIN)
    begin_write()
    passkey = sign_in(ceremony, body["credential"], relying_party())
    user = db.session.get(User, passkey.user_id)
    assert user is not None
    device, token = new_device(user.id, body["label"], body["app_version"])
    audit.record("passkey.signed_in", user.id, target_id=device.id, subject_user_id=user.id,
                 details={"credential_id": passkey.credential_id}, device_id=device.id)
    db.session.commit()
    reply = {"device_id": device.id, "token": token, "user": {"id": user.id, "name": user.name, "role": user.role}}
    return EnrolResponse().dump(reply), 201


@bp.post("/trainee/register/options")
@rate_limited("trainee_passkey")
def trainee_register_options() -> ResponseReturnValue:
    """Start registering a trainee's passkey, with a current check-in code and their birth year."""
    body = load_json(TraineePasskeyOptionsRequest(), request)
    begin_write()
    trainee = trainee_on_roster(body["token"], body["trainee_id"], body["birth_year"], int(time.time() * 1000))
    reply = begin_registration(relying_party(), trainee=trainee)
    db.session.commit()
    return jsonify(PasskeyOptions().dump(reply))


@bp.post("/trainee/register")
@rate_limited("trainee_passkey")
def trainee_register() -> ResponseReturnValue:
    """Keep the trainee's new passkey; their phone signs confirmations with it."""
    body = load_json(PasskeyRegisterRequest(), request)
    ceremony = spend_ceremony(body["ceremony_id"], TRAINEE_REGISTER)
    begin_write()
    passkey = add_passkey(ceremony, body["credential"], relying_party())
    audit.record("passkey.registered", None, target_id=passkey.credential_id,
                 details={"trainee_id": passkey.trainee_id})
    db.session.commit()
    return PasskeyRegistered().dump({"credential_id": passkey.credential_id}), 201
