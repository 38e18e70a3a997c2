"""Session secrets for check-in tokens: derived again when needed, never stored."""

from __future__ import annotations

import hashlib
import hmac

from flask import current_app

from sync.checkin import b64url

SECRET_LABEL = "fieldroll-session-secret:"


def derive_session_secret(key: str, session_id: str) -> str:
    """Return a session's base64url secret (43 chars) under the check-in key `key`."""
    message = (SECRET_LABEL + session_id).encode()
    return b64url(hmac.new(key.encode(), message, hashlib.sha256).digest())


def session_secret(session_id: str) -> str:
    """Return the secret trainers' phones make this session's check-in tokens with."""
    return derive_session_secret(current_app.config["CHECKIN_SECRET_KEY"], session_id)
