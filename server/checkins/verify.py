"""Judging a trainee's confirmation: the checks of docs/checkin.md §4, in that order.

`judge` decides from the op's fields and a few lookups handed to it; `check_confirmation`
gives it the database's lookups and keeps the verdict, once per op.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from webauthn import verify_authentication_response

from server.checkins.secrets import session_secret
from server.extensions import db
from server.models import ConfirmationCheck, Passkey
from server.sql_store import now_utc
from server.webauthn.passkeys import MAX_CREDENTIAL_ID_CHARS, UNREADABLE
from server.webauthn.relying_party import RelyingParty, relying_party
from sync.checkin import (
    Proof,
    b64url_decode,
    confirmation_challenge,
    read_proof,
    timing_problem,
    token_is_genuine,
)
from sync.entities import CONFIRMATION_METHODS
from sync.ids import is_uuid
from sync.ops import Op

VERIFIED, UNVERIFIED, FAILED = "verified", "unverified", "failed"


@dataclass(frozen=True)
class Verdict:
    outcome: str
    reason: str | None = None
    credential_id: str | None = None
    # SHA-256 (hex) of the assertion's signature, kept only once the signature verified.
    assertion_digest: str | None = None


@dataclass(frozen=True)
class KnownPasskey:
    trainee_id: str | None
    public_key: str
    revoked: bool


@dataclass(frozen=True)
class Lookups:
    """What judging needs from outside: secrets, passkeys, signatures seen, the relying party."""

    session_secret: Callable[[str], str]
    passkey: Callable[[str], KnownPasskey | None]
    signature_seen_elsewhere: Callable[[str], bool]
    relying_party: Callable[[], RelyingParty]


def judge(fields: Mapping[str, Any], lookups: Lookups) -> Verdict:
    """Judge one confirmation's proof; the first check it fails says why."""
    method, session_id, trainee_id = fields.get("method"), fields.get("session_id"), fields.get("trainee_id")
    if method not in CONFIRMATION_METHODS or not is_uuid(session_id) or not is_uuid(trainee_id):
        return Verdict(FAILED, "malformed: the confirmation does not say who, where or how")
    assert isinstance(session_id, str) and isinstance(trainee_id, str)
    proof = read_proof(method, fields.get("proof"))
    if isinstance(proof, str):
        return Verdict(FAILED, f"malformed: {proof}")
    if proof.token.session_id != session_id:
        return Verdict(FAILED, "foreign: the check-in code shown was of another session")
    if not token_is_genuine(lookups.session_secret(session_id), proof.token):
        return Verdict(FAILED, "forged: the check-in code was not made by FieldRoll for this session")
    timing = timing_problem(proof.token, proof.confirmed_at)
    if timing:
        return Verdict(FAILED, timing)
    if method == "unverified":
        return Verdict(UNVERIFIED, "confirmed without a passkey: anyone holding the phone could have")
    return _judge_passkey(proof, session_id, trainee_id, lookups)


def _judge_passkey(proof: Proof, session_id: str, trainee_id: str, lookups: Lookups) -> Verdict:
    assert proof.passkey is not None
    credential_id = proof.passkey["credential_id"]
    if len(credential_id) > MAX_CREDENTIAL_ID_CHARS:
        # Longer than any passkey kept, and than the verdict's column holds.
        return Verdict(FAILED, "wrong passkey: it is not registered")
    passkey = lookups.passkey(credential_id)
    if passkey is None:
        return Verdict(FAILED, "wrong passkey: it is not registered", credential_id)
    if passkey.revoked:
        return Verdict(FAILED, "wrong passkey: it was revoked", credential_id)
    if passkey.trainee_id != trainee_id:
        return Verdict(FAILED, "wrong passkey: it is registered to someone else", credential_id)
    if not _signature_holds(proof, session_id, trainee_id, passkey, lookups.relying_party()):
        return Verdict(FAILED, "altered: the passkey signature does not match this confirmation", credential_id)
    digest = hashlib.sha256(b64url_decode(proof.passkey["signature"])).hexdigest()
    if lookups.signature_seen_elsewhere(digest):
        return Verdict(FAILED, "replayed: this passkey signature was already used for another confirmation",
                       credential_id, digest)
    return Verdict(VERIFIED, None, credential_id, digest)


def _signature_holds(proof: Proof, session_id: str, trainee_id: str, passkey: KnownPasskey,
                     rp: RelyingParty) -> bool:
    assert proof.passkey is not None
    parts = proof.passkey
    credential = {"id": parts["credential_id"], "rawId": parts["credential_id"], "type": "public-key",
                  "response": {"authenticatorData": parts["authenticator_data"],
                               "clientDataJSON": parts["client_data_json"], "signature": parts["signature"]}}
    try:
        verify_authentication_response(
            credential=credential,
            # Rebuilt from the op's own fields: any change to them changes the challenge.
            expected_challenge=confirmation_challenge(proof.token, session_id, trainee_id, proof.confirmed_at),
            expected_rp_id=rp.id, expected_origin=rp.origins,
            credential_public_key=b64url_decode(passkey.public_key),
            # Relayed confirmations arrive in any order (a trainer's phone may sync days after
            # the trainee's own), so a sign count cannot tell a replay; the signature digest does.
            credential_current_sign_count=0,
            # User verification is preferred at registration, not required: phones with no
            # screen lock still prove presence, and the trainee chose their own name.
            require_user_verification=False)
    except UNREADABLE:
        return False
    return True


def check_confirmation(op: Op) -> ConfirmationCheck:
    """Judge a confirmation op's proof once and add the verdict to the session (the caller commits).

    An op judged before keeps its first verdict.
    """
    known = _pending_check(lambda row: row.op_id == op.op_id) or db.session.get(ConfirmationCheck, op.op_id)
    if known is not None:
        return known
    lookups = Lookups(session_secret, _passkey, lambda digest: _seen_elsewhere(digest, op.op_id), relying_party)
    verdict = judge(op.fields, lookups)
    row = ConfirmationCheck(op_id=op.op_id, confirmation_id=op.id, outcome=verdict.outcome, reason=verdict.reason,
                            credential_id=verdict.credential_id, assertion_digest=verdict.assertion_digest,
                            checked_at=now_utc())
    db.session.add(row)
    return row


def _passkey(credential_id: str) -> KnownPasskey | None:
    row = db.session.get(Passkey, credential_id)
    return None if row is None else KnownPasskey(row.trainee_id, row.public_key, row.revoked_at is not None)


def _pending_check(match: Callable[[ConfirmationCheck], bool]) -> ConfirmationCheck | None:
    """Find a verdict added in this transaction but not yet flushed (the caller may disable autoflush)."""
    return next((row for row in db.session.new if isinstance(row, ConfirmationCheck) and match(row)), None)


def _seen_elsewhere(digest: str, op_id: str) -> bool:
    if _pending_check(lambda row: row.assertion_digest == digest and row.op_id != op_id):
        return True
    found = db.session.scalar(select(ConfirmationCheck.op_id).where(
        ConfirmationCheck.assertion_digest == digest, ConfirmationCheck.op_id != op_id).limit(1))
    return found is not None
