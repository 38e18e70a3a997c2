"""A client for the sync protocol over real HTTP, and helpers to make ops and test data."""

from __future__ import annotations

import gzip
import hashlib
import hmac
import http.client
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from server import admin
from server.extensions import db
from server.sync_api.push import next_server_hlc
from sync.hlc import Hlc, tick
from sync.ids import derived_id


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    raw: bytes
    body: Any

    @property
    def error_code(self) -> str | None:
        return self.body.get("error", {}).get("code") if isinstance(self.body, dict) else None


class Api:
    """A plain HTTP client for the protocol, over a real socket."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "localhost", parts.port or 80

    def request(self, method: str, path: str, body: Any = None, *, token: str | None = None,
                raw: bytes | None = None, gzip_body: bool = False, accept_gzip: bool = False,
                headers: dict[str, str] | None = None) -> Reply:
        data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
        sent = dict(headers or {})
        if data is not None:
            sent.setdefault("Content-Type", "application/json")
        if gzip_body and data is not None:
            data = gzip.compress(data)
            sent["Content-Encoding"] = "gzip"
        if accept_gzip:
            sent["Accept-Encoding"] = "gzip"
        if token:
            sent["Authorization"] = f"Bearer {token}"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
        try:
            conn.request(method, path, body=data, headers=sent)
            resp = conn.getresponse()
            payload = resp.read()
            reply_headers = {k.lower(): v for k, v in resp.getheaders()}
        finally:
            conn.close()
        decoded = gzip.decompress(payload) if reply_headers.get("content-encoding") == "gzip" else payload
        try:
            parsed = json.loads(decoded) if decoded else None
        except ValueError:
            parsed = None
        return Reply(resp.status, reply_headers, payload, parsed)

    def sync(self, device: Device, ops: list[dict[str, Any]] | None = None, cursor: str | None = None,
             **extra: Any) -> Reply:
        body = {"protocol": 1, "device_id": device.id, "cursor": cursor, "ops": ops or [], **extra}
        return self.request("POST", "/api/v1/sync", body, token=device.token)

    def upload_outbox(self, uploader: Device, file: dict[str, Any], **kwargs: Any) -> Reply:
        """Upload a saved outbox file with the uploader's (a coordinator's) device token."""
        return self.request("POST", "/api/v1/outbox-files", file, token=uploader.token, **kwargs)

    def pull_all(self, device: Device, limit: int = 500) -> tuple[dict[tuple[str, str], dict[str, Any]], str]:
        """Pull every page; return records by (entity, id) and the final cursor."""
        records: dict[tuple[str, str], dict[str, Any]] = {}
        cursor = None
        for _ in range(1000):
            reply = self.sync(device, cursor=cursor, pull_limit=limit)
            assert reply.status == 200, reply.body
            for change in reply.body["changes"]:
                records[(change["entity"], change["id"])] = change
            cursor = reply.body["cursor"]
            if not reply.body["more"]:
                return records, cursor
        raise AssertionError("pull never finished")


@dataclass
class Device:
    id: str
    token: str
    user_id: str
    clock: Hlc | None = None
    skew_ms: int = 0

    def hlc(self) -> str:
        """Mint the next HLC on this device's own clock, `skew_ms` off true time."""
        self.clock = tick(self.clock, int(time.time() * 1000) + self.skew_ms, self.id)
        return str(self.clock)


def op(device: Device, entity: str, record_id: str | None = None, base_rev: int | None = None,
       kind: str = "upsert", **fields: Any) -> dict[str, Any]:
    """Make a wire op from `device`; natural-key records get their derived id."""
    record_id = record_id or derived_id(entity, fields) or str(uuid.uuid4())
    made: dict[str, Any] = {"op_id": str(uuid.uuid4()), "entity": entity, "id": record_id,
                            "hlc": device.hlc(), "kind": kind, "fields": fields if kind == "upsert" else {}}
    if base_rev is not None:
        made["base_rev"] = base_rev
    return made


def outbox_file(device: Device, ops: list[dict[str, Any]], *, created_at_ms: int | None = None,
                app_version: str | None = "0.1.0") -> dict[str, Any]:
    """Save `device`'s unsent ops to a file as the PWA does: the payload text, signed."""
    payload = json.dumps({"device_id": device.id, "created_at_ms": created_at_ms or int(time.time() * 1000),
                          "app_version": app_version, "ops": ops}, ensure_ascii=False)
    return {"format": "fieldroll-outbox", "version": 1, "payload": payload,
            "signature": sign_outbox_payload(device, payload)}


def sign_outbox_payload(device: Device, payload: str) -> str:
    """Sign an outbox file's payload text: HMAC-SHA256 keyed by the raw SHA-256 digest of the token."""
    key = hashlib.sha256(device.token.encode()).digest()
    return hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()


def server_op(entity: str, record_id: str, **fields: Any) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "entity": entity, "id": record_id, "hlc": next_server_hlc(),
            "kind": "upsert", "fields": fields}


@dataclass
class World:
    """Two communes in one province, a course in each, with trainers, sessions and trainees."""

    app: Flask
    api: Api
    ids: dict[str, str] = field(default_factory=dict)

    def new_id(self, name: str) -> str:
        self.ids[name] = str(uuid.uuid4())
        return self.ids[name]

    def seed(self, *ops: dict[str, Any]) -> None:
        with self.app.app_context():
            admin.apply_as_server(list(ops))

    def user(self, name: str, role: str, area: str | None = None) -> str:
        with self.app.app_context():
            user = admin.add_user(name, role, self.ids[area] if area else None)
            self.ids[name] = user.id
            return user.id

    def device(self, user_name: str) -> Device:
        with self.app.app_context():
            code = admin.enrolment_code_for(user_name)
        reply = self.api.request("POST", "/api/v1/devices", {"code": code, "label": "test phone"})
        assert reply.status == 201, reply.body
        return Device(reply.body["device_id"], reply.body["token"], reply.body["user"]["id"])


def count_rows(app: Flask, model: Any) -> int:
    with app.app_context():
        return db.session.query(model).count()
