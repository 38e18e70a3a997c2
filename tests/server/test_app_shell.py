"""The built PWA is served from its dist folder with the right types, caching and gzip; the status page stays."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.server.conftest import app_for, serving
from tests.server.protocol_client import Api, World

INDEX = b'<!doctype html><title>FieldRoll</title><script type="module" src="/assets/app-3F2A9C.js"></script>'
SW = b"self.addEventListener('install', () => self.skipWaiting());"
APP_JS = b"console.log('app');" * 50


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    """Write a small build like `npm run build --prefix pwa` makes, and a secret beside it."""
    root = tmp_path / "dist"
    files = {
        "index.html": INDEX, "sw.js": SW, "manifest.webmanifest": b'{"name": "FieldRoll"}',
        "assets/app-3F2A9C.js": APP_JS, "assets/app-77B1.css": b"body{margin:0}",
        "icons/icon-192.png": b"\x89PNG\r\n\x1a\n",
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    for name in ("index.html", "sw.js", "assets/app-3F2A9C.js"):
        (root / f"{name}.gz").write_bytes(gzip.compress(files[name]))
    (tmp_path / "secret.txt").write_text("database password")
    return root


@pytest.fixture
def shell_app(dist: Path) -> Flask:
    return app_for("sqlite://", PWA_DIST_DIR=str(dist))


@pytest.fixture
def client(shell_app: Flask) -> FlaskClient:
    return shell_app.test_client()


def test_root_is_the_app_revalidated_on_every_load(client: FlaskClient) -> None:
    reply = client.get("/")
    assert reply.status_code == 200 and reply.data == INDEX
    assert reply.mimetype == "text/html"
    assert reply.headers["Cache-Control"] == "no-cache"
    assert "Accept-Encoding" in reply.headers["Vary"]
    assert "Content-Encoding" not in reply.headers
    assert client.get("/", headers={"If-None-Match": reply.headers["ETag"]}).status_code == 304
    assert client.get("/index.html").data == INDEX  # the service worker precaches it by name


def test_gzip_copies_go_to_clients_that_take_gzip(client: FlaskClient) -> None:
    for path, plain in (("/", INDEX), ("/sw.js", SW), ("/assets/app-3F2A9C.js", APP_JS)):
        reply = client.get(path, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert reply.headers["Content-Encoding"] == "gzip", path
        assert gzip.decompress(reply.data) == plain
        assert "Accept-Encoding" in reply.headers["Vary"]
    refused = client.get("/sw.js", headers={"Accept-Encoding": "gzip;q=0, br"})
    assert "Content-Encoding" not in refused.headers and refused.data == SW


def test_the_service_worker_may_control_the_whole_origin(client: FlaskClient) -> None:
    reply = client.get("/sw.js")
    assert reply.data == SW and reply.mimetype == "text/javascript"
    assert reply.headers["Service-Worker-Allowed"] == "/"
    assert reply.headers["Cache-Control"] == "no-cache"


def test_manifest_assets_and_icons_have_their_types_and_cache_lifetimes(client: FlaskClient) -> None:
    manifest = client.get("/manifest.webmanifest")
    assert (manifest.mimetype, manifest.headers["Cache-Control"]) == ("application/manifest+json", "no-cache")
    css = client.get("/assets/app-77B1.css", headers={"Accept-Encoding": "gzip"})
    assert css.mimetype == "text/css" and css.data == b"body{margin:0}"
    assert "Content-Encoding" not in css.headers and "Vary" not in css.headers  # no .gz copy
    assert css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    icon = client.get("/icons/icon-192.png")
    assert icon.mimetype == "image/png" and icon.headers["Cache-Control"] == "public, max-age=86400"


@pytest.mark.parametrize("path", ["/nothing.js", "/assets/app-0000.js", "/icons/none.png", "/sw.js.gz",
                                  "/assets/app-3F2A9C.js.gz", "/assets", "/icons/"])
def test_missing_files_and_gzip_copies_are_json_404s(client: FlaskClient, path: str) -> None:
    reply = client.get(path)
    assert reply.status_code == 404 and reply.json is not None
    assert reply.json["error"]["code"] == "not_found"


@pytest.fixture
def shell_api(shell_app: Flask) -> Iterator[Api]:
    with serving(shell_app) as url:
        yield Api(url)


@pytest.mark.parametrize("path", [
    "/assets/../../secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt", "/icons/..%2f..%2fsecret.txt",
    "/assets//etc/passwd", "/assets/%2fetc%2fpasswd", "/..%2fsecret.txt", "/icons/%00.png",
])
def test_nothing_outside_the_dist_folder_is_served(shell_api: Api, path: str) -> None:
    reply = shell_api.request("GET", path)
    assert reply.status in (308, 400, 404), path  # 308: Werkzeug merges "//" to a path inside the folder
    assert b"password" not in reply.raw and b"root:" not in reply.raw


def test_api_routes_are_not_taken_by_the_shell(client: FlaskClient) -> None:
    assert client.get("/api/v1/sync").json["error"]["code"] == "method_not_allowed"  # type: ignore[index]
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_before_a_build_root_shows_the_status_page_with_how_to_build(world: World, api: Api,
                                                                     tmp_path: Path) -> None:
    world.app.config["PWA_DIST_DIR"] = str(tmp_path / "not-built")
    for path in ("/", "/status"):
        reply = api.request("GET", path)
        page = reply.raw.decode()
        assert reply.status == 200 and "text/html" in reply.headers["content-type"]
        assert "Máy chủ đồng bộ đang chạy" in page
        assert "<td>Khoá học <i>Courses</i></td><td>2</td>" in page
        assert "npm run build --prefix pwa" in page
    assert api.request("GET", "/sw.js").status == 404


def test_after_a_build_the_status_page_stays_at_status(world: World, api: Api, dist: Path) -> None:
    world.app.config["PWA_DIST_DIR"] = str(dist)
    assert api.request("GET", "/").raw == INDEX
    page = api.request("GET", "/status").raw.decode()
    assert "Máy chủ đồng bộ đang chạy" in page and "Open the app" in page
    assert "npm run build" not in page


def test_the_dist_folder_is_set_from_the_environment(tmp_path: Path) -> None:
    code = "from config.settings import Config; print(Config.PWA_DIST_DIR)"
    env = {**os.environ, "FIELDROLL_PWA_DIST_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == str(tmp_path)
