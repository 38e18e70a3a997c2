"""Who the passkeys are for: the relying party's id and the origins a browser may sign from."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app, has_request_context, request

from server.errors import ApiError


@dataclass(frozen=True)
class RelyingParty:
    id: str
    name: str
    origins: list[str]


def relying_party() -> RelyingParty:
    """Return the relying party: from the settings, else the host this request came to."""
    config = current_app.config
    rp_id = config.get("WEBAUTHN_RP_ID")
    origins = list(config.get("WEBAUTHN_ORIGINS") or [])
    if not (rp_id and origins):
        if not has_request_context():
            # Guessing here would store a wrong verdict forever; better to stop, change
            # nothing, and say so (`fieldroll import-outbox` prints it).
            raise ApiError(503, "webauthn_not_configured",
                           "set FIELDROLL_WEBAUTHN_RP_ID and FIELDROLL_WEBAUTHN_ORIGINS to check "
                           "passkey confirmations outside a web request; nothing was imported")
        rp_id = rp_id or urlsplit(request.host_url).hostname or ""
        origins = origins or [request.host_url.rstrip("/")]
    return RelyingParty(rp_id, config["WEBAUTHN_RP_NAME"], origins)
