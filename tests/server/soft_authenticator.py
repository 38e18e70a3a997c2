"""A software FIDO2 authenticator for tests: real keys, real CBOR, real ES256 signatures.

It answers WebAuthn options the way a phone's passkey manager does and returns what a
browser sends (base64url JSON, the shape of @simplewebauthn/browser's
RegistrationResponseJSON and AuthenticationResponseJSON), so the server's checks run on
genuine data, not mocks.
"""

from __future__ import annotations

import hashlib
import json
import os
import struct
import time
from dataclasses import dataclass
from typing import Any

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask

from server.checkins.secrets import session_secret
from sync.checkin import CheckinToken, b64url, b64url_decode, make_checkin_token, window_of
from tests.server.protocol_client import Api

FLAG_UP, FLAG_UV, FLAG_AT = 0x01, 0x04, 0x40
COSE_ES256 = -7


@dataclass
class Credential:
    id: bytes
    key: ec.EllipticCurvePrivateKey
    rp_id: str
    user_handle: bytes
    sign_count: int = 0


class SoftAuthenticator:
    """One phone's passkeys, for the origin the browser runs the app at."""

    def __init__(self, origin: str, *, user_verified: bool = True, counts_signatures: bool = True) -> None:
        self.origin = origin
        self.user_verified = user_verified
        # Synced passkeys (Google, Apple) always report a sign count of 0.
        self.counts_signatures = counts_signatures
        self.credentials: dict[str, Credential] = {}

    def _flags(self, extra: int = 0) -> bytes:
        return bytes([FLAG_UP | (FLAG_UV if self.user_verified else 0) | extra])

    def _client_data(self, kind: str, challenge: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": self.origin,
                           "crossOrigin": False}, separators=(",", ":")).encode()

    def create(self, public_key: dict[str, Any]) -> dict[str, Any]:
        """Answer navigator.credentials.create() options with a new ES256 passkey."""
        excluded = {c["id"] for c in public_key.get("excludeCredentials", [])}
        assert not excluded & set(self.credentials), "the authenticator already holds an excluded passkey"
        assert any(p["alg"] == COSE_ES256 for p in public_key["pubKeyCredParams"])
        rp_id = public_key["rp"]["id"]
        credential = Credential(os.urandom(32), ec.generate_private_key(ec.SECP256R1()), rp_id,
                                b64url_decode(public_key["user"]["id"]))
        numbers = credential.key.public_key().public_numbers()
        cose_key = cbor2.dumps({1: 2, 3: COSE_ES256, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                                -3: numbers.y.to_bytes(32, "big")})
        auth_data = (hashlib.sha256(rp_id.encode()).digest() + self._flags(FLAG_AT) + struct.pack(">I", 0)
                     + bytes(16) + struct.pack(">H", len(credential.id)) + credential.id + cose_key)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        self.credentials[b64url(credential.id)] = credential
        return {"id": b64url(credential.id), "rawId": b64url(credential.id), "type": "public-key",
                "response": {"clientDataJSON": b64url(self._client_data("webauthn.create", public_key["challenge"])),
                             "attestationObject": b64url(attestation), "transports": ["internal", "hybrid"]},
                "clientExtensionResults": {}, "authenticatorAttachment": "platform"}

    def get(self, public_key: dict[str, Any], credential_id: str | None = None) -> dict[str, Any]:
        """Answer navigator.credentials.get() options; with no allowCredentials, offer our own."""
        allowed = [c["id"] for c in public_key.get("allowCredentials", [])]
        chosen = credential_id or (allowed[0] if allowed else next(iter(self.credentials)))
        return self.assert_challenge(chosen, public_key["challenge"], rp_id=public_key.get("rpId"))

    def assert_challenge(self, credential_id: str, challenge: str | bytes, rp_id: str | None = None) -> dict[str, Any]:
        """Sign `challenge` (bytes, or already base64url) with one passkey, as a browser returns it."""
        credential = self.credentials[credential_id]
        if self.counts_signatures:
            credential.sign_count += 1
        auth_data = (hashlib.sha256((rp_id or credential.rp_id).encode()).digest() + self._flags()
                     + struct.pack(">I", credential.sign_count if self.counts_signatures else 0))
        client_data = self._client_data("webauthn.get", challenge if isinstance(challenge, str) else b64url(challenge))
        signature = credential.key.sign(auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {"id": credential_id, "rawId": credential_id, "type": "public-key",
                "response": {"clientDataJSON": b64url(client_data), "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature), "userHandle": b64url(credential.user_handle)},
                "clientExtensionResults": {}, "authenticatorAttachment": "platform"}


# FieldRoll's side of it: check-in codes and a trainee's passkey, made as the apps make them.

def checkin_token(app: Flask, session_id: str, *, windows_ago: int = 0, secret: str | None = None) -> CheckinToken:
    """Make the session's check-in code as a trainer's phone shows it, `windows_ago` windows back."""
    with app.app_context():
        secret = secret or session_secret(session_id)
    return make_checkin_token(secret, session_id, window_of(int(time.time() * 1000)) - windows_ago)


def register_trainee_passkey(api: Api, phone: SoftAuthenticator, token: CheckinToken, trainee_id: str,
                             birth_year: int | None = 1980) -> str:
    """Register a passkey for a trainee from the check-in page; return its credential id."""
    options = api.request("POST", "/api/v1/webauthn/trainee/register/options",
                          {"token": str(token), "trainee_id": trainee_id, "birth_year": birth_year})
    assert options.status == 200, options.body
    credential = phone.create(options.body["public_key"])
    reply = api.request("POST", "/api/v1/webauthn/trainee/register",
                        {"ceremony_id": options.body["ceremony_id"], "credential": credential})
    assert reply.status == 201, reply.body
    return str(reply.body["credential_id"])
