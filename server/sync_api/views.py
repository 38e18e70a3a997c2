"""The sync endpoint: parse, push, pull, answer (gzip when the client takes it)."""

from __future__ import annotations

import time

from flask import Blueprint, current_app, g, request
from flask.typing import ResponseReturnValue

from server.compression import json_response
from server.devices.tokens import request_token, require_device
from server.errors import ApiError
from server.scope import actor_for
from server.sync_api.pull import parse_cursor, pull
from server.sync_api.push import push, server_hlc
from server.sync_api.schemas import PROTOCOL_VERSION, SyncRequest
from server.validation import parse_json, read_body, validate_body
from sync.compact import compact_ack, expand_op, op_key

bp = Blueprint("sync", __name__, url_prefix="/api/v1")


def check_protocol(version: object) -> None:
    """Tell a client on another protocol version to update, before reading the rest."""
    if isinstance(version, int) and not isinstance(version, bool) and version != PROTOCOL_VERSION:
        raise ApiError(426, "protocol_unsupported",
                       "this app is out of date: update it; your unsent records are kept on the phone",
                       {"supported": [PROTOCOL_VERSION]})


@bp.post("/sync")
@require_device
def sync() -> ResponseReturnValue:
    """Apply the device's ops, then send what changed in its scope since its cursor."""
    raw = parse_json(read_body(request))
    check_protocol(raw.get("protocol"))
    body = validate_body(SyncRequest(), raw)
    if body["device_id"] != g.device.id:
        raise ApiError(400, "wrong_device", "device_id does not match the device token")
    cursor = parse_cursor(body["cursor"])
    actor = actor_for(g.user)
    key = op_key(request_token())
    acks = push([expand_op(op, key) for op in body["ops"]], actor, g.device, body)
    limit = min(body["pull_limit"] if body["pull_limit"] is not None
                else current_app.config["DEFAULT_PULL_LIMIT"], current_app.config["MAX_PULL_LIMIT"])
    page = pull(actor, cursor, limit)
    reply = {"protocol": PROTOCOL_VERSION,
             "acks": [compact_ack(a.to_wire(), sent) for a, sent in zip(acks, body["ops"], strict=True)],
             "changes": page.changes, "cursor": page.cursor, "more": page.more, "restarted": page.restarted,
             "server_hlc": server_hlc(int(time.time() * 1000))}
    return json_response(reply)
