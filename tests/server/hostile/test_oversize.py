"""Bodies built to hurt: nested past the recursion limit, over the size caps, gzip bombs, bytes
that are not UTF-8, the wrong Content-Type. Every endpoint that reads a body answers a clear 4xx
and changes nothing."""

from __future__ import annotations

import gzip
import io
import json
import uuid
import zipfile
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.server.hostile.conftest import table_counts
from tests.server.protocol_client import Device, World, op

# Fuzzing is about the endpoints, not the database: SQLite only, to stay quick.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# (method, path, whose token): every endpoint that reads a JSON body
JSON_ENDPOINTS = [
    ("POST", "/api/v1/sync", "trainer_a"),
    ("POST", "/api/v1/devices", None),
    ("POST", "/api/v1/outbox-files", "coord_a"),
    ("POST", "/api/v1/checkins", None),
    ("POST", "/api/v1/push/subscriptions", "trainer_a"),
    ("DELETE", "/api/v1/push/subscriptions", "trainer_a"),
    ("POST", "/api/v1/webauthn/register", "coord_a"),
    ("POST", "/api/v1/webauthn/login", None),
    ("POST", "/api/v1/webauthn/trainee/register/options", None),
    ("POST", "/api/v1/webauthn/trainee/register", None),
]
ENDPOINT_IDS = [f"{method} {path}" for method, path, _ in JSON_ENDPOINTS]
DEEP = 100_000
UNREADABLE = {
    "arrays 100,000 deep": b"[" * DEEP + b"]" * DEEP,
    "objects 100,000 deep": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "deep inside an object": b'{"ops": ' + b"[" * DEEP + b"]" * DEEP + b"}",
    "unclosed 100,000 deep": b"[" * DEEP,
    "latin-1 bytes": '{"code": "Giàng Thị Mai"}'.encode("latin-1", "replace"),
    "bare continuation bytes": b'{"code": "\x80\x80\x80"}',
    "overlong utf-8 slash": b'{"code": "\xc0\xaf"}',
    "a form, not json": b"code=ABCDE-FGHJK&label=phone",
}
READABLE_CODES = {"malformed_json", "invalid_outbox_file"}


def send(client: FlaskClient, method: str, path: str, raw: bytes, phones: dict[str, Device], caller: str | None,
         headers: dict[str, str] | None = None) -> Any:
    sent = {"Content-Type": "application/json", **(headers or {})}
    if caller:
        sent["Authorization"] = f"Bearer {phones[caller].token}"
    return client.open(path, method=method, data=raw, headers=sent)


def assert_clean_refusal(reply: Any, status: int, codes: set[str]) -> None:
    error = reply.get_json()["error"]
    assert (reply.status_code, error["code"]) in {(status, code) for code in codes}, reply.get_data()[:300]
    assert error["message"] and set(error) == {"code", "message", "details"}


