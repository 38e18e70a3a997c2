"""The server's VAPID key pair: made by `fieldroll vapid`, read from the environment or the instance folder.

Browsers subscribe with the public key; the push service then accepts only pushes
signed with the private one. Changing the pair strands every subscription, so
`fieldroll vapid` keeps an existing key unless told `--force`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid, Vapid01
from py_vapid.utils import b64urlencode

from server.errors import ApiError


@dataclass(frozen=True)
class VapidKeys:
    signer: Vapid01
    public_key: str  # base64url of the uncompressed P-256 point, as PushManager.subscribe takes it
    subject: str


def public_key_text(vapid: Vapid01) -> str:
    point = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return str(b64urlencode(point))


def private_key_text(vapid: Vapid01) -> str:
    """Return the private key as base64url of its 32 raw bytes (FIELDROLL_VAPID_PRIVATE_KEY's form)."""
    number = vapid.private_key.private_numbers().private_value
    return str(b64urlencode(number.to_bytes(32, "big")))


def load_keys(config: Any) -> VapidKeys | None:
    """Return the configured key pair, or None when push is not set up."""
    if config.get("VAPID_PRIVATE_KEY"):
        signer = Vapid.from_string(config["VAPID_PRIVATE_KEY"])
    elif config.get("VAPID_KEY_FILE") and Path(config["VAPID_KEY_FILE"]).is_file():
        signer = Vapid.from_file(config["VAPID_KEY_FILE"])
    else:
        return None
    public = public_key_text(signer)
    given = config.get("VAPID_PUBLIC_KEY")
    if given and given.rstrip("=") != public:
        raise ApiError(503, "push_not_configured",
                       "FIELDROLL_VAPID_PUBLIC_KEY is not the public half of FIELDROLL_VAPID_PRIVATE_KEY")
    return VapidKeys(signer, public, config["VAPID_SUBJECT"])


def require_keys(config: Any) -> VapidKeys:
    keys = load_keys(config)
    if keys is None:
        raise ApiError(503, "push_not_configured",
                       "notifications are not set up on this server: an administrator runs `fieldroll vapid`")
    return keys


def make_key_file(path: Path, force: bool = False) -> tuple[Vapid01, bool]:
    """Make a key pair in `path` (readable by its owner only), or keep the one there; say which."""
    if path.is_file() and not force:
        return Vapid.from_file(str(path)), False
    path.parent.mkdir(parents=True, exist_ok=True)
    vapid = Vapid()
    vapid.generate_keys()
    pem = vapid.private_pem()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(pem)
    return vapid, True


def new_key_pair() -> Vapid01:
    vapid = Vapid()
    vapid.generate_keys()
    return vapid
