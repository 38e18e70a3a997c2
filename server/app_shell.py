"""The built PWA (`pwa/dist/`): its app shell, service worker, manifest, bundles and icons.

Only files inside `PWA_DIST_DIR` are served; a path that leaves it, or names nothing,
is a 404. `/` itself (the app, or the status page before a build) is in `home.py`.
Hashed bundles under `assets/` never change, so browsers keep them for a year; everything
else is revalidated on each load, so a new build reaches phones at once.
"""

from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request, send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

bp = Blueprint("app_shell", __name__)

NO_CACHE = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
ONE_DAY = "public, max-age=86400"
# Stated here rather than guessed: the system's MIME table varies from host to host, and a
# browser refuses a service worker or module script served with the wrong type.
TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".json": "application/json",
    ".webmanifest": "application/manifest+json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}


def dist_dir() -> str:
    return str(current_app.config["PWA_DIST_DIR"])


def is_built() -> bool:
    """Tell whether the PWA has been built into the dist folder."""
    return os.path.isfile(os.path.join(dist_dir(), "index.html"))


def shell_file(name: str, cache_control: str) -> Response:
    """Send a file of the dist folder, its `.gz` copy to clients that take gzip."""
    root = dist_dir()
    plain = safe_join(root, name)
    # A .gz copy is only ever sent as the encoding of its original, never as a file itself.
    if plain is None or name.endswith(".gz") or not os.path.isfile(plain):
        raise NotFound()
    mimetype = TYPES.get(Path(name).suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    has_gzip = os.path.isfile(plain + ".gz")
    sent_gzip = has_gzip and request.accept_encodings["gzip"] > 0
    response = send_from_directory(root, name + ".gz" if sent_gzip else name, mimetype=mimetype)
    if sent_gzip:
        response.headers["Content-Encoding"] = "gzip"
    if has_gzip:
        response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = cache_control
    return response


@bp.get("/<name>")
def top_level_file(name: str) -> Response:
    """Serve index.html, sw.js, manifest.webmanifest and the like, revalidated on each load."""
    response = shell_file(name, NO_CACHE)
    if name == "sw.js":
        response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/assets/<path:name>")
def asset(name: str) -> Response:
    """Serve a hashed bundle: its name changes with its content, so it is cached for good."""
    return shell_file(f"assets/{name}", IMMUTABLE)


@bp.get("/icons/<path:name>")
def icon(name: str) -> Response:
    """Serve an app icon; icon names are not hashed, so browsers recheck daily."""
    return shell_file(f"icons/{name}", ONE_DAY)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
