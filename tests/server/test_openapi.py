"""The OpenAPI document describes every endpoint the app serves under /api/v1."""

from __future__ import annotations

from flask import Flask

from tests.server.protocol_client import Api


def test_openapi_lists_every_api_route_with_its_schemas(app: Flask, api: Api) -> None:
    reply = api.request("GET", "/api/v1/openapi.json")
    assert reply.status == 200
    doc = reply.body
    served = {rule.rule for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    assert set(doc["paths"]) == served
    sync_body = doc["components"]["schemas"]["SyncRequest"]
    assert {"protocol", "device_id", "cursor", "ops", "pull_limit"} <= set(sync_body["properties"])
    assert set(doc["paths"]["/api/v1/sync"]["post"]["responses"]) >= {"200", "400", "401", "413", "426"}


def test_unknown_api_paths_answer_json_404(api: Api) -> None:
    reply = api.request("GET", "/api/v1/nothing-here")
    assert (reply.status, reply.error_code) == (404, "not_found")


def test_the_status_page_shows_the_server_is_up_with_its_counts(world: object, api: Api) -> None:
    reply = api.request("GET", "/")
    page = reply.raw.decode()
    assert reply.status == 200 and "text/html" in reply.headers["content-type"]
    assert "Máy chủ đồng bộ đang chạy" in page
    assert "<td>Khoá học <i>Courses</i></td><td>2</td>" in page
