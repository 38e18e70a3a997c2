"""Passkeys: registering them for staff and trainees, and signing staff in with them."""

from __future__ import annotations

import json
import uuid
from typing import Any

from flask import current_app
from sqlalchemy import select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from server.errors import ApiError
from server.extensions import db
from server.models import Passkey, Trainee, User, WebAuthnCeremony
from server.sql_store import now_utc
from server.webauthn.ceremonies import LOGIN, REGISTER, TRAINEE_REGISTER, begin_ceremony, challenge_of
from server.webauthn.relying_party import RelyingParty
from sync.checkin import b64url, b64url_decode

# A trainee's passkey needs no name on it: the phone remembers whose it is, and a name
# stored in a phone's passkey list is personal data shown to whoever holds the phone.
TRAINEE_USER_NAME = "trainee"
TRAINEE_DISPLAY_NAME = "FieldRoll check-in"
MAX_CREDENTIAL_ID_CHARS = 1400
# What py_webauthn raises for a response it cannot read, besides its own errors.
UNREADABLE = (WebAuthnException, ValueError, TypeError, KeyError, IndexError)


def user_handle(record_id: str) -> bytes:
    """Return the WebAuthn user handle for a user or trainee: their UUID's 16 bytes."""
    return uuid.UUID(record_id).bytes


def live_passkeys(*, user_id: str | None = None, trainee_id: str | None = None) -> list[Passkey]:
    owner = Passkey.user_id == user_id if user_id is not None else Passkey.trainee_id == trainee_id
    return list(db.session.scalars(select(Passkey).where(owner, Passkey.revoked_at.is_(None))))


def begin_registration(rp: RelyingParty, *, user: User | None = None,
                       trainee: Trainee | None = None) -> dict[str, Any]:
    """Start registering a passkey for a staff user or a trainee; the caller commits."""
    owner = user or trainee
    assert owner is not None
    known = live_passkeys(user_id=user.id) if user else live_passkeys(trainee_id=owner.id)
    options = generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_id=user_handle(owner.id),
        user_name=user.name if user else TRAINEE_USER_NAME,
        user_display_name=user.name if user else TRAINEE_DISPLAY_NAME,
        timeout=current_app.config["WEBAUTHN_CEREMONY_TTL_S"] * 1000,
        authenticator_selection=AuthenticatorSelectionCriteria(
            # Staff sign in on a new phone without typing a name: the passkey must be
            # discoverable. A trainee's phone keeps its credential id, so theirs need not be.
            resident_key=ResidentKeyRequirement.REQUIRED if user else ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=b64url_decode(p.credential_id)) for p in known])
    ceremony = begin_ceremony(REGISTER if user else TRAINEE_REGISTER, options.challenge,
                              user_id=user.id if user else None, trainee_id=trainee.id if trainee else None)
    return {"ceremony_id": ceremony.id, "public_key": json.loads(options_to_json(options))}


def add_passkey(ceremony: WebAuthnCeremony, credential: dict[str, Any], rp: RelyingParty) -> Passkey:
    """Check the browser's answer to a registration ceremony and keep the new passkey."""
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=challenge_of(ceremony),
            expected_rp_id=rp.id, expected_origin=rp.origins)
    except UNREADABLE as err:
        raise ApiError(400, "invalid_credential",
                       "the passkey could not be checked: try again, or use another phone") from err
    credential_id = b64url(verified.credential_id)
    if len(credential_id) > MAX_CREDENTIAL_ID_CHARS:
        raise ApiError(400, "invalid_credential", "this passkey's id is too long to keep: use another one")
    if db.session.get(Passkey, credential_id) is not None:
        raise ApiError(409, "passkey_exists", "this passkey is registered already")
    passkey = Passkey(credential_id=credential_id, user_id=ceremony.user_id, trainee_id=ceremony.trainee_id,
                      public_key=b64url(verified.credential_public_key), sign_count=verified.sign_count,
                      transports=_transports(credential), created_at=now_utc())
    db.session.add(passkey)
    return passkey


def _transports(credential: dict[str, Any]) -> list[str] | None:
    response = credential.get("response")
    sent = response.get("transports") if isinstance(response, dict) else None
    if not isinstance(sent, list):
        return None
    known = {t.value for t in AuthenticatorTransport}
    return [t for t in sent if isinstance(t, str) and t in known]


def begin_login(rp: RelyingParty) -> dict[str, Any]:
    """Start a passkey sign-in; no credentials are listed, so the phone offers its own."""
    options = generate_authentication_options(
        rp_id=rp.id, timeout=current_app.config["WEBAUTHN_CEREMONY_TTL_S"] * 1000,
        user_verification=UserVerificationRequirement.PREFERRED)
    ceremony = begin_ceremony(LOGIN, options.challenge)
    return {"ceremony_id": ceremony.id, "public_key": json.loads(options_to_json(options))}


def sign_in(ceremony: WebAuthnCeremony, credential: dict[str, Any], rp: RelyingParty) -> Passkey:
    """Check a staff passkey's answer to a sign-in ceremony; update its use count."""
    refused = ApiError(401, "passkey_refused",
                       "this passkey is not accepted: ask your coordinator for an enrolment code")
    credential_id = credential.get("id")
    passkey = db.session.get(Passkey, credential_id) if isinstance(credential_id, str) else None
    if passkey is None or passkey.user_id is None or passkey.revoked_at is not None:
        raise refused
    response = credential.get("response")
    handle = response.get("userHandle") if isinstance(response, dict) else None
    try:
        if handle is not None and b64url_decode(handle) != user_handle(passkey.user_id):
            raise refused
        verified = verify_authentication_response(
            credential=credential, expected_challenge=challenge_of(ceremony),
            expected_rp_id=rp.id, expected_origin=rp.origins,
            credential_public_key=b64url_decode(passkey.public_key),
            credential_current_sign_count=passkey.sign_count)
    except UNREADABLE as err:
        raise refused from err
    passkey.sign_count, passkey.last_used_at = verified.new_sign_count, now_utc()
    return passkey
