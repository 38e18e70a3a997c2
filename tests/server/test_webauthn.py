"""Passkeys over HTTP: staff register and sign in on a new device; trainees register with a check-in code.

The authenticator is a software one making real keys and signatures; the relying party is
the host the test server answers at (localhost), as a browser there would see it.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask

from server.extensions import db
from server.models import Device, Passkey, WebAuthnCeremony
from server.sql_store import now_utc
from server.webauthn.trainee import token_problem
from sync.checkin import CHECKIN_TOKEN_TTL_MS, b64url, b64url_decode, make_checkin_token
from tests.server.protocol_client import Api, Reply, World, count_rows
from tests.server.protocol_client import Device as Phone
from tests.server.soft_authenticator import SoftAuthenticator, checkin_token, register_trainee_passkey

W = "/api/v1/webauthn"


def register_staff_passkey(api: Api, device: Phone, authenticator: SoftAuthenticator) -> str:
    options = api.request("POST", f"{W}/register/options", token=device.token)
    assert options.status == 200, options.body
    reply = api.request("POST", f"{W}/register", {"ceremony_id": options.body["ceremony_id"],
                                                  "credential": authenticator.create(options.body["public_key"])},
                        token=device.token)
    assert reply.status == 201, reply.body
    return str(reply.body["credential_id"])


def login(api: Api, authenticator: SoftAuthenticator, **extra: Any) -> Reply:
    options = api.request("POST", f"{W}/login/options")
    assert options.status == 200, options.body
    assertion = authenticator.get(options.body["public_key"])
    return api.request("POST", f"{W}/login", {"ceremony_id": options.body["ceremony_id"], "credential": assertion,
                                              **extra})


def test_staff_register_a_passkey_then_sign_in_with_it_on_a_new_device(world: World, api: Api,
                                                                        live_url: str) -> None:
    phone = world.device("trainer_a")
    options = api.request("POST", f"{W}/register/options", token=phone.token)
    public_key = options.body["public_key"]
    assert public_key["rp"]["id"] == "localhost" and public_key["excludeCredentials"] == []
    assert public_key["authenticatorSelection"]["residentKey"] == "required"
    assert public_key["authenticatorSelection"]["userVerification"] == "preferred"
    authenticator = SoftAuthenticator(live_url)
    credential_id = register_staff_passkey(api, phone, authenticator)
    again = api.request("POST", f"{W}/register/options", token=phone.token).body["public_key"]
    assert [c["id"] for c in again["excludeCredentials"]] == [credential_id]

    login_options = api.request("POST", f"{W}/login/options").body["public_key"]
    assert "allowCredentials" not in login_options or login_options["allowCredentials"] == []
    reply = login(api, authenticator, label="Laptop ở văn phòng", app_version="0.4.0")
    assert reply.status == 201, reply.body
    assert reply.body["user"] == {"id": world.ids["trainer_a"], "name": "trainer_a", "role": "trainer"}
    assert reply.body["device_id"] != phone.id
    laptop = Phone(reply.body["device_id"], reply.body["token"], reply.body["user"]["id"])
    records, _ = api.pull_all(laptop)
    assert ("session", world.ids["session_a"]) in records
    with world.app.app_context():
        device = db.session.get(Device, laptop.id)
        passkey = db.session.get(Passkey, credential_id)
        assert device is not None and (device.label, device.app_version) == ("Laptop ở văn phòng", "0.4.0")
        assert passkey is not None and passkey.sign_count == 1 and passkey.last_used_at is not None


def test_a_ceremony_is_spent_once_and_expires(world: World, api: Api, live_url: str) -> None:
    authenticator = SoftAuthenticator(live_url)
    register_staff_passkey(api, world.device("trainer_a"), authenticator)
    options = api.request("POST", f"{W}/login/options").body
    first = api.request("POST", f"{W}/login", {"ceremony_id": options["ceremony_id"],
                                                "credential": authenticator.get(options["public_key"])})
    second = api.request("POST", f"{W}/login", {"ceremony_id": options["ceremony_id"],
                                                 "credential": authenticator.get(options["public_key"])})
    assert first.status == 201 and (second.status, second.error_code) == (400, "invalid_ceremony")

    late = api.request("POST", f"{W}/login/options").body
    with world.app.app_context():
        ceremony = db.session.get(WebAuthnCeremony, late["ceremony_id"])
        assert ceremony is not None
        ceremony.expires_at = now_utc() - timedelta(seconds=1)
        db.session.commit()
    expired = api.request("POST", f"{W}/login", {"ceremony_id": late["ceremony_id"],
                                                  "credential": authenticator.get(late["public_key"])})
    unknown = api.request("POST", f"{W}/login", {"ceremony_id": "0" * 36,
                                                  "credential": authenticator.get(late["public_key"])})
    assert (expired.status, expired.error_code) == (400, "invalid_ceremony")
    assert (unknown.status, unknown.error_code) == (400, "invalid_ceremony")
    assert count_rows(world.app, Device) == 2  # the trainer's phone and the one sign-in


def test_a_failed_answer_spends_the_ceremony(world: World, api: Api, live_url: str) -> None:
    authenticator = SoftAuthenticator(live_url)
    register_staff_passkey(api, world.device("trainer_a"), authenticator)
    options = api.request("POST", f"{W}/login/options").body
    good = authenticator.get(options["public_key"])
    bad = {**good, "response": {**good["response"], "signature": b64url(b"\x30\x06\x02\x01\x01\x02\x01\x01")}}
    refused = api.request("POST", f"{W}/login", {"ceremony_id": options["ceremony_id"], "credential": bad})
    retried = api.request("POST", f"{W}/login", {"ceremony_id": options["ceremony_id"], "credential": good})
    assert (refused.status, refused.error_code) == (401, "passkey_refused")
    assert (retried.status, retried.error_code) == (400, "invalid_ceremony")


def test_a_revoked_unknown_or_trainee_passkey_cannot_sign_in(world: World, api: Api, live_url: str) -> None:
    authenticator = SoftAuthenticator(live_url)
    credential_id = register_staff_passkey(api, world.device("coord_a"), authenticator)
    with world.app.app_context():
        passkey = db.session.get(Passkey, credential_id)
        assert passkey is not None
        passkey.revoked_at = now_utc()
        db.session.commit()
    stranger = SoftAuthenticator(live_url)
    stranger.create(api.request("POST", f"{W}/register/options", token=world.device("trainer_b").token)
                    .body["public_key"])  # made on the phone, never sent to the server
    trainee_phone = SoftAuthenticator(live_url)
    register_trainee_passkey(api, trainee_phone, checkin_token(world.app, world.ids["session_a"]),
                             world.ids["trainee_a"])
    for who in (authenticator, stranger, trainee_phone):
        reply = login(api, who)
        assert (reply.status, reply.error_code) == (401, "passkey_refused"), reply.body
    assert count_rows(world.app, Device) == 2


def test_a_sign_in_from_another_origin_is_refused(world: World, api: Api, live_url: str) -> None:
    authenticator = SoftAuthenticator(live_url)
    register_staff_passkey(api, world.device("trainer_a"), authenticator)
    authenticator.origin = "https://fieldroll.example.net"
    reply = login(api, authenticator)
    assert (reply.status, reply.error_code) == (401, "passkey_refused")


def test_a_ceremony_finishes_only_what_it_began_for_whom_it_began(world: World, api: Api, live_url: str) -> None:
    authenticator = SoftAuthenticator(live_url)
    trainer, other = world.device("trainer_a"), world.device("trainer_b")
    login_options = api.request("POST", f"{W}/login/options").body
    as_registration = api.request("POST", f"{W}/register", {
        "ceremony_id": login_options["ceremony_id"],
        "credential": authenticator.create({**login_options["public_key"], "rp": {"id": "localhost"},
                                            "user": {"id": b64url(b"x")},
                                            "pubKeyCredParams": [{"alg": -7, "type": "public-key"}]})},
        token=trainer.token)
    options = api.request("POST", f"{W}/register/options", token=trainer.token).body
    by_another = api.request("POST", f"{W}/register", {
        "ceremony_id": options["ceremony_id"], "credential": authenticator.create(options["public_key"])},
        token=other.token)
    trainee_options = api.request("POST", f"{W}/trainee/register/options", {
        "token": str(checkin_token(world.app, world.ids["session_a"])), "trainee_id": world.ids["trainee_a"],
        "birth_year": 1980}).body
    trainee_as_staff = api.request("POST", f"{W}/register", {
        "ceremony_id": trainee_options["ceremony_id"],
        "credential": authenticator.create(trainee_options["public_key"])}, token=trainer.token)
    for reply in (as_registration, by_another, trainee_as_staff):
        assert (reply.status, reply.error_code) == (400, "invalid_ceremony"), reply.body
    assert count_rows(world.app, Passkey) == 0


def test_staff_passkey_endpoints_need_a_device_token_and_a_readable_body(world: World, api: Api) -> None:
    assert api.request("POST", f"{W}/register/options").error_code == "missing_token"
    phone = world.device("trainer_a")
    for body in ({}, {"ceremony_id": "x"}, {"ceremony_id": "x", "credential": "not an object"}):
        reply = api.request("POST", f"{W}/register", body, token=phone.token)
        assert (reply.status, reply.error_code) == (400, "invalid_request")
    options = api.request("POST", f"{W}/register/options", token=phone.token).body
    garbage = api.request("POST", f"{W}/register", {"ceremony_id": options["ceremony_id"],
                                                    "credential": {"id": "AAAA", "response": {}}}, token=phone.token)
    assert (garbage.status, garbage.error_code) == (400, "invalid_credential")


def test_a_trainee_registers_a_passkey_with_the_code_the_trainer_shows(world: World, api: Api,
                                                                      live_url: str) -> None:
    token = checkin_token(world.app, world.ids["session_a"])
    options = api.request("POST", f"{W}/trainee/register/options",
                          {"token": str(token), "trainee_id": world.ids["trainee_a"], "birth_year": 1980})
    assert options.status == 200, options.body
    user = options.body["public_key"]["user"]
    assert b64url_decode(user["id"]).hex() == world.ids["trainee_a"].replace("-", "")
    assert user["name"] == "trainee" and "Giàng" not in user["displayName"]
    phone = SoftAuthenticator(live_url)
    reply = api.request("POST", f"{W}/trainee/register", {"ceremony_id": options.body["ceremony_id"],
                                                          "credential": phone.create(options.body["public_key"])})
    assert reply.status == 201, reply.body
    with world.app.app_context():
        passkey = db.session.get(Passkey, reply.body["credential_id"])
        assert passkey is not None
        assert (passkey.trainee_id, passkey.user_id) == (world.ids["trainee_a"], None)


def test_a_trainee_passkey_needs_a_genuine_current_code_the_roster_and_the_birth_year(world: World,
                                                                                     api: Api) -> None:
    app: Flask = world.app
    session_a, trainee_a = world.ids["session_a"], world.ids["trainee_a"]
    current = str(checkin_token(app, session_a))
    cases = [
        ({"token": current, "trainee_id": trainee_a, "birth_year": 1981}, 403, "birth_year_mismatch"),
        ({"token": current, "trainee_id": trainee_a, "birth_year": None}, 403, "birth_year_mismatch"),
        ({"token": current, "trainee_id": world.ids["trainee_b"], "birth_year": 1980}, 403, "not_on_roster"),
        ({"token": current, "trainee_id": world.ids["trainer_a"], "birth_year": 1980}, 403, "not_on_roster"),
        ({"token": str(checkin_token(app, session_a, windows_ago=3)), "trainee_id": trainee_a, "birth_year": 1980},
         400, "invalid_checkin_token"),
        ({"token": str(checkin_token(app, session_a, windows_ago=-3)), "trainee_id": trainee_a,
          "birth_year": 1980}, 400, "invalid_checkin_token"),
        ({"token": str(checkin_token(app, session_a, secret=b64url(bytes(32)))), "trainee_id": trainee_a,
          "birth_year": 1980}, 400, "invalid_checkin_token"),
        ({"token": current.replace(session_a, world.ids["course_a"]), "trainee_id": trainee_a,
          "birth_year": 1980}, 400, "invalid_checkin_token"),
        ({"token": "not a code", "trainee_id": trainee_a, "birth_year": 1980}, 400, "invalid_checkin_token"),
        ({"token": current, "trainee_id": "nobody", "birth_year": 1980}, 400, "invalid_request"),
    ]
    for body, status, code in cases:
        reply = api.request("POST", f"{W}/trainee/register/options", body)
        assert (reply.status, reply.error_code) == (status, code), (body, reply.body)
        assert "1980" not in reply.raw.decode()
    assert count_rows(app, WebAuthnCeremony) == 0
    assert count_rows(app, Passkey) == 0


def test_a_code_is_current_one_window_either_side_of_the_server_clock() -> None:
    secret, session_id, now_ms = b64url(bytes(range(32))), "6f2d1c9a-3b4e-5f60-8a71-92b3c4d5e6f7", 1_795_000_000_000
    window = now_ms // CHECKIN_TOKEN_TTL_MS
    for offset in (-1, 0, 1):
        assert token_problem(make_checkin_token(secret, session_id, window + offset), secret, now_ms) is None
    for offset in (-2, 2):
        problem = token_problem(make_checkin_token(secret, session_id, window + offset), secret, now_ms)
        assert problem is not None and "changed" in problem
    forged = make_checkin_token(b64url(bytes(32)), session_id, window)
    assert token_problem(forged, secret, now_ms) is not None
    assert token_problem(None, secret, now_ms) is not None


def test_a_synced_passkey_that_never_counts_signs_in_again_and_again(world: World, api: Api, live_url: str) -> None:
    authenticator = SoftAuthenticator(live_url, user_verified=False, counts_signatures=False)
    register_staff_passkey(api, world.device("trainer_a"), authenticator)
    for _ in range(2):
        reply = login(api, authenticator)
        assert reply.status == 201, reply.body
