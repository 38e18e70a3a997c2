"""Enrolment codes and device tokens: made here, stored only as hashes."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request
from sqlalchemy import select

from server.errors import ApiError
from server.extensions import db
from server.models import Device, EnrolmentCode, User
from server.sql_store import now_utc

# No 0/O, 1/I/L: codes are read aloud over the phone and typed by thumbs.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10
F = TypeVar("F", bound=Callable[..., Any])


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """Accept a code however it was typed: any case, with or without dashes and spaces."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def create_enrolment_code(user: User) -> str:
    """Make a one-time code that enrols one device for `user`."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    ttl = timedelta(seconds=current_app.config["ENROLMENT_CODE_TTL_S"])
    db.session.add(EnrolmentCode(code_hash=digest(raw), user_id=user.id, expires_at=now_utc() + ttl))
    return f"{raw[:5]}-{raw[5:]}"


def redeem_enrolment_code(code: str, label: str | None, app_version: str | None) -> tuple[Device, str]:
    """Turn a valid unused code into a new device and its token."""
    entry = db.session.get(EnrolmentCode, digest(normalise_code(code)))
    if entry is None or entry.used_at is not None or entry.expires_at < now_utc():
        raise ApiError(400, "invalid_enrolment_code",
                       "this enrolment code is wrong, used or expired: ask your coordinator for a new one")
    device, token = new_device(entry.user_id, label, app_version)
    entry.used_at, entry.device_id = now_utc(), device.id
    return device, token


def new_device(user_id: str, label: str | None, app_version: str | None) -> tuple[Device, str]:
    """Make a new device for `user_id` and its token: after an enrolment code or a passkey sign-in."""
    token = secrets.token_urlsafe(32)
    device = Device(id=str(uuid.uuid4()), user_id=user_id, token_hash=digest(token), label=label,
                    app_version=app_version, enrolled_at=now_utc())
    db.session.add(device)
    return device, token


def device_for_token(token: str) -> Device | None:
    return db.session.scalar(select(Device).where(Device.token_hash == digest(token)))


def request_token() -> str:
    """Return the device token the request carries, or refuse the request."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not header[7:].strip():
        raise ApiError(401, "missing_token", "send the device token as 'Authorization: Bearer <token>'")
    return header[7:].strip()


def require_device(view: F) -> F:
    """Let the view run only for a live device; put it and its user on `g`."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        device = device_for_token(request_token())
        if device is None:
            raise ApiError(401, "invalid_token", "this device token is not known: enrol the device again")
        if device.revoked_at is not None:
            raise ApiError(401, "device_revoked",
                           "this device was revoked by a coordinator: its local copy must be wiped",
                           {"wipe": True})
        g.device = device
        g.user = db.session.get(User, device.user_id)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]
