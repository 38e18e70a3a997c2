"""One JSON error shape for every failure: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import traceback
from typing import Any

from flask import Flask, current_app, jsonify
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException


class ApiError(Exception):
    """An error a client can act on: a status, a stable code and a plain message."""

    def __init__(self, status: int, code: str, message: str, details: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details or {}
        self.headers = headers or {}


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def _api_error(err: ApiError) -> ResponseReturnValue:
    return jsonify(error_body(err.code, err.message, err.details)), err.status, err.headers


def _http_error(err: HTTPException) -> ResponseReturnValue:
    code = (err.name or "error").lower().replace(" ", "_")
    message = err.description or err.name
    if err.code == 413:
        code, message = "request_too_large", "request body too large: send fewer ops per request"
    return jsonify(error_body(code, message)), err.code or 500


def _unexpected(err: Exception) -> ResponseReturnValue:
    # The class and where it was raised, never the message: a database error's message can
    # quote the values of the row, and those are trainees' names and phone numbers.
    frames = traceback.extract_tb(err.__traceback__)
    where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
    current_app.logger.error("unhandled %s at %s", type(err).__name__, where)
    return jsonify(error_body("internal_error", "the server failed; nothing was saved, try again")), 500


def init_app(app: Flask) -> None:
    """Answer every error, expected or not, as JSON."""
    app.register_error_handler(ApiError, _api_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
