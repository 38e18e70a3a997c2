"""Words the exports print, Vietnamese first, English on request (?lang=en)."""

from __future__ import annotations

from datetime import date

LANGS = ("vi", "en")
WORDS: dict[str, dict[str, str]] = {
    "vi": {"no": "STT", "full_name": "Họ và tên", "gender": "Giới tính", "birth_year": "Năm sinh",
           "ethnicity": "Dân tộc", "village": "Thôn/bản", "phone": "Số điện thoại", "session": "Buổi",
           "status": "Điểm danh", "signature": "Chữ ký", "female": "Nữ", "male": "Nam", "other": "Khác",
           "present": "Có mặt", "late": "Muộn", "absent": "Vắng", "excused": "Có phép",
           "roster": "danh-sach", "sheet": "diem-danh", "figures": "so-lieu"},
    "en": {"no": "No.", "full_name": "Full name", "gender": "Gender", "birth_year": "Birth year",
           "ethnicity": "Ethnicity", "village": "Village", "phone": "Phone", "session": "Session",
           "status": "Attendance", "signature": "Signature", "female": "Female", "male": "Male", "other": "Other",
           "present": "Present", "late": "Late", "absent": "Absent", "excused": "Excused",
           "roster": "roster", "sheet": "attendance", "figures": "figures"},
}


def word(lang: str, key: str | None) -> str:
    """Return the word for `key` in `lang` ("" for None; the key itself when there is none)."""
    if key is None:
        return ""
    return WORDS.get(lang, WORDS["vi"]).get(key, key)


def day(iso: str | None) -> str:
    """Write an ISO date as Vietnamese paperwork does: 2026-11-23 → 23/11/2026."""
    if not iso:
        return ""
    try:
        return date.fromisoformat(iso).strftime("%d/%m/%Y")
    except ValueError:
        return iso
