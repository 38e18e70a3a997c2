"""Serve a Flask app over real HTTP on localhost for a test, with a switch that cuts links.

`LinkCutter` stands between the socket and the app, so a test can make the server drop a
sync request's connection before the app sees it, or after the app committed it but before
the answer leaves: the two ways a 2G link fails in the middle of a sync.
"""

from __future__ import annotations

import gzip
import io
import json
import socket
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

from flask import Flask
from werkzeug.serving import make_server

from sync.compact import expand_op, op_key

Cut = Literal["before_apply", "after_apply"]
SYNC_PATH = "/api/v1/sync"


class LinkCutter:
    """WSGI middleware: records the op ids of each sync request (compact ops filled in as the server
    fills them) and cuts the ones it is told to."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.plan: list[Cut | None] = []
        self.sync_requests: list[list[str]] = []
        self._lock = threading.Lock()

    def cut_next(self, *cuts: Cut | None) -> None:
        """Cut the next sync requests in these ways (None lets one through)."""
        with self._lock:
            self.plan.extend(cuts)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != SYNC_PATH or environ.get("REQUEST_METHOD") != "POST":
            return self.app(environ, start_response)
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        environ["wsgi.input"] = io.BytesIO(body)
        with self._lock:
            self.sync_requests.append(_op_ids(body, environ.get("HTTP_CONTENT_ENCODING"),
                                              environ.get("HTTP_AUTHORIZATION", "")))
            cut = self.plan.pop(0) if self.plan else None
        if cut is None:
            return self.app(environ, start_response)
        if cut == "after_apply":
            # Run the request to the end (committed), then throw the answer away.
            answer = self.app(environ, lambda *args, **kw: (lambda data: None))
            b"".join(answer)
            getattr(answer, "close", lambda: None)()
        _drop(environ)
        start_response("502 Link Cut", [("Content-Length", "0")])
        return []


def _op_ids(body: bytes, encoding: str | None, authorization: str) -> list[str]:
    key = op_key(authorization.removeprefix("Bearer ").strip())
    try:
        raw = gzip.decompress(body) if encoding == "gzip" else body
        ops = [expand_op(op, key) for op in json.loads(raw).get("ops", [])]
        return [op.get("op_id") for op in ops if isinstance(op, dict)]
    except (OSError, ValueError, AttributeError):
        return []


def _drop(environ: dict[str, Any]) -> None:
    sock = environ.get("werkzeug.socket")
    if sock is None:
        raise RuntimeError("the test server does not expose its socket: cannot cut the link")
    sock.shutdown(socket.SHUT_RDWR)


@contextmanager
def serving(app: Flask, cutter: LinkCutter | None = None) -> Iterator[str]:
    """Serve the app over real HTTP on localhost for the duration of the block."""
    handler: Any = app
    if cutter is not None:
        cutter.app = app.wsgi_app
        handler = cutter
    server = make_server("localhost", 0, handler, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)

