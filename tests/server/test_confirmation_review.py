"""A trainer's "absent" against a trainee's verified confirmation opens a review conflict (docs/checkin.md §5)."""

from __future__ import annotations

from typing import Any

import pytest

from server import admin
from tests.server.confirmations import confirmation, signed_confirmation
from tests.server.protocol_client import Api, Device, World, op
from tests.server.soft_authenticator import SoftAuthenticator, checkin_token, register_trainee_passkey


@pytest.fixture
def confirmed(world: World, api: Api, live_url: str) -> dict[str, Any]:
    """Trainee A's passkey-signed confirmation of session A, sent from their own phone: verified."""
    session_id, trainee_id = world.ids["session_a"], world.ids["trainee_a"]
    phone = SoftAuthenticator(live_url)
    token = checkin_token(world.app, session_id)
    credential_id = register_trainee_passkey(api, phone, token, trainee_id)
    sent = signed_confirmation(phone, credential_id, token, session_id, trainee_id)
    assert api.request("POST", "/api/v1/checkins", {"ops": [sent]}).body["acks"][0]["status"] == "applied"
    return sent


def mark(device: Device, world: World, status: str, base_rev: int | None = None, **fields: Any) -> dict[str, Any]:
    return op(device, "attendance", base_rev=base_rev, session_id=world.ids["session_a"],
              trainee_id=world.ids["trainee_a"], status=status, **fields)


def reviews(api: Api, device: Device) -> list[dict[str, Any]]:
    records, _ = api.pull_all(device)
    return [c for (entity, _), c in records.items() if entity == "conflict" and c["fields"]["cause"] == "confirmation"]


def test_absent_against_a_verified_confirmation_is_one_conflict_the_trainer_pulls(
        world: World, api: Api, confirmed: dict[str, Any]) -> None:
    trainer = world.device("trainer_a")
    absent = mark(trainer, world, "absent")
    assert api.sync(trainer, [absent]).body["acks"][0]["status"] == "applied"

    records, _ = api.pull_all(trainer)
    opened = reviews(api, trainer)
    assert len(opened) == 1
    assert opened[0]["hlc"] == absent["hlc"]
    assert opened[0]["fields"] == {
        "record_entity": "attendance", "record_id": absent["id"], "field": "status",
        "winner_op_id": absent["op_id"], "loser_op_id": confirmed["op_id"],
        "winner_value": "absent", "loser_value": "confirmed", "resolved": False, "cause": "confirmation"}
    assert opened[0]["rev"] > records[("attendance", absent["id"])]["rev"]
    assert records[("attendance", absent["id"])]["fields"]["status"] == "absent"  # nothing overwritten
    assert records[("confirmation", confirmed["id"])]["fields"]["verification"] == "verified"
    assert reviews(api, world.device("coord_a")) == opened
    assert reviews(api, world.device("trainer_b")) == []


def test_a_confirmation_arriving_after_the_absent_mark_opens_it_too(world: World, api: Api, live_url: str) -> None:
    trainer = world.device("trainer_a")
    api.sync(trainer, [mark(trainer, world, "absent")])
    assert reviews(api, trainer) == []
    session_id, trainee_id = world.ids["session_a"], world.ids["trainee_a"]
    phone = SoftAuthenticator(live_url)
    token = checkin_token(world.app, session_id)
    credential_id = register_trainee_passkey(api, phone, token, trainee_id)
    relayed = signed_confirmation(phone, credential_id, token, session_id, trainee_id)
    # Relayed by the trainer's own phone, which scanned the trainee's QR code.
    assert api.sync(trainer, [relayed]).body["acks"][0]["status"] == "applied"
    assert [r["fields"]["loser_op_id"] for r in reviews(api, trainer)] == [relayed["op_id"]]


def test_changing_the_status_resolves_it(world: World, api: Api, confirmed: dict[str, Any]) -> None:
    trainer = world.device("trainer_a")
    api.sync(trainer, [mark(trainer, world, "absent")])
    _, cursor = api.pull_all(trainer)
    api.sync(trainer, [mark(trainer, world, "present")])
    changes = api.sync(trainer, cursor=cursor).body["changes"]
    closed = [c for c in changes if c["entity"] == "conflict"]
    assert len(closed) == 1 and closed[0]["fields"]["resolved"] is True
    assert [c["fields"]["status"] for c in changes if c["entity"] == "attendance"] == ["present"]


