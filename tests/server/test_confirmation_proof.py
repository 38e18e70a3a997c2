"""Judging a trainee's confirmation with real WebAuthn data, check by check (docs/checkin.md §4).

Trainees register passkeys over HTTP as their phones do; confirmations are signed by a
software authenticator over the challenge the PWA derives, then judged in a request to
the same host, as a sync would judge them.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

import pytest

from server.checkins.verify import check_confirmation
from server.extensions import db
from server.models import ConfirmationCheck, Passkey
from server.sql_store import now_utc
from sync.checkin import CheckinToken, b64url, confirmation_challenge, window_bounds_ms
from sync.hlc import tick
from sync.ids import derived_id
from sync.ops import Op
from tests.server.protocol_client import Api, World
from tests.server.soft_authenticator import SoftAuthenticator, checkin_token, register_trainee_passkey


@dataclass
class Trainee:
    id: str
    session_id: str
    phone: SoftAuthenticator
    credential_id: str


@pytest.fixture
def trainees(world: World, api: Api, live_url: str) -> dict[str, Trainee]:
    """Trainee A (session A) and trainee B (session B), each with a passkey on their own phone."""
    found = {}
    for side in ("a", "b"):
        session_id, trainee_id = world.ids[f"session_{side}"], world.ids[f"trainee_{side}"]
        phone = SoftAuthenticator(live_url)
        credential_id = register_trainee_passkey(api, phone, checkin_token(world.app, session_id), trainee_id)
        found[side] = Trainee(trainee_id, session_id, phone, credential_id)
    return found


@contextmanager
def judging(world: World, live_url: str) -> Iterator[None]:
    """Judge as a sync request to the server the trainees' phones used would."""
    with world.app.test_request_context("/api/v1/sync", base_url=live_url):
        yield


def now_ms() -> int:
    return int(time.time() * 1000)


def confirmation_op(token: CheckinToken, session_id: str, trainee_id: str, confirmed_at: int,
                    proof_extra: dict[str, Any] | None = None, method: str = "passkey") -> Op:
    fields: dict[str, Any] = {"session_id": session_id, "trainee_id": trainee_id, "method": method,
                              "proof": {"token": str(token), "confirmed_at": confirmed_at, **(proof_extra or {})}}
    record_id = derived_id("confirmation", fields)
    assert record_id is not None
    return Op(op_id=str(uuid.uuid4()), entity="confirmation", id=record_id,
              hlc=str(tick(None, confirmed_at, "trainee-phone-1")), kind="upsert", fields=fields)


def signed(trainee: Trainee, token: CheckinToken, session_id: str, trainee_id: str, confirmed_at: int,
           signer: Trainee | None = None) -> dict[str, str]:
    """The passkey part of a proof: `signer`'s (else the trainee's own) assertion over the content."""
    signer = signer or trainee
    assertion = signer.phone.assert_challenge(
        signer.credential_id, confirmation_challenge(token, session_id, trainee_id, confirmed_at))
    response = assertion["response"]
    return {"credential_id": assertion["id"], "authenticator_data": response["authenticatorData"],
            "client_data_json": response["clientDataJSON"], "signature": response["signature"]}


def passkey_op(trainee: Trainee, token: CheckinToken, confirmed_at: int | None = None) -> Op:
    """A confirmation the trainee's phone makes and signs for their own session."""
    confirmed_at = confirmed_at or now_ms()
    return confirmation_op(token, trainee.session_id, trainee.id, confirmed_at,
                           signed(trainee, token, trainee.session_id, trainee.id, confirmed_at))


def with_fields(op: Op, **changes: Any) -> Op:
    return replace(op, op_id=str(uuid.uuid4()), fields={**op.fields, **changes})


def test_a_genuine_signed_confirmation_is_verified_and_judged_once(world: World, live_url: str,
                                                                   trainees: dict[str, Trainee]) -> None:
    a = trainees["a"]
    op = passkey_op(a, checkin_token(world.app, a.session_id))
    with judging(world, live_url):
        check = check_confirmation(op)
        assert (check.outcome, check.reason, check.credential_id) == ("verified", None, a.credential_id)
        assert check.confirmation_id == op.id and check.assertion_digest and len(check.assertion_digest) == 64
        checked_at = check.checked_at
        db.session.commit()
    with judging(world, live_url):
        again = check_confirmation(op)
        assert (again.outcome, again.checked_at) == ("verified", checked_at)
        assert db.session.query(ConfirmationCheck).count() == 1


def test_the_same_signature_under_another_op_is_a_replay(world: World, live_url: str,
                                                         trainees: dict[str, Trainee]) -> None:
    a = trainees["a"]
    op = passkey_op(a, checkin_token(world.app, a.session_id))
    with judging(world, live_url):
        assert check_confirmation(op).outcome == "verified"
        in_same_batch = check_confirmation(replace(op, op_id=str(uuid.uuid4())))
        assert in_same_batch.reason and in_same_batch.reason.startswith("replayed")
        db.session.commit()
    with judging(world, live_url):
        later = check_confirmation(replace(op, op_id=str(uuid.uuid4())))
    assert later.outcome == "failed" and later.reason and later.reason.startswith("replayed")


def test_a_replay_is_caught_with_autoflush_off(world: World, live_url: str, trainees: dict[str, Trainee]) -> None:
    a = trainees["a"]
    op = passkey_op(a, checkin_token(world.app, a.session_id))
    with judging(world, live_url), db.session.no_autoflush:
        assert check_confirmation(op).outcome == "verified"
        assert check_confirmation(op).outcome == "verified"  # the same op: its first verdict
        replayed = check_confirmation(replace(op, op_id=str(uuid.uuid4())))
    assert replayed.outcome == "failed" and replayed.reason and replayed.reason.startswith("replayed")


