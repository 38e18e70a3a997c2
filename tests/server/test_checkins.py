"""A trainee's own phone: the roster behind a check-in code, and confirmations sent without a device token."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask

from server.checkins.secrets import session_secret
from server.extensions import db
from server.models import Confirmation, ConfirmationCheck, OpLog, RejectedOp
from sync.checkin import birth_year_check
from sync.ids import derived_id
from tests.server.confirmations import confirmation, now_ms, signed_confirmation
from tests.server.protocol_client import Api, World, count_rows, op, server_op
from tests.server.soft_authenticator import SoftAuthenticator, checkin_token, register_trainee_passkey

ROSTER = "/api/v1/checkins/roster"
CHECKINS = "/api/v1/checkins"
STORED = (OpLog, RejectedOp, Confirmation, ConfirmationCheck)


def stored(app: Flask) -> tuple[int, ...]:
    return tuple(count_rows(app, model) for model in STORED)


def roster(api: Api, token: object) -> Any:
    return api.request("GET", f"{ROSTER}?token={token}")


def enrollment_id(world: World, trainee_id: str) -> str:
    found = derived_id("enrollment", {"course_id": world.ids["course_a"], "trainee_id": trainee_id})
    assert found is not None
    return found


def enrol(world: World, name: str, full_name: str) -> str:
    """Add a trainee of course A with a phone number and an ethnicity the roster must not show."""
    trainee_id = world.new_id(name)
    with world.app.app_context():
        world.seed(server_op("trainee", trainee_id, full_name=full_name, commune_id=world.ids["commune_a"],
                             phone="0912 345 678", ethnicity="Dao"),
                   server_op("enrollment", enrollment_id(world, trainee_id), course_id=world.ids["course_a"],
                             trainee_id=trainee_id))
    return trainee_id


def test_a_current_code_lists_the_courses_trainees_by_name_and_nothing_personal(world: World, api: Api) -> None:
    early = enrol(world, "early", "bùi văn Cường")  # lower case sorts among the capitals
    no_year = enrol(world, "no_year", "Lò Thị Dung")
    merged = enrol(world, "merged", "Giàng Thị A (trùng)")
    left = enrol(world, "left", "Sùng Văn Lử")
    with world.app.app_context():
        world.seed(server_op("trainee", merged, merged_into=world.ids["trainee_a"]),
                   {**server_op("enrollment", enrollment_id(world, left)), "kind": "delete"})

    reply = roster(api, checkin_token(world.app, world.ids["session_a"], windows_ago=1))

    assert reply.status == 200, reply.body
    assert reply.body["session"] == {"id": world.ids["session_a"], "course_id": world.ids["course_a"],
                                     "date": "2026-11-23", "start_time": "08:00",
                                     "place": "Nhà văn hoá", "course_title": "Khoá a"}
    assert [s["id"] for s in reply.body["course_sessions"]] == [world.ids["session_a"]]
    trainee_a = world.ids["trainee_a"]
    assert reply.body["trainees"] == [
        {"id": early, "name": "bùi văn Cường", "birth_year_check": None},
        {"id": trainee_a, "name": "Giàng Thị A", "birth_year_check": birth_year_check(trainee_a, 1980)},
        {"id": no_year, "name": "Lò Thị Dung", "birth_year_check": None},
    ]
    assert "Dao" not in reply.raw.decode() and "Mông" not in reply.raw.decode()


def test_a_stale_forged_or_unreadable_code_gets_no_roster(world: World, api: Api) -> None:
    session_id = world.ids["session_a"]
    stale = roster(api, checkin_token(world.app, session_id, windows_ago=2))
    ahead = roster(api, checkin_token(world.app, session_id, windows_ago=-2))
    forged = roster(api, checkin_token(world.app, session_id, secret="A" * 43))
    assert (stale.status, stale.error_code) == (410, "checkin_token_expired")
    assert (ahead.status, ahead.error_code) == (410, "checkin_token_expired")
    assert (forged.status, forged.error_code) == (400, "invalid_checkin_token")
    assert (roster(api, "not-a-code").status, roster(api, "not-a-code").error_code) == (400, "invalid_checkin_token")
    missing = api.request("GET", ROSTER)
    assert (missing.status, missing.error_code) == (400, "invalid_request")


def test_an_unverified_confirmation_is_stored_marked_and_pulled_without_its_proof(world: World, api: Api) -> None:
    session_id, trainee_id = world.ids["session_a"], world.ids["trainee_a"]
    sent = confirmation(checkin_token(world.app, session_id), session_id, trainee_id)

    reply = api.request("POST", CHECKINS, {"ops": [sent]})

    assert reply.status == 200, reply.body
    assert reply.body == {"acks": [{"op_id": sent["op_id"], "status": "applied"}]}
    records, _ = api.pull_all(world.device("trainer_a"))
    pulled = records[("confirmation", sent["id"])]["fields"]
    assert pulled["verification"] == "unverified" and pulled["verification_reason"]
    assert "proof" not in pulled
    assert {k: pulled[k] for k in ("session_id", "trainee_id", "method")} == {
        "session_id": session_id, "trainee_id": trainee_id, "method": "unverified"}
    session = records[("session", session_id)]["fields"]
    with world.app.app_context():
        assert session["checkin_secret"] == session_secret(session_id)
        row = db.session.get(Confirmation, sent["id"])
        assert row is not None and row.proof == sent["fields"]["proof"] and row.origin_user_id == "trainee"


def test_a_passkey_confirmation_sent_by_the_trainee_is_verified(world: World, api: Api, live_url: str) -> None:
    session_id, trainee_id = world.ids["session_a"], world.ids["trainee_a"]
    phone = SoftAuthenticator(live_url)
    token = checkin_token(world.app, session_id)
    credential_id = register_trainee_passkey(api, phone, token, trainee_id)
    sent = signed_confirmation(phone, credential_id, token, session_id, trainee_id)

    reply = api.request("POST", CHECKINS, {"ops": [sent]}, gzip_body=True)

    assert reply.body["acks"] == [{"op_id": sent["op_id"], "status": "applied"}]
    with world.app.app_context():
        row = db.session.get(Confirmation, sent["id"])
        assert row is not None and (row.verification, row.verification_reason) == ("verified", None)


def test_a_code_used_too_late_is_stored_and_judged_not_refused(world: World, api: Api) -> None:
    session_id, trainee_id = world.ids["session_a"], world.ids["trainee_a"]
    old = checkin_token(world.app, session_id, windows_ago=10)  # 30 minutes ago
    sent = confirmation(old, session_id, trainee_id, confirmed_at=now_ms())
    assert api.request("POST", CHECKINS, {"ops": [sent]}).body["acks"][0]["status"] == "applied"
    with world.app.app_context():
        row = db.session.get(Confirmation, sent["id"])
        assert row is not None and row.verification == "failed"
        assert row.verification_reason and row.verification_reason.startswith("expired")


def test_the_same_confirmation_twice_is_one_record_by_either_path(world: World, api: Api) -> None:
    session_id, trainee_id = world.ids["session_a"], world.ids["trainee_a"]
    sent = confirmation(checkin_token(world.app, session_id), session_id, trainee_id)
    first = api.request("POST", CHECKINS, {"ops": [sent]})
    again = api.request("POST", CHECKINS, {"ops": [sent]})
    relayed = api.sync(world.device("trainer_a"), [sent])  # the trainer's phone scanned the relay code too
    assert [r.body["acks"][0]["status"] for r in (first, again, relayed)] == ["applied", "duplicate", "duplicate"]
    assert [count_rows(world.app, model) for model in (RejectedOp, Confirmation, ConfirmationCheck)] == [0, 1, 1]
    with world.app.app_context():
        assert db.session.query(OpLog).filter(OpLog.entity == "confirmation").count() == 1


def test_anything_but_a_trainees_genuine_confirmation_is_refused_and_nothing_kept(world: World, api: Api) -> None:
    session_a, session_b = world.ids["session_a"], world.ids["session_b"]
    trainee_a = world.ids["trainee_a"]
    token_a = checkin_token(world.app, session_a)
    trainer = world.device("trainer_a")
    attendance = op(trainer, "attendance", session_id=session_a, trainee_id=trainee_a, status="present")
    attendance["fields"]["proof"] = {"token": str(token_a), "confirmed_at": now_ms()}
    foreign = confirmation(checkin_token(world.app, session_b), session_a, trainee_a)
    forged = confirmation(checkin_token(world.app, session_a, secret="A" * 43), session_a, trainee_a)
    not_enrolled = confirmation(token_a, session_a, world.ids["trainee_b"])
    deleting = {**confirmation(token_a, session_a, trainee_a), "kind": "delete"}
    badly_shaped = {**confirmation(token_a, session_a, trainee_a), "hlc": "yesterday"}
    junk: list[Any] = [42, "x", [], {}, {"entity": "confirmation"}, {"entity": "confirmation", "fields": []}]
    before = stored(world.app)

    reply = api.request("POST", CHECKINS,
                        {"ops": [attendance, foreign, forged, not_enrolled, deleting, badly_shaped, *junk]})

    assert reply.status == 200, reply.body
    acks = reply.body["acks"]
    assert [a["status"] for a in acks] == ["rejected"] * (6 + len(junk))
    assert [a["op_id"] for a in acks[:6]] == [o["op_id"] for o in
                                              (attendance, foreign, forged, not_enrolled, deleting, badly_shaped)]
    reasons = [a["reason"] for a in acks]
    assert "nothing else" in reasons[0] and "another session" in reasons[1] and "no genuine" in reasons[2]
    assert "not enrolled" in reasons[3]
    assert stored(world.app) == before


def test_a_check_in_is_capped_in_ops_and_bytes(world: World, api: Api) -> None:
    session_id, trainee_id = world.ids["session_a"], world.ids["trainee_a"]
    token = checkin_token(world.app, session_id)
    too_many = api.request("POST", CHECKINS, {"ops": [confirmation(token, session_id, trainee_id)] * 21})
    assert (too_many.status, too_many.error_code) == (400, "invalid_request")
    assert too_many.body["error"]["details"]["fields"]["ops"] == ["at most 20 ops per check-in"]
    huge = json.dumps({"ops": [{"pad": "x" * (1024 * 1024)}]}).encode()
    too_big = api.request("POST", CHECKINS, raw=huge)
    assert (too_big.status, too_big.error_code) == (413, "request_too_large")
    unknown_key = api.request("POST", CHECKINS, {"ops": [], "device_id": "x"})
    assert (unknown_key.status, unknown_key.error_code) == (400, "invalid_request")
    assert stored(world.app) == (count_rows(world.app, OpLog), 0, 0, 0)