@pytest.mark.parametrize("raw", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_unreadable_bodies_are_400_everywhere_and_change_nothing(app: Flask, phones: dict[str, Device],
                                                                 raw: bytes) -> None:
    client = app.test_client()
    before = table_counts(app)
    for method, path, caller in JSON_ENDPOINTS:
        reply = send(client, method, path, raw, phones, caller)
        assert_clean_refusal(reply, 400, READABLE_CODES)
    assert table_counts(app) == before


def test_bombs_and_oversize_bodies_are_413_everywhere_and_change_nothing(app: Flask,
                                                                         phones: dict[str, Device]) -> None:
    client = app.test_client()
    inflated = app.config["MAX_INFLATED_REQUEST_BYTES"]
    bomb = gzip.compress(b'{"ops": [' + b" " * (64 * inflated) + b"]}", compresslevel=9)
    assert len(bomb) < app.config["MAX_CONTENT_LENGTH"] // 2  # small on the wire, 256 MiB once inflated
    oversize = b'{"ops": ["' + b"x" * app.config["MAX_CONTENT_LENGTH"] + b'"]}'
    before = table_counts(app)
    for method, path, caller in JSON_ENDPOINTS:
        assert_clean_refusal(send(client, method, path, bomb, phones, caller, {"Content-Encoding": "gzip"}),
                             413, {"request_too_large"})
        assert_clean_refusal(send(client, method, path, oversize, phones, caller), 413, {"request_too_large"})
        assert_clean_refusal(send(client, method, path, b"\x1f\x8b not gzip", phones, caller,
                                  {"Content-Encoding": "gzip"}), 400, {"bad_gzip"})
        assert_clean_refusal(send(client, method, path, b"{}", phones, caller, {"Content-Encoding": "br"}),
                             415, {"unsupported_encoding"})
    assert table_counts(app) == before


def test_deep_json_that_parses_is_rejected_op_by_op(register: World, app: Flask, phones: dict[str, Device]) -> None:
    device = phones["trainer_a"]
    nested: Any = "Giàng Thị Mai"
    for _ in range(400):
        nested = [nested]
    deep_name = op(device, "trainee", str(uuid.uuid4()), full_name=nested, commune_id=register.ids["A"])
    deep_key = {**op(device, "trainee", str(uuid.uuid4()), full_name="Mai"), "base_rev": nested}
    good = op(device, "trainee", str(uuid.uuid4()), full_name="Vàng A Dế", commune_id=register.ids["A"])
    body = {"protocol": 1, "device_id": device.id, "ops": [deep_name, deep_key, nested, good]}
    reply = send(app.test_client(), "POST", "/api/v1/sync", json.dumps(body).encode(), phones, "trainer_a")
    assert reply.status_code == 200
    assert [(a["status"], a.get("reason")) for a in reply.get_json()["acks"]] == [
        ("rejected", "full_name: must be text"),
        ("rejected", "base_rev must be a non-negative integer (at most 2^53 - 1) or absent"),
        ("rejected", "op must be a JSON object"), ("applied", None)]


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/xml"])
def test_the_content_type_is_not_looked_at_json_is_json(register: World, app: Flask, phones: dict[str, Device],
                                                        content_type: str | None) -> None:
    device = phones["trainer_a"]
    good = op(device, "trainee", str(uuid.uuid4()), full_name="Vàng A Dế", commune_id=register.ids["A"])
    raw = json.dumps({"protocol": 1, "device_id": device.id, "ops": [good]}).encode()
    headers = {"Authorization": f"Bearer {device.token}", **({"Content-Type": content_type} if content_type else {})}
    reply = app.test_client().post("/api/v1/sync", data=raw, headers=headers)
    assert reply.status_code == 200, reply.get_data()[:300]
    assert reply.get_json()["acks"][0]["status"] == "applied"


def _xlsx_bomb(unpacked: int) -> bytes:
    """A workbook of one cell whose text unpacks from a few dozen kilobytes to `unpacked` bytes."""
    from openpyxl import Workbook

    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
             + b"A" * unpacked + b"</t></is></c></row></sheetData></worksheet>")
    template = io.BytesIO()
    Workbook().save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bomb:
        for item in source.infolist():
            data = sheet if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            bomb.writestr(item, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def test_a_gzipped_or_bombed_import_is_refused_and_changes_nothing(app: Flask, phones: dict[str, Device]) -> None:
    client = app.test_client()
    headers = {"Authorization": f"Bearer {phones['coord_a'].token}"}
    before = table_counts(app)
    packed = gzip.compress("full_name,birth_year\nGiàng Thị Mai,2000\n".encode() * 10)
    reply = client.post("/api/v1/imports?dry_run=0", data=packed, headers={**headers, "Content-Encoding": "gzip",
                                                                           "Content-Type": "text/csv"})
    assert_clean_refusal(reply, 400, {"missing_file"})
    bomb = _xlsx_bomb(64 * 1024 * 1024)
    assert len(bomb) < 100 * 1024
    reply = client.post("/api/v1/imports?dry_run=0", headers=headers,
                        data={"file": (io.BytesIO(bomb), "danh-sach.xlsx")}, content_type="multipart/form-data")
    assert_clean_refusal(reply, 413, {"file_too_large"})
    assert table_counts(app) == before