def test_content_changed_after_signing_is_altered(world: World, live_url: str,
                                                  trainees: dict[str, Trainee]) -> None:
    a = trainees["a"]
    token = checkin_token(world.app, a.session_id)
    at = now_ms()
    op = passkey_op(a, token, at)
    later = with_fields(op, proof={**op.fields["proof"], "confirmed_at": at + 60_000})
    # Signed for trainee B, then made to say trainee A, whose passkey did sign.
    other_trainee = confirmation_op(token, a.session_id, a.id, at,
                                    signed(a, token, a.session_id, trainees["b"].id, at))
    other_session = confirmation_op(token, a.session_id, a.id, at,
                                    signed(a, token, trainees["b"].session_id, a.id, at))
    with judging(world, live_url):
        checks = [check_confirmation(o) for o in (later, other_trainee, other_session)]
    for check in checks:
        assert check.outcome == "failed" and check.reason and check.reason.startswith("altered"), check.reason
        assert check.assertion_digest is None  # so the genuine one, arriving later, is no replay
    with judging(world, live_url):
        assert check_confirmation(op).outcome == "verified"


def test_a_passkey_not_the_trainees_own_is_refused(world: World, live_url: str,
                                                   trainees: dict[str, Trainee]) -> None:
    a, b = trainees["a"], trainees["b"]
    token, at = checkin_token(world.app, a.session_id), now_ms()
    borrowed = confirmation_op(token, a.session_id, a.id, at, signed(a, token, a.session_id, a.id, at, signer=b))
    revoked = passkey_op(a, token)
    unknown = with_fields(revoked, proof={**revoked.fields["proof"], "credential_id": b64url(b"no such passkey")})
    too_long = with_fields(revoked, proof={**revoked.fields["proof"], "credential_id": "A" * 2048})
    with judging(world, live_url):
        passkey = db.session.get(Passkey, a.credential_id)
        assert passkey is not None
        passkey.revoked_at = now_utc()
        reasons = [check_confirmation(o).reason or "" for o in (borrowed, revoked, unknown, too_long)]
        db.session.commit()  # every verdict fits its row
    assert reasons == ["wrong passkey: it is registered to someone else", "wrong passkey: it was revoked",
                       "wrong passkey: it is not registered", "wrong passkey: it is not registered"]


def test_an_expired_code_fails_expired(world: World, live_url: str, trainees: dict[str, Trainee]) -> None:
    a = trainees["a"]
    old = checkin_token(world.app, a.session_id, windows_ago=10)  # 30 minutes ago
    _, old_end = window_bounds_ms(old.window)
    too_late = passkey_op(a, old, old_end + 15 * 60_000 + 1)
    just_in_time = passkey_op(a, old, old_end + 15 * 60_000)
    too_early = passkey_op(a, old, old_end - 180_000 - 120_000 - 1)
    with judging(world, live_url):
        late, in_time, early = (check_confirmation(o) for o in (too_late, just_in_time, too_early))
    assert late.outcome == "failed" and late.reason and late.reason.startswith("expired")
    assert in_time.outcome == "verified"
    assert early.outcome == "failed" and early.reason and "before" in early.reason


def test_a_code_of_another_session_fails_foreign(world: World, live_url: str, trainees: dict[str, Trainee]) -> None:
    a, b = trainees["a"], trainees["b"]
    token_a, at = checkin_token(world.app, a.session_id), now_ms()
    op = confirmation_op(token_a, b.session_id, b.id, at, signed(b, token_a, b.session_id, b.id, at))
    with judging(world, live_url):
        check = check_confirmation(op)
    assert check.outcome == "failed" and check.reason and check.reason.startswith("foreign")


def test_a_code_not_made_with_the_session_secret_fails_forged(world: World, live_url: str,
                                                              trainees: dict[str, Trainee]) -> None:
    a = trainees["a"]
    forged = checkin_token(world.app, a.session_id, secret=b64url(bytes(32)))
    with judging(world, live_url):
        check = check_confirmation(passkey_op(a, forged))
    assert check.outcome == "failed" and check.reason and check.reason.startswith("forged")


def test_a_confirmation_without_a_passkey_is_unverified(world: World, live_url: str,
                                                        trainees: dict[str, Trainee]) -> None:
    a = trainees["a"]
    op = confirmation_op(checkin_token(world.app, a.session_id), a.session_id, a.id, now_ms(), method="unverified")
    with judging(world, live_url):
        check = check_confirmation(op)
    assert (check.outcome, check.credential_id, check.assertion_digest) == ("unverified", None, None)
    assert check.reason


def test_a_malformed_proof_fails(world: World, live_url: str, trainees: dict[str, Trainee]) -> None:
    a = trainees["a"]
    good = passkey_op(a, checkin_token(world.app, a.session_id))
    proof = good.fields["proof"]
    bad = [
        with_fields(good, proof=None),
        with_fields(good, proof={**proof, "token": "nonsense"}),
        with_fields(good, proof={**proof, "confirmed_at": "yesterday"}),
        with_fields(good, proof={**proof, "signature": "not base64url!"}),
        with_fields(good, proof={k: v for k, v in proof.items() if k != "authenticator_data"}),
        with_fields(good, method="fingerprint"),
    ]
    with judging(world, live_url):
        checks = [check_confirmation(o) for o in bad]
    for check in checks:
        assert check.outcome == "failed" and check.reason and check.reason.startswith("malformed"), check.reason
