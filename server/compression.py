"""JSON responses, gzip-compressed when the client accepts it and it is worth it."""

from __future__ import annotations

import gzip
import json
from typing import Any

from flask import Response, current_app, request


def json_response(payload: Any, status: int = 200) -> Response:
    """Serialise `payload` compactly; gzip it if the client said it accepts gzip."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    response = Response(body, status=status, mimetype="application/json")
    response.vary.add("Accept-Encoding")
    wants_gzip = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    if wants_gzip and len(body) >= current_app.config["GZIP_MIN_RESPONSE_BYTES"]:
        response.set_data(gzip.compress(body, compresslevel=6))
        response.headers["Content-Encoding"] = "gzip"
    return response
