"""The trainee-request endpoints as the OpenAPI document describes them (server/openapi.py merges these)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields


class DataCopy(Schema):
    trainee = fields.Dict(required=True, metadata={"description": "the trainee's own fields"})
    merged_from = fields.List(fields.String(), required=True,
                              metadata={"description": "ids of duplicates merged into this trainee"})
    enrollments = fields.List(fields.Dict(), required=True)
    attendance = fields.List(fields.Dict(), required=True)
    skill_checks = fields.List(fields.Dict(), required=True)
    confirmations = fields.List(fields.Dict(), required=True)
    passkeys = fields.Integer(required=True, metadata={"description": "how many passkeys the trainee registered"})


class Erasure(Schema):
    trainee_id = fields.String(required=True)
    erased_at = fields.String(required=True)
    already = fields.Boolean(required=True, metadata={"description": "true: erased before, nothing done now"})
    records = fields.Integer(metadata={"description": "the trainee and the duplicates merged into them"})
    ops_scrubbed = fields.Integer()
    conflicts_scrubbed = fields.Integer()
    refused_ops_scrubbed = fields.Integer()
    passkeys_removed = fields.Integer()


SCHEMAS: dict[str, type[Schema]] = {"DataCopy": DataCopy, "Erasure": Erasure}
SCOPE = "A coordinator for a trainee of a commune in their area, an admin for anyone (docs/privacy.md)."


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": "ErrorBody"}}}


def _operation(summary: str, answer: str, described: str) -> dict[str, Any]:
    return {"summary": summary, "description": SCOPE, "security": [{"deviceToken": []}],
            "parameters": [{"name": "trainee_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": described, "content": {"application/json": {"schema": answer}}},
                          "401": _error("missing, unknown or revoked device token"),
                          "403": _error("not_a_coordinator: the caller is a trainer"),
                          "404": _error("unknown_trainee: no such trainee in the caller's area")}}


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/trainees/{trainee_id}/data-copy": {"get": _operation(
        "Everything kept about one trainee, as a JSON file to hand them", "DataCopy",
        "the trainee's fields, enrolments, marks, skill levels, confirmations and passkey count")},
    "/api/v1/trainees/{trainee_id}/erasure": {"post": _operation(
        "Erase one trainee's personal data everywhere the server keeps it; counts and marks stay", "Erasure",
        "what was erased; erasing twice is harmless")},
}
PATHS["/api/v1/trainees/{trainee_id}/erasure"]["post"]["responses"]["409"] = _error(
    "erasure_refused: the server refused the tombstone; nothing was erased")
