"""Trainee confirmations made as a trainee's phone makes them: wire ops with real proofs."""

from __future__ import annotations

import time
import uuid
from typing import Any

from sync.checkin import CheckinToken, confirmation_challenge
from sync.hlc import tick
from sync.ids import derived_id
from tests.server.soft_authenticator import SoftAuthenticator


def now_ms() -> int:
    return int(time.time() * 1000)


def confirmation(token: CheckinToken, session_id: str, trainee_id: str, *, confirmed_at: int | None = None,
                 passkey: dict[str, str] | None = None, node: str = "trainee-phone-1") -> dict[str, Any]:
    """A confirmation op as the trainee's phone sends it: `unverified`, or signed with `passkey` parts."""
    confirmed_at = confirmed_at or now_ms()
    fields: dict[str, Any] = {
        "session_id": session_id, "trainee_id": trainee_id, "method": "passkey" if passkey else "unverified",
        "proof": {"token": str(token), "confirmed_at": confirmed_at, **(passkey or {})}}
    return {"op_id": str(uuid.uuid4()), "entity": "confirmation", "id": derived_id("confirmation", fields),
            "hlc": str(tick(None, confirmed_at, node)), "kind": "upsert", "fields": fields}


def signed_confirmation(phone: SoftAuthenticator, credential_id: str, token: CheckinToken, session_id: str,
                        trainee_id: str, confirmed_at: int | None = None) -> dict[str, Any]:
    """A confirmation signed by the trainee's passkey over the challenge the PWA derives."""
    confirmed_at = confirmed_at or now_ms()
    assertion = phone.assert_challenge(credential_id,
                                       confirmation_challenge(token, session_id, trainee_id, confirmed_at))
    response = assertion["response"]
    parts = {"credential_id": assertion["id"], "authenticator_data": response["authenticatorData"],
             "client_data_json": response["clientDataJSON"], "signature": response["signature"]}
    return confirmation(token, session_id, trainee_id, confirmed_at=confirmed_at, passkey=parts)