def test_absent_again_after_seeing_it_settles_it_and_it_stays_settled(
        world: World, api: Api, confirmed: dict[str, Any]) -> None:
    trainer = world.device("trainer_a")
    api.sync(trainer, [mark(trainer, world, "absent")])
    [opened] = reviews(api, trainer)

    again = mark(trainer, world, "absent", base_rev=opened["rev"])  # "yes, they left before the end"
    api.sync(trainer, [again])
    [settled] = reviews(api, trainer)
    assert settled["id"] == opened["id"] and settled["rev"] > opened["rev"]
    assert settled["fields"]["resolved"] is True and settled["fields"]["winner_op_id"] == again["op_id"]

    api.sync(trainer, [mark(trainer, world, "absent", base_rev=settled["rev"], note="về sớm")])
    api.sync(trainer, [op(trainer, "attendance", session_id=world.ids["session_a"],
                          trainee_id=world.ids["trainee_a"], note="về sớm, đã hỏi")])
    assert [r["fields"]["resolved"] for r in reviews(api, trainer)] == [True]


def test_absent_again_without_seeing_it_keeps_it_open_on_the_new_mark(
        world: World, api: Api, confirmed: dict[str, Any]) -> None:
    trainer = world.device("trainer_a")
    api.sync(trainer, [mark(trainer, world, "absent")])
    [opened] = reviews(api, trainer)
    blind = mark(trainer, world, "absent", base_rev=opened["rev"] - 1)
    api.sync(trainer, [blind])
    [still] = reviews(api, trainer)
    assert still["fields"]["resolved"] is False and still["fields"]["winner_op_id"] == blind["op_id"]
    assert still["rev"] > opened["rev"]


def test_an_unverified_confirmation_against_absent_is_no_conflict(world: World, api: Api) -> None:
    session_id, trainee_id = world.ids["session_a"], world.ids["trainee_a"]
    sent = confirmation(checkin_token(world.app, session_id), session_id, trainee_id)
    api.request("POST", "/api/v1/checkins", {"ops": [sent]})
    trainer = world.device("trainer_a")
    api.sync(trainer, [mark(trainer, world, "absent")])
    records, _ = api.pull_all(trainer)
    assert records[("confirmation", sent["id"])]["fields"]["verification"] == "unverified"
    assert not [c for (entity, _), c in records.items() if entity == "conflict"]


def test_merge_conflicts_on_the_same_record_keep_their_own_course(
        world: World, api: Api, confirmed: dict[str, Any]) -> None:
    world.user("trainer_c", "trainer")
    with world.app.app_context():
        admin.assign_trainer("trainer_c", world.ids["course_a"])
    first, second = world.device("trainer_a"), world.device("trainer_c")
    second.skew_ms = 5_000
    present, absent = mark(first, world, "present"), mark(second, world, "absent")
    api.sync(first, [present])
    assert api.sync(second, [absent]).body["acks"][0]["status"] == "conflict"

    def by_cause() -> dict[str, list[tuple[str, bool]]]:
        records, _ = api.pull_all(first)
        found: dict[str, list[tuple[str, bool]]] = {}
        for (entity, _), c in records.items():
            if entity == "conflict":
                found.setdefault(c["fields"]["cause"], []).append((c["fields"]["loser_op_id"],
                                                                   c["fields"]["resolved"]))
        return found

    assert by_cause() == {"merge": [(present["op_id"], False)], "confirmation": [(confirmed["op_id"], False)]}
    # A note that saw nothing rewrites the record's merge conflicts; the review stays open.
    api.sync(second, [op(second, "attendance", session_id=world.ids["session_a"],
                         trainee_id=world.ids["trainee_a"], note="vắng")])
    assert by_cause() == {"merge": [(present["op_id"], False)], "confirmation": [(confirmed["op_id"], False)]}
    # Settling the merge conflict ("present" after all) closes both: the status is no longer absent.
    records, _ = api.pull_all(second)
    api.sync(second, [mark(second, world, "present", base_rev=max(c["rev"] for c in records.values()))])
    assert by_cause() == {"merge": [(present["op_id"], True)], "confirmation": [(confirmed["op_id"], True)]}
