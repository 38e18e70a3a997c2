"""Transport: gzip both ways, size caps, paging with `more`, and the cost of an idle sync."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Iterator

import pytest
from flask import Flask

from server.models import OpLog, RejectedOp
from tests.server.conftest import app_for, seed_world, serving
from tests.server.protocol_client import Api, World, count_rows, op


def test_gzip_request_and_gzip_response(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    mark = op(device, "attendance", session_id=world.ids["session_a"], trainee_id=world.ids["trainee_a"],
              status="present")
    body = {"protocol": 1, "device_id": device.id, "cursor": None, "ops": [mark]}
    reply = api.request("POST", "/api/v1/sync", body, token=device.token, gzip_body=True, accept_gzip=True)
    assert reply.status == 200
    assert reply.headers["content-encoding"] == "gzip"
    assert json.loads(gzip.decompress(reply.raw))["acks"][0]["status"] == "applied"


def test_no_gzip_unless_asked(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    reply = api.sync(device)
    assert "content-encoding" not in reply.headers
    assert reply.body["protocol"] == 1


def test_an_idle_sync_costs_well_under_a_kilobyte(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    _, cursor = api.pull_all(device)
    body = {"protocol": 1, "device_id": device.id, "cursor": cursor, "ops": []}
    reply = api.request("POST", "/api/v1/sync", body, token=device.token, accept_gzip=True)
    sent = len(json.dumps(body))
    assert reply.body["changes"] == [] and reply.body["more"] is False
    assert sent + len(reply.raw) < 512


def test_a_broken_gzip_body_is_400(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    reply = api.request("POST", "/api/v1/sync", raw=b"not gzip at all", token=device.token,
                        headers={"Content-Encoding": "gzip"})
    assert (reply.status, reply.error_code) == (400, "bad_gzip")


def test_an_unknown_content_encoding_is_415(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    reply = api.request("POST", "/api/v1/sync", raw=b"{}", token=device.token, headers={"Content-Encoding": "br"})
    assert (reply.status, reply.error_code) == (415, "unsupported_encoding")


@pytest.fixture
def small_caps_api(database_url: str) -> Iterator[tuple[Flask, Api]]:
    app = app_for(database_url, MAX_CONTENT_LENGTH=20_000, MAX_INFLATED_REQUEST_BYTES=40_000,
                  MAX_OPS_PER_REQUEST=50)
    with serving(app) as url:
        yield app, Api(url)


def _many_marks(world: World, device: object, n: int) -> list[dict[str, object]]:
    return [op(device, "trainee", str(uuid.uuid4()), full_name=f"Người {i}",  # type: ignore[arg-type]
               commune_id=world.ids["commune_a"], village="x" * 150) for i in range(n)]


def _world_on(app: Flask, api: Api) -> World:
    return seed_world(World(app, api))


def test_an_oversize_body_is_413_and_nothing_is_applied(small_caps_api: tuple[Flask, Api]) -> None:
    app, api = small_caps_api
    world = _world_on(app, api)
    device = world.device("trainer_a")
    before = (count_rows(app, OpLog), count_rows(app, RejectedOp))
    reply = api.sync(device, _many_marks(world, device, 49))
    assert (reply.status, reply.error_code) == (413, "request_too_large")
    assert "fewer ops" in reply.body["error"]["message"]
    assert (count_rows(app, OpLog), count_rows(app, RejectedOp)) == before


def test_a_gzip_bomb_is_413_and_nothing_is_applied(small_caps_api: tuple[Flask, Api]) -> None:
    app, api = small_caps_api
    world = _world_on(app, api)
    device = world.device("trainer_a")
    before = count_rows(app, OpLog)
    body = {"protocol": 1, "device_id": device.id, "cursor": None, "ops": _many_marks(world, device, 40),
            "app_version": " " * 0}
    padded = json.dumps(body).encode() + b" " * 5_000_000
    reply = api.request("POST", "/api/v1/sync", raw=gzip.compress(padded), token=device.token,
                        headers={"Content-Encoding": "gzip"})
    assert (reply.status, reply.error_code) == (413, "request_too_large")
    assert count_rows(app, OpLog) == before


def test_too_many_ops_in_one_request_is_refused_whole(small_caps_api: tuple[Flask, Api]) -> None:
    app, api = small_caps_api
    world = _world_on(app, api)
    device = world.device("trainer_a")
    before = count_rows(app, OpLog)
    ops = [op(device, "trainee", str(uuid.uuid4()), full_name=f"N{i}", commune_id=world.ids["commune_a"])
           for i in range(51)]
    reply = api.sync(device, ops)
    assert (reply.status, reply.error_code) == (400, "invalid_request")
    assert "at most 50 ops" in json.dumps(reply.body)
    assert count_rows(app, OpLog) == before


def test_pages_cover_everything_once_in_server_order(world: World, api: Api) -> None:
    device = world.device("trainer_a")
    ops = [op(device, "trainee", str(uuid.uuid4()), full_name=f"Học viên {i}", commune_id=world.ids["commune_a"])
           for i in range(23)]
    assert {a["status"] for a in api.sync(device, ops).body["acks"]} == {"applied"}
    seen: list[tuple[str, str]] = []
    revs: list[int] = []
    cursor, pages = None, 0
    while True:
        reply = api.sync(device, cursor=cursor, pull_limit=7)
        pages += 1
        assert len(reply.body["changes"]) <= 7
        seen += [(c["entity"], c["id"]) for c in reply.body["changes"]]
        revs += [c["rev"] for c in reply.body["changes"]]
        cursor = reply.body["cursor"]
        if not reply.body["more"]:
            break
    everything, _ = api.pull_all(device)
    assert len(seen) == len(set(seen)) == len(everything)
    assert revs == sorted(revs)
    assert pages == -(-len(seen) // 7) or pages == -(-len(seen) // 7) + 1
