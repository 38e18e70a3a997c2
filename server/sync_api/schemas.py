"""The sync request and response, as the wire protocol (v1) defines them."""

from __future__ import annotations

from collections.abc import Callable

from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate

PROTOCOL_VERSION = 1


def at_most_ops(setting: str, per: str) -> Callable[[list[object]], None]:
    """Validate that a list of ops is no longer than the app setting `setting` allows."""

    def check(ops: list[object]) -> None:
        limit = current_app.config[setting]
        if len(ops) > limit:
            raise ValidationError(f"at most {limit} ops per {per}")

    return check


class SyncRequest(Schema):
    protocol = fields.Integer(required=True, strict=True)
    device_id = fields.String(required=True, validate=validate.Length(equal=36))
    cursor = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64))
    # A null op is rejected alone, as any other op that is not an object: never the whole batch.
    ops = fields.List(fields.Raw(allow_none=True), load_default=list,
                      validate=at_most_ops("MAX_OPS_PER_REQUEST", "request"))
    pull_limit = fields.Integer(load_default=None, allow_none=True, strict=True,
                                validate=validate.Range(min=0))
    app_version = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    pending_ops = fields.Integer(load_default=None, allow_none=True, strict=True,
                                 validate=validate.Range(min=0))


class AckSchema(Schema):
    op_id = fields.String(allow_none=True, metadata={
        "description": "the op's op_id; absent when the op was sent without one (a compact op, protocol §5); "
                       "null when the op had no valid op_id. Acks come in request order"})
    status = fields.String(required=True,
                           validate=validate.OneOf(["applied", "duplicate", "conflict", "rejected"]))
    reason = fields.String()


class ChangeSchema(Schema):
    entity = fields.String(required=True, metadata={
        "description": "an entity of docs/protocol.md section 7, or 'conflict'"})
    id = fields.String(required=True, metadata={
        "description": "the record's UUID; for a conflict, the server's id for it (a decimal string)"})
    rev = fields.Integer(required=True)
    deleted = fields.Boolean(required=True)
    hlc = fields.String(required=True, allow_none=True, metadata={
        "description": "the greatest HLC among the record's ops; for a conflict, the winning op's HLC"})
    fields_ = fields.Dict(required=True, data_key="fields", attribute="fields", metadata={
        "description": "the record's whole state (a session's also carries checkin_secret; a confirmation's "
                       "carries verification and verification_reason, not proof); for a conflict: "
                       "record_entity, record_id, field, winner_op_id, loser_op_id, winner_value, "
                       "loser_value, resolved, cause ('merge' or 'confirmation')"})


class SyncResponse(Schema):
    protocol = fields.Integer(required=True)
    acks = fields.List(fields.Nested(AckSchema), required=True)
    changes = fields.List(fields.Nested(ChangeSchema), required=True)
    cursor = fields.String(required=True)
    more = fields.Boolean(required=True)
    restarted = fields.Boolean(required=True, metadata={
        "description": "true on the first page of a pull started over because the caller's scope changed: "
                       "records the device holds that this pull does not send again by its end have left its scope"})
    server_hlc = fields.String(required=True)
