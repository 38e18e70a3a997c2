"""sync.checkin against the shared vectors in tests/vectors/checkin.json, plus what only the server reads."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from sync import checkin
from sync.checkin import (
    CheckinToken,
    Proof,
    birth_year_check,
    confirmation_challenge,
    confirmation_content,
    decode_relay,
    encode_relay,
    make_checkin_token,
    parse_checkin_token,
    read_proof,
    timing_problem,
    token_is_genuine,
    window_bounds_ms,
    window_of,
)
from sync.ids import NAMESPACE
from tests.sync.vector_files import freshly_written

VECTORS = Path(__file__).resolve().parents[1] / "vectors"
CHECKIN = json.loads((VECTORS / "checkin.json").read_text(encoding="utf-8"))


def named(cases: list[dict[str, Any]], key: str = "name") -> Any:
    return pytest.mark.parametrize("case", cases, ids=[str(c[key]) for c in cases])


def token_of(text: str) -> CheckinToken:
    token = parse_checkin_token(text)
    assert token is not None, text
    return token


def test_constants() -> None:
    assert CHECKIN["token_ttl_s"] == checkin.CHECKIN_TOKEN_TTL_S
    assert CHECKIN["token_ttl_s"] * 1000 == checkin.CHECKIN_TOKEN_TTL_MS
    assert CHECKIN["grace_s"] == checkin.CHECKIN_GRACE_S
    assert CHECKIN["clock_skew_s"] == checkin.CHECKIN_CLOCK_SKEW_S
    assert CHECKIN["relay_prefix"] == checkin.RELAY_PREFIX


def test_vectors_are_current() -> None:
    # Regenerate with: python tests/vectors/write_checkin.py
    assert freshly_written("write_checkin.py") == CHECKIN


@named(CHECKIN["windows"])
def test_window(case: dict[str, Any]) -> None:
    assert window_of(case["now_ms"]) == case["window"]
    assert window_bounds_ms(case["window"]) == (case["start_ms"], case["end_ms"])


@named(CHECKIN["tokens"])
def test_token(case: dict[str, Any]) -> None:
    token = make_checkin_token(case["secret"], case["session_id"], case["window"])
    assert str(token) == case["expected"]
    assert parse_checkin_token(case["expected"]) == token


@named(CHECKIN["parse"])
def test_parse(case: dict[str, Any]) -> None:
    token = parse_checkin_token(case["text"])
    if case["expected"] is None:
        assert token is None
    else:
        assert token == CheckinToken(**case["expected"])
        assert str(token) == case["text"]


@named(CHECKIN["timing"])
def test_timing(case: dict[str, Any]) -> None:
    problem = timing_problem(token_of(case["token"]), case["confirmed_at"])
    if case["expected"] is None:
        assert problem is None
    else:
        assert problem is not None and case["expected"] in problem, problem


@named(CHECKIN["challenge"])
def test_challenge(case: dict[str, Any]) -> None:
    args = (token_of(case["token"]), case["session_id"], case["trainee_id"], case["confirmed_at"])
    assert confirmation_content(*args) == case["content"]
    assert confirmation_challenge(*args).hex() == case["sha256"]


@named(CHECKIN["birth_year_check"], "birth_year")
def test_birth_year_check(case: dict[str, Any]) -> None:
    assert birth_year_check(case["trainee_id"], case["birth_year"]) == case["expected"]


@named(CHECKIN["relay_encode"])
def test_relay_encode(case: dict[str, Any]) -> None:
    assert encode_relay(case["op"]) == case["expected"]


@named(CHECKIN["relay_decode"])
def test_relay_decode(case: dict[str, Any]) -> None:
    assert decode_relay(case["text"]) == case["expected"]


# What the vectors do not hold: the server's reading of a proof, and the token check.

SECRET = CHECKIN["tokens"][0]["secret"]
SESSION = CHECKIN["tokens"][0]["session_id"]
WINDOW = CHECKIN["tokens"][0]["window"]
TOKEN = make_checkin_token(SECRET, SESSION, WINDOW)
CONFIRMED_AT = window_bounds_ms(WINDOW)[0] + 42_317
PASSKEY_PARTS = {
    "credential_id": "q2xZ-7_w",
    "authenticator_data": "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ",
    "client_data_json": "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
    "signature": "MEUCIQDx-_sig",
}


def proof(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"token": str(TOKEN), "confirmed_at": CONFIRMED_AT, **PASSKEY_PARTS, **changes}
    return {k: v for k, v in body.items() if v is not None}


def test_read_proof_unverified() -> None:
    assert read_proof("unverified", {"token": str(TOKEN), "confirmed_at": CONFIRMED_AT}) == \
        Proof(TOKEN, CONFIRMED_AT, None)


def test_read_proof_unverified_ignores_passkey_parts() -> None:
    assert read_proof("unverified", proof(signature="not base64url!")) == Proof(TOKEN, CONFIRMED_AT, None)


def test_read_proof_passkey() -> None:
    assert read_proof("passkey", proof()) == Proof(TOKEN, CONFIRMED_AT, PASSKEY_PARTS)


def test_read_proof_passkey_part_at_the_size_limit() -> None:
    read = read_proof("passkey", proof(signature="A" * checkin.MAX_PROOF_PART_CHARS))
    assert isinstance(read, Proof)


@pytest.mark.parametrize("part", checkin.PASSKEY_PROOF_PARTS)
@pytest.mark.parametrize(
    "value",
    [None, "", "has space", "padded==", "std+base64/", "A" * (checkin.MAX_PROOF_PART_CHARS + 1), 42,
     ["AAAA"], "AAAA\n"],
    ids=["missing", "empty", "space", "padding", "standard-alphabet", "oversize", "number", "list", "newline"],
)
def test_read_proof_refuses_bad_passkey_part(part: str, value: object) -> None:
    assert read_proof("passkey", proof(**{part: value})) == \
        f"the passkey proof's {part} is missing or not base64url"


@pytest.mark.parametrize("value", [None, "proof", [], 42], ids=["none", "text", "list", "number"])
def test_read_proof_refuses_non_dict(value: object) -> None:
    assert read_proof("unverified", value) == "the proof is missing"


@pytest.mark.parametrize("token", [None, "", f"{TOKEN}\n", 123, str(TOKEN).upper()],
                         ids=["missing", "empty", "newline", "number", "uppercase"])
def test_read_proof_refuses_unreadable_token(token: object) -> None:
    body = proof(token=token)
    if token is None:
        assert "token" not in body
    assert read_proof("passkey", body) == "the proof has no readable check-in code"


@pytest.mark.parametrize("confirmed_at", [None, -1, True, False, 1.0, "1741572042317"])
def test_read_proof_refuses_bad_time(confirmed_at: object) -> None:
    body = {"token": str(TOKEN), "confirmed_at": confirmed_at}
    assert read_proof("unverified", body) == "the proof has no confirmation time"


def test_read_proof_accepts_time_zero() -> None:
    assert read_proof("unverified", {"token": str(TOKEN), "confirmed_at": 0}) == Proof(TOKEN, 0, None)


def test_token_is_genuine_with_the_sessions_secret() -> None:
    assert token_is_genuine(SECRET, TOKEN)


def test_token_is_not_genuine_with_another_secret() -> None:
    other = CHECKIN["tokens"][2]["secret"]
    assert other != SECRET
    assert not token_is_genuine(other, TOKEN)


def test_token_with_an_altered_window_is_not_genuine() -> None:
    assert not token_is_genuine(SECRET, CheckinToken(TOKEN.session_id, TOKEN.window + 1, TOKEN.mac))


def test_token_moved_to_another_session_is_not_genuine() -> None:
    other_session = CHECKIN["tokens"][3]["session_id"]
    assert not token_is_genuine(SECRET, CheckinToken(other_session, TOKEN.window, TOKEN.mac))


def test_relay_round_trip() -> None:
    trainee = "0195a3c5-1111-7222-8333-444455556666"
    fields = {"session_id": SESSION, "trainee_id": trainee, "method": "passkey", "proof": proof(note="Đã có mặt")}
    op = {"op_id": "0195a3c6-2a6d-7b1c-9d2e-3f4a5b6c7d8e", "entity": "confirmation",
          "id": str(uuid.uuid5(NAMESPACE, f"confirmation:{SESSION}:{trainee}")),
          "hlc": f"{CONFIRMED_AT}-0000-phone", "kind": "upsert", "fields": fields}
    text = encode_relay(op)
    assert text.startswith("FRC1:{")
    assert decode_relay(text) == op
    assert encode_relay(op | {"entity": "ignored", "id": "ignored", "kind": "ignored"}) == text
