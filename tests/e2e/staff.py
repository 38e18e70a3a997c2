"""Helpers for the staff side of check-in in the browser: Chromium's virtual authenticator
(passkeys), a look inside a phone's IndexedDB, and relay QR codes drawn as pictures."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import segno
from playwright.sync_api import BrowserContext, CDPSession, Page

from sync.checkin import encode_relay
from sync.ids import derived_id

# A phone's built-in authenticator with a fingerprint already given: each ceremony succeeds
# without a person, as the prompt would after a touch.
PLATFORM_AUTHENTICATOR = {"protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
                          "hasUserVerification": True, "isUserVerified": True,
                          "automaticPresenceSimulation": True}
# What WebAuthn.addCredential takes of what WebAuthn.getCredentials gives.
CREDENTIAL_KEYS = ("credentialId", "isResidentCredential", "rpId", "privateKey", "userHandle", "signCount")


class Authenticator:
    """A virtual authenticator in one browser context (one phone)."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        self.cdp: CDPSession = context.new_cdp_session(page)
        self.cdp.send("WebAuthn.enable")
        added = self.cdp.send("WebAuthn.addVirtualAuthenticator", {"options": PLATFORM_AUTHENTICATOR})
        self.id = added["authenticatorId"]

    def credentials(self) -> list[dict[str, Any]]:
        return list(self.cdp.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"])

    def add(self, credential: dict[str, Any]) -> None:
        """Hold a passkey made elsewhere, as a passkey synced between a person's phones is."""
        kept = {key: credential[key] for key in CREDENTIAL_KEYS if key in credential}
        self.cdp.send("WebAuthn.addCredential", {"authenticatorId": self.id, "credential": kept})


READ_DATABASE = """async () => {
  const db = await new Promise((resolve, reject) => {
    const open = indexedDB.open('fieldroll');
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
  const everything = {};
  for (const name of db.objectStoreNames) {
    everything[name] = await new Promise((resolve, reject) => {
      const request = db.transaction(name).objectStore(name).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  db.close();
  return everything;
}"""


def read_database(page: Page) -> dict[str, list[Any]]:
    """Every row of every store of the phone's working copy, by store."""
    return page.evaluate(READ_DATABASE)


def outbox_ops(page: Page) -> list[dict[str, Any]]:
    return [entry["op"] for entry in read_database(page)["outbox"]]


def enrolment(page: Page) -> dict[str, Any]:
    meta = {row["key"]: row["value"] for row in read_database(page)["meta"]}
    return meta["enrolment"]


def confirmation_op(session_id: str, trainee_id: str, token: str, confirmed_at_ms: int | None = None) -> dict[str, Any]:
    """A trainee's confirmation op as their phone makes it when it has no signal (no passkey)."""
    now_ms = confirmed_at_ms if confirmed_at_ms is not None else int(time.time() * 1000)
    fields = {"session_id": session_id, "trainee_id": trainee_id, "method": "unverified",
              "proof": {"token": token, "confirmed_at": now_ms}}
    record_id = derived_id("confirmation", fields)
    assert record_id is not None
    return {"op_id": str(uuid.uuid4()), "entity": "confirmation", "id": record_id,
            "hlc": f"{now_ms:013d}-0000-trainee-phone-1", "kind": "upsert", "fields": fields}


def relay_picture(op: dict[str, Any], path: Path) -> Path:
    """Draw the op's relay QR code as a PNG, as the trainee's phone shows it, photographed."""
    segno.make(encode_relay(op), error="l").save(str(path), scale=5, border=4)
    return path
