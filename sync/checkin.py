"""Trainee check-in: rotating check-in tokens, what a confirmation signs, and the relay format.

A trainer's phone makes a check-in token offline from the session's secret (issued by
the server in the pull) and the current time window; the trainee's phone signs a
challenge derived from that token and the confirmation's content. The server, holding
the same secret, can later tell whether the token is genuine, belongs to the session the
confirmation names, and was used while it was current. Everything here is pure so the
PWA's `src/sync/checkin.js` can mirror it, checked by `tests/vectors/checkin.json`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sync.ids import derived_id, is_uuid

CHECKIN_TOKEN_TTL_S = 180
CHECKIN_TOKEN_TTL_MS = CHECKIN_TOKEN_TTL_S * 1000
# Scanning, finding one's name and confirming takes a first-time smartphone user minutes.
CHECKIN_GRACE_S = 15 * 60
# The trainee's phone clock may run a little behind the trainer's.
CHECKIN_CLOCK_SKEW_S = 2 * 60
MAC_BYTES = 16
RELAY_PREFIX = "FRC1:"
MAX_PROOF_PART_CHARS = 2048
PASSKEY_PROOF_PARTS = ("credential_id", "authenticator_data", "client_data_json", "signature")

# No leading zeros in the window: one token, one text, so the text a passkey signs is the one read back.
_TOKEN_RE = re.compile(r"^([0-9a-f-]{36})\.(0|[1-9][0-9]{0,11})\.([A-Za-z0-9_-]{22})\Z")
_B64URL_RE = re.compile(r"^[A-Za-z0-9_-]+\Z")


@dataclass(frozen=True)
class CheckinToken:
    session_id: str
    window: int
    mac: str

    def __str__(self) -> str:
        return f"{self.session_id}.{self.window}.{self.mac}"


@dataclass(frozen=True)
class Proof:
    """A confirmation's proof as the trainee's phone sent it; passkey parts are base64url."""

    token: CheckinToken
    confirmed_at: int
    passkey: Mapping[str, str] | None


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def window_of(now_ms: int) -> int:
    """Return the token window holding the moment `now_ms`."""
    return now_ms // CHECKIN_TOKEN_TTL_MS


def window_bounds_ms(window: int) -> tuple[int, int]:
    """Return when a window starts and ends (end exclusive), in ms since the epoch."""
    return window * CHECKIN_TOKEN_TTL_MS, (window + 1) * CHECKIN_TOKEN_TTL_MS


def _mac(secret: str, session_id: str, window: int) -> str:
    message = f"fieldroll-checkin-v1:{session_id}:{window}".encode()
    return b64url(hmac.new(b64url_decode(secret), message, hashlib.sha256).digest()[:MAC_BYTES])


def make_checkin_token(secret: str, session_id: str, window: int) -> CheckinToken:
    """Make the session's token for one window from its base64url secret."""
    return CheckinToken(session_id, window, _mac(secret, session_id, window))


def parse_checkin_token(text: object) -> CheckinToken | None:
    """Read a token as the QR code carries it, or None if it is not one."""
    match = _TOKEN_RE.match(text) if isinstance(text, str) else None
    if match is None or not is_uuid(match.group(1)):
        return None
    return CheckinToken(match.group(1), int(match.group(2)), match.group(3))


def token_is_genuine(secret: str, token: CheckinToken) -> bool:
    """Tell whether the token was made with the session's secret."""
    return hmac.compare_digest(_mac(secret, token.session_id, token.window), token.mac)


def timing_problem(token: CheckinToken, confirmed_at: int) -> str | None:
    """Say why a confirmation made at `confirmed_at` is outside its token's time, or None."""
    start, end = window_bounds_ms(token.window)
    if confirmed_at < start - CHECKIN_CLOCK_SKEW_S * 1000:
        return "the confirmation is dated before its check-in code was shown"
    # In ms: whole seconds would let through up to 999 ms past the limit.
    late_ms = confirmed_at - end
    if late_ms > CHECKIN_GRACE_S * 1000:
        return f"expired: confirmed {late_ms // 60_000} minutes after the check-in code changed"
    return None


def confirmation_content(token: CheckinToken, session_id: str, trainee_id: str, confirmed_at: int) -> str:
    """Return the text a trainee's passkey signs: the token and what the confirmation says."""
    return f"fieldroll-confirmation-v1\n{token}\n{session_id}\n{trainee_id}\n{confirmed_at}"


def confirmation_challenge(token: CheckinToken, session_id: str, trainee_id: str, confirmed_at: int) -> bytes:
    """Return the WebAuthn challenge for a confirmation: SHA-256 of its content."""
    return hashlib.sha256(confirmation_content(token, session_id, trainee_id, confirmed_at).encode()).digest()


def birth_year_check(trainee_id: str, birth_year: int) -> str:
    """Return the short digest a roster carries instead of the birth year itself.

    It is a light check against picking the wrong name, not a secret: there are only
    about a hundred birth years to try.
    """
    return hashlib.sha256(f"fieldroll-birth-year-v1:{trainee_id}:{birth_year}".encode()).hexdigest()[:8]


def read_proof(method: object, proof: object) -> Proof | str:
    """Read a confirmation's proof, or say why it is malformed."""
    if not isinstance(proof, dict):
        return "the proof is missing"
    token = parse_checkin_token(proof.get("token"))
    if token is None:
        return "the proof has no readable check-in code"
    confirmed_at = proof.get("confirmed_at")
    if type(confirmed_at) is not int or confirmed_at < 0:
        return "the proof has no confirmation time"
    if method != "passkey":
        return Proof(token, confirmed_at, None)
    parts = {name: proof.get(name) for name in PASSKEY_PROOF_PARTS}
    for name, value in parts.items():
        if not isinstance(value, str) or not 0 < len(value) <= MAX_PROOF_PART_CHARS \
                or not _B64URL_RE.match(value):
            return f"the passkey proof's {name} is missing or not base64url"
    return Proof(token, confirmed_at, {k: str(v) for k, v in parts.items()})


def encode_relay(op: Mapping[str, Any]) -> str:
    """Write a trainee's confirmation op as the text of the QR code a trainer's phone scans.

    Entity, id and kind follow from the fields, so only the rest travels.
    """
    body = {"o": op["op_id"], "h": op["hlc"], "f": op["fields"]}
    return RELAY_PREFIX + json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def decode_relay(text: object) -> dict[str, Any] | None:
    """Rebuild the confirmation op a relay QR code carries, or None if it is not one."""
    if not isinstance(text, str) or not text.startswith(RELAY_PREFIX):
        return None
    try:
        # NaN and Infinity are not JSON: the PWA's JSON.parse refuses them, so must this.
        body = json.loads(text[len(RELAY_PREFIX):], parse_constant=_refuse_constant)
    except ValueError:
        return None
    if not isinstance(body, dict) or set(body) != {"o", "h", "f"} or not isinstance(body["f"], dict):
        return None
    record_id = derived_id("confirmation", body["f"])
    if record_id is None or not is_uuid(body["f"].get("session_id")) or not is_uuid(body["f"].get("trainee_id")):
        return None
    return {"op_id": body["o"], "entity": "confirmation", "id": record_id, "hlc": body["h"],
            "kind": "upsert", "fields": body["f"]}
