"""Keeping browsers' push subscriptions: who may ask for which topic, and where a push may go."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete

from server.errors import ApiError
from server.extensions import db
from server.models import Device, PushSubscription, User
from server.sql_store import now_utc

# What each role may be told: coordinators about their area, trainers about their courses.
TOPICS_BY_ROLE: dict[str, frozenset[str]] = {
    "coordinator": frozenset({"new_data", "conflicts"}),
    "admin": frozenset({"new_data", "conflicts"}),
    "trainer": frozenset({"roster_changed"}),
}
ALL_TOPICS = frozenset().union(*TOPICS_BY_ROLE.values())


def subscription_id(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode()).hexdigest()


def check_topics(role: str, topics: Iterable[str]) -> list[str]:
    """Return the topics, sorted, if this role may have every one of them."""
    wanted = sorted(set(topics))
    refused = [topic for topic in wanted if topic not in TOPICS_BY_ROLE.get(role, frozenset())]
    if refused:
        allowed = sorted(TOPICS_BY_ROLE.get(role, frozenset()))
        raise ApiError(400, "topic_not_allowed", f"a {role} cannot subscribe to {', '.join(refused)}",
                       {"refused": refused, "allowed": allowed})
    return wanted


def check_endpoint(endpoint: str, config: Mapping[str, Any]) -> None:
    """Refuse an endpoint that is not one of the push services the server is set to talk to."""
    parts = urlsplit(endpoint)
    host = (parts.hostname or "").lower()
    plain_ok = config.get("PUSH_ALLOW_PLAIN_HTTP") and parts.scheme == "http"
    known = any(host == h or host.endswith("." + h) for h in config["PUSH_SERVICE_HOSTS"])
    if not (parts.scheme == "https" or plain_ok) or not known:
        raise ApiError(400, "push_endpoint_refused",
                       "this browser's push service is not one this server sends to",
                       {"host": host})


def save_subscription(user: User, device: Device, subscription: Mapping[str, Any],
                      topics: list[str]) -> PushSubscription:
    """Keep a subscription for this user and device, replacing any earlier one of the same browser."""
    # Read before adding a row: reading an expired user or device flushes the session, and a
    # half-filled new row would be flushed with it.
    user_id, device_id = user.id, device.id
    row = db.session.get(PushSubscription, subscription_id(subscription["endpoint"]))
    if row is None:
        row = PushSubscription(id=subscription_id(subscription["endpoint"]), endpoint=subscription["endpoint"],
                               created_at=now_utc())
        db.session.add(row)
    row.p256dh = subscription["keys"]["p256dh"]
    row.auth = subscription["keys"]["auth"]
    row.user_id, row.device_id, row.topics = user_id, device_id, topics
    return row


def remove_subscription(user: User, endpoint: str) -> bool:
    """Stop pushes to this browser, if it is this user's; say whether there was one."""
    gone = db.session.execute(delete(PushSubscription).where(
        PushSubscription.id == subscription_id(endpoint), PushSubscription.user_id == user.id))
    return bool(getattr(gone, "rowcount", 0))
