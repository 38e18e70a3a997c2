"""WebAuthn ceremonies: a challenge handed out once, spent once, within a few minutes."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import CursorResult, delete, update

from server.database import begin_write
from server.errors import ApiError
from server.extensions import db
from server.models import WebAuthnCeremony
from server.sql_store import now_utc
from sync.checkin import b64url, b64url_decode

REGISTER = "register"
LOGIN = "login"
TRAINEE_REGISTER = "trainee_register"
# Spent and expired ceremonies are of no use; they are swept when new ones begin.
KEEP_OLD_CEREMONIES_S = 24 * 3600


def begin_ceremony(purpose: str, challenge: bytes, *, user_id: str | None = None,
                   trainee_id: str | None = None) -> WebAuthnCeremony:
    """Store a new ceremony for `challenge`; the caller commits."""
    now = now_utc()
    db.session.execute(delete(WebAuthnCeremony).where(
        WebAuthnCeremony.expires_at < now - timedelta(seconds=KEEP_OLD_CEREMONIES_S)))
    ttl = timedelta(seconds=current_app.config["WEBAUTHN_CEREMONY_TTL_S"])
    ceremony = WebAuthnCeremony(id=str(uuid.uuid4()), purpose=purpose, challenge=b64url(challenge),
                                user_id=user_id, trainee_id=trainee_id, expires_at=now + ttl)
    db.session.add(ceremony)
    return ceremony


def spend_ceremony(ceremony_id: str, purpose: str, *, user_id: str | None = None) -> WebAuthnCeremony:
    """Mark a live ceremony of `purpose` used and commit, so even a failed answer spends it."""
    begin_write()
    now = now_utc()
    conditions = [WebAuthnCeremony.id == ceremony_id, WebAuthnCeremony.purpose == purpose,
                  WebAuthnCeremony.used_at.is_(None), WebAuthnCeremony.expires_at > now]
    if user_id is not None:
        conditions.append(WebAuthnCeremony.user_id == user_id)
    # One conditional UPDATE: two requests racing to finish one ceremony cannot both win.
    result = cast(CursorResult[Any], db.session.execute(
        update(WebAuthnCeremony).where(*conditions).values(used_at=now)))
    if result.rowcount != 1:
        raise ApiError(400, "invalid_ceremony",
                       "this passkey request is unknown, used or expired: start again")
    ceremony = db.session.get(WebAuthnCeremony, ceremony_id)
    assert ceremony is not None
    db.session.commit()
    return ceremony


def challenge_of(ceremony: WebAuthnCeremony) -> bytes:
    return b64url_decode(ceremony.challenge)
