"""Write tests/vectors/checkin.json from the rules in docs/checkin.md: `python tests/vectors/write_checkin.py`.

The expected values are computed here with hashlib, hmac, json and uuid directly, never
with sync.checkin, so the vectors state the rules independently of the code they check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from pathlib import Path
from typing import Any

PATH = Path(__file__).with_name("checkin.json")

# docs/checkin.md and docs/protocol.md.
TTL_MS = 180_000
GRACE_MS = 15 * 60_000
SKEW_MS = 2 * 60_000
PREFIX = "FRC1:"
NAMESPACE = uuid.UUID("6f2d1c9a-3b4e-5f60-8a71-92b3c4d5e6f7")

SESSION = "0195a3c4-7b20-7d4e-8f61-2a3b4c5d6e7f"
OTHER_SESSION = "0195a3c4-7b20-7d4e-8f61-2a3b4c5d6e80"
TRAINEE = "0195a3c5-1111-7222-8333-444455556666"
OTHER_TRAINEE = "0195a3c5-1111-7222-8333-444455556667"
# 2025-03-10T02:00:00Z, a morning session in Vietnam.
NOW_MS = 1_741_572_000_000
WINDOW = NOW_MS // TTL_MS


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def session_secret(server_key: bytes, session_id: str) -> str:
    """The docs' per-session secret: base64url(HMAC-SHA256(key, "fieldroll-session-secret:" + id))."""
    return b64url(hmac.new(server_key, f"fieldroll-session-secret:{session_id}".encode(), hashlib.sha256).digest())


SECRET = session_secret(b"test-checkin-secret-key", SESSION)
OTHER_SECRET = session_secret(b"test-checkin-secret-key", OTHER_SESSION)
ZERO_SECRET = "A" * 43
# Bytes that put "-" and "_" in the base64url text, to catch a decoder for the wrong alphabet.
URL_ALPHABET_SECRET = b64url(bytes(range(0xE0, 0x100)))


def token(secret: str, session_id: str, window: int) -> str:
    key = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    mac = hmac.new(key, f"fieldroll-checkin-v1:{session_id}:{window}".encode(), hashlib.sha256).digest()[:16]
    return f"{session_id}.{window}.{b64url(mac)}"


TOKEN = token(SECRET, SESSION, WINDOW)
MAC = TOKEN.rsplit(".", 1)[1]


