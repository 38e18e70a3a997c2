"""No cookies, so nothing to forge across sites: every route answers without setting one, and
a request that carries only a cookie (as a forged cross-site request would) is refused."""

from __future__ import annotations

import re

from flask import Flask

from tests.server.protocol_client import World

UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"


def every_route(app: Flask) -> list[tuple[str, str]]:
    """(method, path) for every route the app serves, with a made-up id for each path parameter."""
    routes = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:\w+:)?(\w+)>", UNKNOWN_ID, rule.rule)
        routes += [(method, path) for method in sorted(rule.methods or ()) if method not in ("HEAD", "OPTIONS")]
    return routes


def test_no_route_sets_a_cookie_with_or_without_a_token(world: World) -> None:
    token = world.device("coord_p").token
    client = world.app.test_client()
    routes = every_route(world.app)
    assert len(routes) > 30
    for method, path in routes:
        for headers in ({}, {"Authorization": f"Bearer {token}"}):
            response = client.open(path, method=method, json={}, headers=headers)
            assert "Set-Cookie" not in response.headers, (method, path, response.headers["Set-Cookie"])


def test_a_request_with_only_a_cookie_is_refused(world: World) -> None:
    token = world.device("coord_p").token
    client = world.app.test_client()
    for name in ("session", "token", "fieldroll"):
        client.set_cookie(name, token)
    for method, path in (("POST", "/api/v1/sync"), ("GET", "/api/v1/devices"),
                         ("POST", f"/api/v1/devices/{UNKNOWN_ID}/revoke")):
        response = client.open(path, method=method, json={"protocol": 1})
        assert (response.status_code, (response.json or {})["error"]["code"]) == (401, "missing_token"), path
    # The same token in the header is let in: the refusal is the cookie's, not the token's.
    assert client.get("/api/v1/devices", headers={"Authorization": f"Bearer {token}"}).status_code == 200
