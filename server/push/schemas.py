"""Request and answer bodies of the push endpoints, and their OpenAPI paths."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from server.push.subscriptions import ALL_TOPICS


class SubscriptionKeys(Schema):
    p256dh = fields.String(required=True, validate=validate.Length(min=20, max=200))
    auth = fields.String(required=True, validate=validate.Length(min=8, max=100))


class PushSubscriptionJSON(Schema):
    """What the browser's PushSubscription.toJSON() gives."""

    endpoint = fields.String(required=True, validate=validate.Length(min=10, max=2000))
    keys = fields.Nested(SubscriptionKeys, required=True)
    expirationTime = fields.Integer(allow_none=True, load_default=None)  # the browser names it so


class SubscribeRequest(Schema):
    subscription = fields.Nested(PushSubscriptionJSON, required=True)
    topics = fields.List(fields.String(validate=validate.OneOf(sorted(ALL_TOPICS))), required=True,
                         validate=validate.Length(min=1, max=len(ALL_TOPICS)))


class UnsubscribeEndpoint(Schema):
    endpoint = fields.String(required=True, validate=validate.Length(min=10, max=2000))


class UnsubscribeRequest(Schema):
    subscription = fields.Nested(UnsubscribeEndpoint, required=True, unknown="exclude")
    topics = fields.List(fields.String(), load_default=None)


class SubscribeResponse(Schema):
    topics = fields.List(fields.String(), required=True)


class UnsubscribeResponse(Schema):
    removed = fields.Boolean(required=True, metadata={"description": "false when there was none to remove"})


class PushKey(Schema):
    public_key = fields.String(required=True, metadata={
        "description": "the server's VAPID public key, base64url: PushManager.subscribe's applicationServerKey"})


SCHEMAS: dict[str, type[Schema]] = {
    "PushKey": PushKey, "SubscribeRequest": SubscribeRequest, "UnsubscribeRequest": UnsubscribeRequest,
    "SubscribeResponse": SubscribeResponse, "UnsubscribeResponse": UnsubscribeResponse,
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": "ErrorBody"}}}


def _json(schema: str, description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


PATHS: dict[str, dict[str, Any]] = {
    "/api/v1/push/key": {"get": {
        "summary": "The server's VAPID public key, for a browser to subscribe with",
        "responses": {"200": _json("PushKey", "the public key"),
                      "503": _error("push_not_configured: no key pair yet (`fieldroll vapid`)")},
    }},
    "/api/v1/push/subscriptions": {"post": {
        "summary": "Have this browser told about topics: coordinators new_data and conflicts, trainers roster_changed",
        "description": "Subscribing again from the same browser (same endpoint) replaces its topics. Pushes "
                       "carry {topic, title_key, count}; none goes to the device whose sync caused it, and "
                       "at most one a minute to each subscription.",
        "security": [{"deviceToken": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "SubscribeRequest"}}},
        "responses": {"201": _json("SubscribeResponse", "the topics now subscribed"),
                      "400": _error("invalid_request, topic_not_allowed (not for this role), or "
                                    "push_endpoint_refused (not a known push service)"),
                      "401": _error("missing, unknown or revoked device token"),
                      "503": _error("push_not_configured")},
    }, "delete": {
        "summary": "Stop pushes to this browser (the same body as to subscribe; topics are ignored)",
        "security": [{"deviceToken": []}],
        "requestBody": {"required": True, "content": {"application/json": {"schema": "UnsubscribeRequest"}}},
        "responses": {"200": _json("UnsubscribeResponse", "whether a subscription of the caller's was removed"),
                      "400": _error("invalid_request"),
                      "401": _error("missing, unknown or revoked device token")},
    }},
}
