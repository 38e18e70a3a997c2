"""Security headers on every kind of response; HSTS only over TLS, as a trusted proxy reports it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from server.extensions import db
from server.security_headers import CONTENT_SECURITY_POLICY
from tests.server.conftest import app_for

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
PAGES = ["/", "/index.html", "/sw.js", "/status", "/status.css"]
JSON_ANSWERS = ["/api/v1/openapi.json", "/api/v1/sync", "/api/v1/nothing-here"]


def policy(response: TestResponse) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: sources}."""
    directives = [part.split() for part in response.headers["Content-Security-Policy"].split(";")]
    return {name: sources for name, *sources in directives}


@pytest.fixture
def proxied_app(database_url: str) -> Iterator[Flask]:
    app = app_for(database_url, TRUSTED_PROXIES=1)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("path", PAGES)
def test_every_response_carries_the_security_headers(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert {name: response.headers.get(name) for name in EXPECTED} == EXPECTED
    assert response.headers["Permissions-Policy"].startswith("camera=(self),")
    assert "microphone=()" in response.headers["Permissions-Policy"]
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "Strict-Transport-Security" not in response.headers


@pytest.mark.parametrize("path", JSON_ANSWERS)
def test_a_json_answer_carries_only_what_a_json_body_needs(app: Flask, path: str) -> None:
    response = app.test_client().get(path)
    assert response.mimetype == "application/json"
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert (response.headers["X-Content-Type-Options"], response.headers["X-Frame-Options"]) == ("nosniff", "DENY")
    assert not {"Permissions-Policy", "Referrer-Policy", "Cross-Origin-Opener-Policy"} & set(response.headers.keys())


def test_the_policy_allows_only_the_apps_own_files_and_no_framing(app: Flask) -> None:
    directives = policy(app.test_client().get("/"))
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert not any("unsafe" in source for sources in directives.values() for source in sources)


def test_the_status_page_has_no_inline_style_or_script(app: Flask) -> None:
    page = app.test_client().get("/status").get_data(as_text=True)
    assert "<style" not in page and "<script" not in page and "style=" not in page
    assert '<link rel="stylesheet" href="/status.css">' in page
    sheet = app.test_client().get("/status.css")
    assert (sheet.status_code, sheet.mimetype) == (200, "text/css")
    assert "font:" in sheet.get_data(as_text=True)


def test_the_app_shell_has_no_inline_style_or_script(app: Flask) -> None:
    page = app.test_client().get("/index.html").get_data(as_text=True)
    assert "<script" in page
    assert "<script>" not in page and "<style" not in page and "style=" not in page


def test_hsts_goes_out_over_tls(app: Flask) -> None:
    response = app.test_client().get("/api/v1/openapi.json", base_url="https://fieldroll.example")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_behind_a_trusted_proxy_hsts_follows_the_forwarded_scheme(proxied_app: Flask) -> None:
    client = proxied_app.test_client()
    over_tls = client.get("/status", headers={"X-Forwarded-Proto": "https"})
    plain = client.get("/status", headers={"X-Forwarded-Proto": "http"})
    assert over_tls.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in plain.headers


def test_without_a_trusted_proxy_a_forwarded_scheme_is_not_believed(app: Flask) -> None:
    response = app.test_client().get("/status", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_errors_carry_the_headers_too(app: Flask) -> None:
    response = app.test_client().post("/api/v1/devices", data="not json", content_type="application/json")
    assert response.status_code == 400
    assert response.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    missing = app.test_client().get("/no-such-page")
    assert (missing.status_code, missing.mimetype) == (404, "application/json")
    assert missing.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
