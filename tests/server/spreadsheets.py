"""Make real spreadsheet files in tests (XLSX with openpyxl, CSV as Excel writes it) and upload them."""

from __future__ import annotations

import csv
import io
import unicodedata
import uuid
from typing import Any

from openpyxl import Workbook

from tests.server.protocol_client import Api, Device, Reply

VI_HEADERS = ["STT", "Họ và tên", "Giới tính", "Ngày sinh", "Dân tộc", "Thôn/bản", "Số điện thoại",
              "Hợp tác xã", "Xã", "Đồng ý"]


def xlsx_file(rows: list[list[Any]], title_lines: list[str] | None = None) -> bytes:
    """Write rows (the header first) to the first sheet of a new workbook."""
    book = Workbook()
    sheet = book.active
    for line in title_lines or []:
        sheet.append([line])
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(rows: list[list[Any]], delimiter: str = ",", bom: bool = True, form: str = "NFC") -> bytes:
    """Write rows as CSV text in the given Unicode form, UTF-8 with or without a BOM."""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    text = unicodedata.normalize(form, out.getvalue())
    return ("\ufeff" if bom else "").encode() + text.encode()


def multipart(fields: dict[str, str], file_name: str, data: bytes) -> tuple[bytes, str]:
    """Encode a form with text fields and one file field named "file"."""
    boundary = f"----fieldroll{uuid.uuid4().hex}"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{file_name}"\r\n'
                 f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def upload(api: Api, device: Device, data: bytes, file_name: str = "danh-sach.xlsx", *, dry_run: bool = True,
           course_id: str | None = None) -> Reply:
    """POST a spreadsheet to the import endpoint as the device's user."""
    fields = {"course_id": course_id} if course_id else {}
    body, content_type = multipart(fields, file_name, data)
    return api.request("POST", f"/api/v1/imports?dry_run={int(dry_run)}", raw=body, token=device.token,
                       headers={"Content-Type": content_type})
