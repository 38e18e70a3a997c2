"""Sending one push: claim the subscription's minute, sign and encrypt with pywebpush, tidy up after.

Logs name the subscription by the first characters of its id (a digest of the endpoint)
and the push service's status, never the endpoint, keys or anything about a person.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pywebpush import WebPushException, webpush
from sqlalchemy import delete, or_, update

from server.extensions import db
from server.models import PushSubscription
from server.push.keys import VapidKeys
from server.sql_store import now_utc

log = logging.getLogger(__name__)
# The push service forgot this subscription (the browser unsubscribed, or the app was removed).
GONE_STATUSES = frozenset({404, 410})


def claim(subscription_id: str, min_interval_s: int) -> bool:
    """Take this subscription's turn to be sent to, unless it had one in the last interval.

    One conditional UPDATE, so two workers finishing syncs at once cannot both send.
    """
    now = now_utc()
    taken = db.session.execute(update(PushSubscription).where(
        PushSubscription.id == subscription_id,
        or_(PushSubscription.last_sent_at.is_(None),
            PushSubscription.last_sent_at <= now - timedelta(seconds=min_interval_s)),
    ).values(last_sent_at=now))
    db.session.commit()
    return bool(getattr(taken, "rowcount", 0))


@dataclass(frozen=True)
class Target:
    """Where one push goes, copied out of its row so a commit or a deleted row cannot disturb the sending."""

    id: str
    endpoint: str
    p256dh: str
    auth: str

    @classmethod
    def of(cls, row: PushSubscription) -> Target:
        return cls(row.id, row.endpoint, row.p256dh, row.auth)


def send_push(subscription: Target, payload: dict[str, Any], keys: VapidKeys, config: Any) -> str:
    """Send one push; return "sent", "gone" (the subscription was deleted) or "failed"."""
    info = {"endpoint": subscription.endpoint, "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth}}
    try:
        webpush(info, json.dumps(payload, separators=(",", ":")), vapid_private_key=keys.signer,
                vapid_claims={"sub": keys.subject}, ttl=config["PUSH_TTL_S"], timeout=config["PUSH_TIMEOUT_S"])
    except WebPushException as err:
        status = getattr(err.response, "status_code", None)
        if status in GONE_STATUSES:
            db.session.execute(delete(PushSubscription).where(PushSubscription.id == subscription.id))
            db.session.commit()
            log.info("push subscription %s gone (%s): deleted", subscription.id[:8], status)
            return "gone"
        log.warning("push to subscription %s refused: status %s", subscription.id[:8], status)
        return "failed"
    except Exception as err:  # a push service down or unreachable must never fail the sync
        log.warning("push to subscription %s failed: %s", subscription.id[:8], type(err).__name__)
        return "failed"
    return "sent"
