"""Reading request bodies: gzip with a cap, JSON, then a marshmallow schema."""

from __future__ import annotations

import json
import zlib
from typing import Any

from flask import Flask, Request, current_app, request
from marshmallow import Schema, ValidationError

from server.errors import ApiError


def inflate(data: bytes, limit: int) -> bytes:
    """Inflate a gzip body, refusing one that would grow past `limit` (a gzip bomb)."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error as err:
        raise ApiError(400, "bad_gzip", "the request body is not valid gzip") from err
    if len(out) > limit or inflater.unconsumed_tail:
        raise ApiError(413, "request_too_large", "request body too large once inflated: send fewer ops")
    return out


def read_body(request: Request) -> bytes:
    """Return the request body as sent, inflated if it came gzip-compressed."""
    data = request.get_data(cache=True)
    encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding == "gzip":
        return inflate(data, current_app.config["MAX_INFLATED_REQUEST_BYTES"])
    if encoding != "identity":
        raise ApiError(415, "unsupported_encoding", "send the body plain or with Content-Encoding: gzip")
    return data


def parse_json(raw: bytes) -> dict[str, Any]:
    """Parse a JSON object, with a clear error for anything else."""
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as err:
        raise ApiError(400, "malformed_json", "the request body is not valid JSON") from err
    if not isinstance(body, dict):
        raise ApiError(400, "malformed_json", "the request body must be a JSON object")
    return body


def load_json(schema: Schema, request: Request) -> dict[str, Any]:
    """Read, parse and validate a JSON request body against `schema`."""
    return validate_body(schema, parse_json(read_body(request)))


def validate_body(schema: Schema, body: dict[str, Any]) -> dict[str, Any]:
    """Validate a parsed JSON body against `schema`."""
    try:
        loaded: dict[str, Any] = schema.load(body)
    except ValidationError as err:
        raise ApiError(400, "invalid_request", "the request does not match the protocol",
                       {"fields": err.messages}) from err
    return loaded


def refuse_nul_in_address() -> None:
    """Refuse a path or query holding a NUL character before any view looks an id up with it.

    No id contains one, and PostgreSQL refuses it in any text it is asked to compare.
    """
    if "\x00" in request.path or any("\x00" in key or "\x00" in value
                                      for key, value in request.args.items(multi=True)):
        raise ApiError(400, "invalid_request", "the address holds a NUL character")


def init_app(app: Flask) -> None:
    app.before_request(refuse_nul_in_address)
