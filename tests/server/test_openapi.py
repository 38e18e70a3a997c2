"""The OpenAPI document describes every endpoint the app serves under /api/v1."""

from __future__ import annotations

import re

from flask import Flask

from tests.server.protocol_client import Api


def test_openapi_lists_every_api_route_with_its_schemas(app: Flask, api: Api) -> None:
    reply = api.request("GET", "/api/v1/openapi.json")
    assert reply.status == 200
    doc = reply.body
    # Flask writes a path parameter <name>, OpenAPI {name}.
    served = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1/")}
    assert set(doc["paths"]) == served
    sync_body = doc["components"]["schemas"]["SyncRequest"]
    assert {"protocol", "device_id", "cursor", "ops", "pull_limit"} <= set(sync_body["properties"])
    assert set(doc["paths"]["/api/v1/sync"]["post"]["responses"]) >= {"200", "400", "401", "413", "426"}
    assert "hlc" in doc["components"]["schemas"]["Change"]["required"]
    outbox = doc["paths"]["/api/v1/outbox-files"]["post"]
    assert set(outbox["responses"]) >= {"200", "400", "401", "403", "404"}
    outbox_file = doc["components"]["schemas"]["OutboxFile"]
    assert {"format", "version", "payload", "signature"} <= set(outbox_file["properties"])


def test_unknown_api_paths_answer_json_404(api: Api) -> None:
    reply = api.request("GET", "/api/v1/nothing-here")
    assert (reply.status, reply.error_code) == (404, "not_found")

