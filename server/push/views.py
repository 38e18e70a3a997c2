"""GET /api/v1/push/key, and POST or DELETE /api/v1/push/subscriptions."""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue

from server import audit
from server.database import begin_write
from server.devices.tokens import require_device
from server.extensions import db
from server.push.keys import require_keys
from server.push.schemas import PushKey, SubscribeRequest, SubscribeResponse, UnsubscribeRequest, UnsubscribeResponse
from server.push.subscriptions import (
    check_endpoint,
    check_topics,
    remove_subscription,
    save_subscription,
    subscription_id,
)
from server.validation import load_json

bp = Blueprint("push", __name__, url_prefix="/api/v1/push")


@bp.get("/key")
def public_key() -> ResponseReturnValue:
    """Give the VAPID public key a browser subscribes with."""
    return jsonify(PushKey().dump({"public_key": require_keys(current_app.config).public_key}))


@bp.post("/subscriptions")
@require_device
def subscribe() -> ResponseReturnValue:
    """Keep this browser's subscription to the topics its user's role may have."""
    require_keys(current_app.config)
    body = load_json(SubscribeRequest(), request)
    topics = check_topics(g.user.role, body["topics"])
    check_endpoint(body["subscription"]["endpoint"], current_app.config)
    begin_write()
    row = save_subscription(g.user, g.device, body["subscription"], topics)
    audit.record("push.subscribed", g.user.id, target_id=row.id, details={"topics": ",".join(topics)})
    db.session.commit()
    return SubscribeResponse().dump({"topics": topics}), 201


@bp.delete("/subscriptions")
@require_device
def unsubscribe() -> ResponseReturnValue:
    """Stop pushes to this browser."""
    body = load_json(UnsubscribeRequest(), request)
    begin_write()
    removed = remove_subscription(g.user, body["subscription"]["endpoint"])
    if removed:
        audit.record("push.unsubscribed", g.user.id, target_id=subscription_id(body["subscription"]["endpoint"]))
    db.session.commit()
    return jsonify(UnsubscribeResponse().dump({"removed": removed}))