def windows() -> list[dict[str, Any]]:
    near_top = (2**53 // TTL_MS) * TTL_MS  # the last window start below 2^53
    moments = [
        ("the epoch", 0), ("the last ms of window 0", TTL_MS - 1), ("the first ms of window 1", TTL_MS),
        ("1 ms before the epoch", -1), ("a morning in 2025", NOW_MS), ("mid-window", NOW_MS + 95_123),
        ("the last ms before a window near 2^53", near_top - 1), ("a window start near 2^53", near_top),
        ("the largest safe integer", 2**53 - 1),
    ]
    return [{"name": name, "now_ms": ms, "window": ms // TTL_MS,
             "start_ms": ms // TTL_MS * TTL_MS, "end_ms": (ms // TTL_MS + 1) * TTL_MS} for name, ms in moments]


def tokens() -> list[dict[str, Any]]:
    cases = [
        ("a session's own secret", SECRET, SESSION, WINDOW),
        ("the next window changes the code", SECRET, SESSION, WINDOW + 1),
        ("another session's secret", OTHER_SECRET, OTHER_SESSION, WINDOW),
        ("another session named with this secret", SECRET, OTHER_SESSION, WINDOW),
        ("window 0, an all-zero secret", ZERO_SECRET, SESSION, 0),
        ("a secret with - and _", URL_ALPHABET_SECRET, SESSION, WINDOW),
        ("a 16-byte secret (padding)", b64url(b"sixteen byte key"), SESSION, WINDOW),
        ("the largest window a code can carry", SECRET, SESSION, 999_999_999_999),
    ]
    return [{"name": name, "secret": secret, "session_id": sid, "window": window,
             "expected": token(secret, sid, window)} for name, secret, sid, window in cases]


def parse() -> list[dict[str, Any]]:
    def ok(name: str, text: str, session_id: str, window: int, mac: str) -> dict[str, Any]:
        return {"name": name, "text": text, "expected": {"session_id": session_id, "window": window, "mac": mac}}

    def bad(name: str, text: object) -> dict[str, Any]:
        return {"name": name, "text": text, "expected": None}

    return [
        ok("a made token", TOKEN, SESSION, WINDOW, MAC),
        ok("window 0", f"{SESSION}.0.{MAC}", SESSION, 0, MAC),
        ok("twelve-digit window", f"{SESSION}.999999999999.{MAC}", SESSION, 999_999_999_999, MAC),
        ok("a mac with - and _", f"{SESSION}.{WINDOW}.-_-_-_-_-_-_-_-_-_-_-_", SESSION, WINDOW, "-_" * 11),
        bad("uppercase uuid", f"{SESSION.upper()}.{WINDOW}.{MAC}"),
        bad("uuid dashes misplaced", f"{SESSION.replace('-', '')[:32]}----.{WINDOW}.{MAC}"),
        bad("window with letters", f"{SESSION}.12a4.{MAC}"),
        bad("negative window", f"{SESSION}.-5.{MAC}"),
        bad("window with a leading zero", f"{SESSION}.0{WINDOW}.{MAC}"),
        bad("thirteen-digit window", f"{SESSION}.1000000000000.{MAC}"),
        bad("window in Arabic-Indic digits", f"{SESSION}.\u0661\u0662\u0663.{MAC}"),
        bad("empty window", f"{SESSION}..{MAC}"),
        bad("short mac", f"{SESSION}.{WINDOW}.{MAC[:21]}"),
        bad("long mac", f"{SESSION}.{WINDOW}.{MAC}A"),
        bad("mac in standard base64", f"{SESSION}.{WINDOW}.{MAC[:20]}+/"),
        bad("trailing newline", TOKEN + "\n"),
        bad("leading space", " " + TOKEN),
        bad("the check-in URL, not the token", f"https://fieldroll.example/#/checkin/{TOKEN}"),
        bad("empty string", ""),
        bad("a number", 12345),
        bad("null", None),
        bad("a list", [TOKEN]),
        bad("an object", {"token": TOKEN}),
    ]


def timing() -> list[dict[str, Any]]:
    start, end = WINDOW * TTL_MS, (WINDOW + 1) * TTL_MS
    before = "dated before its check-in code was shown"

    def late(ms: int) -> str:
        return f"expired: confirmed {(ms - end) // 60_000} minutes after"

    moments: list[tuple[str, int, str | None]] = [
        ("at the window's start", start, None),
        ("mid-window", start + 90_000, None),
        ("the window's last ms", end - 1, None),
        ("the next window's first ms", end, None),
        ("exactly 2 minutes before the window (phone clock behind)", start - SKEW_MS, None),
        ("1 ms more than 2 minutes before", start - SKEW_MS - 1, before),
        ("a day before", start - 86_400_000, before),
        ("exactly 15 minutes after the window ended", end + GRACE_MS, None),
        ("1 ms more than 15 minutes after", end + GRACE_MS + 1, late(end + GRACE_MS + 1)),
        ("999 ms more than 15 minutes after", end + GRACE_MS + 999, late(end + GRACE_MS + 999)),
        ("20.5 minutes after", end + 20 * 60_000 + 30_000, late(end + 20 * 60_000 + 30_000)),
        ("a day after", end + 86_400_000, late(end + 86_400_000)),
    ]
    return [{"name": name, "token": TOKEN, "confirmed_at": at, "expected": expected}
            for name, at, expected in moments]


def challenge() -> list[dict[str, Any]]:
    cases = [
        ("a confirmation", TOKEN, SESSION, TRAINEE, NOW_MS + 42_317),
        ("another trainee, same code", TOKEN, SESSION, OTHER_TRAINEE, NOW_MS + 42_317),
        ("a second later", TOKEN, SESSION, TRAINEE, NOW_MS + 43_317),
        ("a foreign code names another session", token(OTHER_SECRET, OTHER_SESSION, WINDOW), SESSION, TRAINEE,
         NOW_MS),
        ("window 0 at the epoch", token(ZERO_SECRET, SESSION, 0), SESSION, TRAINEE, 0),
    ]
    out = []
    for name, tok, sid, tid, at in cases:
        content = f"fieldroll-confirmation-v1\n{tok}\n{sid}\n{tid}\n{at}"
        out.append({"name": name, "token": tok, "session_id": sid, "trainee_id": tid, "confirmed_at": at,
                    "content": content, "sha256": hashlib.sha256(content.encode("utf-8")).hexdigest()})
    return out


def birth_year_check() -> list[dict[str, Any]]:
    cases = [(TRAINEE, 1987), (TRAINEE, 1988), (OTHER_TRAINEE, 1987), (TRAINEE, 2008), (TRAINEE, 1950)]
    return [{"trainee_id": tid, "birth_year": year,
             "expected": hashlib.sha256(f"fieldroll-birth-year-v1:{tid}:{year}".encode()).hexdigest()[:8]}
            for tid, year in cases]


def relay_text(op: dict[str, Any]) -> str:
    body = {"o": op["op_id"], "h": op["hlc"], "f": op["fields"]}
    return PREFIX + json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


HLC = f"{NOW_MS + 42_317}-0000-phone-7f3a"
OP_ID = "0195a3c6-2a6d-7b1c-9d2e-3f4a5b6c7d8e"
PASSKEY_PROOF = {
    # Out of order on purpose: the relay sorts nested keys too.
    "signature": "MEUCIQDx-_sig",
    "token": TOKEN,
    "client_data_json": "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
    "note": "Học viên Nguyễn Thị Hà đã có mặt ở xã Tả Van",
    "confirmed_at": NOW_MS + 42_317,
    "authenticator_data": "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ",
    "credential_id": "q2xZ-7_w",
}
# What the passkey case must come out as, written out by hand rather than by json.dumps.
PASSKEY_TEXT = (
    'FRC1:{"f":{"method":"passkey","proof":{"authenticator_data":"SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ",'
    f'"client_data_json":"eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0","confirmed_at":{NOW_MS + 42_317},'
    '"credential_id":"q2xZ-7_w","note":"Học viên Nguyễn Thị Hà đã có mặt ở xã Tả Van","signature":"MEUCIQDx-_sig",'
    f'"token":"{TOKEN}"}},"session_id":"{SESSION}","trainee_id":"{TRAINEE}"}},"h":"{HLC}","o":"{OP_ID}"}}'
)


def confirmation_op(fields: dict[str, Any], op_id: Any = OP_ID, hlc: Any = HLC) -> dict[str, Any]:
    return {"op_id": op_id, "entity": "confirmation",
            "id": str(uuid.uuid5(NAMESPACE, f"confirmation:{fields['session_id']}:{fields['trainee_id']}")),
            "hlc": hlc, "kind": "upsert", "fields": fields}


def relay_ops() -> list[tuple[str, dict[str, Any]]]:
    unverified = {"trainee_id": TRAINEE, "session_id": SESSION, "method": "unverified",
                  "proof": {"token": TOKEN, "confirmed_at": NOW_MS + 42_317}}
    passkey = {"trainee_id": TRAINEE, "proof": PASSKEY_PROOF, "session_id": SESSION, "method": "passkey"}
    awkward_text = {"trainee_id": TRAINEE, "session_id": SESSION, "method": "unverified", "proof": {
        "token": TOKEN, "confirmed_at": NOW_MS,
        "note": 'tab\there, "quoted", back\\slash, line\nbreak, bell\u0007, del\u007f, '
                'LS\u2028PS\u2029, nbsp\u00a0, decomposed Vie\u0302\u0323t, emoji \U0001f600',
    }}
    awkward_keys = {"session_id": SESSION, "trainee_id": TRAINEE, "method": "unverified", "proof": {
        "token": TOKEN, "confirmed_at": NOW_MS,
        # Python sorts by code point: "10" < "9" < "B" < "a" < "é" < "！" < "😀"; JS objects
        # list "9" before "10", and a UTF-16 sort puts the emoji before "！".
        "\U0001f600": 1, "\uff01": 2, "é": 3, "a": 4, "B": 5, "9": 6, "10": 7,
    }}
    values = {"session_id": SESSION, "trainee_id": TRAINEE, "method": "unverified", "proof": {
        "token": TOKEN, "confirmed_at": 2**53 - 1, "n": -42, "z": 0, "t": True, "f": False, "x": None,
        "list": [3, "b", {"y": 1, "x": [2, {}]}, []], "empty": {},
    }}
    return [("unverified", confirmation_op(unverified)),
            ("passkey, Vietnamese note, proof keys out of order", confirmation_op(passkey)),
            ("escapes: control characters, quotes, U+2028", confirmation_op(awkward_text)),
            ("keys sorted by code point", confirmation_op(awkward_keys)),
            ("nested lists, booleans, null, 2^53 - 1", confirmation_op(values))]


def relay_encode() -> list[dict[str, Any]]:
    out = []
    for name, op in relay_ops():
        wire = {k: op[k] for k in ("op_id", "hlc", "fields")}
        out.append({"name": name, "op": wire, "expected": relay_text(op)})
    assert out[1]["expected"] == PASSKEY_TEXT, out[1]["expected"]
    return out


def relay_decode() -> list[dict[str, Any]]:
    ok = [{"name": f"round trip: {name}", "text": relay_text(op), "expected": op} for name, op in relay_ops()]
    good = relay_text(relay_ops()[0][1])
    body = good[len(PREFIX):]
    fields = relay_ops()[0][1]["fields"]

    def with_fields(**changes: Any) -> str:
        changed = {k: v for k, v in {**fields, **changes}.items() if v is not None}
        return PREFIX + json.dumps({"o": OP_ID, "h": HLC, "f": changed}, ensure_ascii=False)

    def bad(name: str, text: object) -> dict[str, Any]:
        return {"name": name, "text": text, "expected": None}

    return [
        *ok,
        {"name": "spaces around the JSON are JSON", "text": PREFIX + " " + body + "\n",
         "expected": relay_ops()[0][1]},
        {"name": "op id and clock travel unchecked (the op's own checks come later)",
         "text": PREFIX + json.dumps({"o": 42, "h": None, "f": fields}),
         "expected": confirmation_op(fields, op_id=42, hlc=None)},
        {"name": "a repeated key: the last one counts",
         "text": PREFIX + '{"o":"x","o":' + json.dumps(OP_ID) + ',"h":' + json.dumps(HLC)
                 + ',"f":' + json.dumps(fields) + "}",
         "expected": relay_ops()[0][1]},
        bad("wrong prefix", "FRC2:" + body),
        bad("lowercase prefix", "frc1:" + body),
        bad("no prefix", body),
        bad("the check-in link", f"https://fieldroll.example/#/checkin/{TOKEN}"),
        bad("bad JSON", good[:-1]),
        bad("NaN is not JSON", with_fields(proof={"token": TOKEN, "confirmed_at": float("nan")})),
        bad("a list, not an object", PREFIX + json.dumps([OP_ID, HLC, fields])),
        bad("an extra key", PREFIX + json.dumps({"o": OP_ID, "h": HLC, "f": fields, "e": "confirmation"})),
        bad("no clock", PREFIX + json.dumps({"o": OP_ID, "f": fields})),
        bad("fields not an object", PREFIX + json.dumps({"o": OP_ID, "h": HLC, "f": [fields]})),
        bad("no session id", with_fields(session_id=None)),
        bad("no trainee id", with_fields(trainee_id=None)),
        bad("session id not a uuid", with_fields(session_id="session-1")),
        bad("trainee id in uppercase", with_fields(trainee_id=TRAINEE.upper())),
        bad("session id a number", with_fields(session_id=1)),
        bad("prefix only", PREFIX),
        bad("null", None),
        bad("a number", 1),
    ]


def build() -> dict[str, Any]:
    return {
        "about": "docs/checkin.md; written by tests/vectors/write_checkin.py, not by sync/checkin.py",
        "token_ttl_s": TTL_MS // 1000, "grace_s": GRACE_MS // 1000, "clock_skew_s": SKEW_MS // 1000,
        "relay_prefix": PREFIX,
        "windows": windows(), "tokens": tokens(), "parse": parse(), "timing": timing(),
        "challenge": challenge(), "birth_year_check": birth_year_check(),
        "relay_encode": relay_encode(), "relay_decode": relay_decode(),
    }


def main() -> None:
    """Write the file, formatted the same way every time so diffs stay small."""
    PATH.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
