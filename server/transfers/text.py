"""Text as spreadsheets and Vietnamese write it: accent-blind matching and download names."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

# đ/Đ are letters of their own, not d with a mark: NFD leaves them whole.
_D_STROKE = str.maketrans({"đ": "d", "Đ": "D"})
_SPACES = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^0-9a-z]+")


def tidy(text: str) -> str:
    """Return text in NFC with runs of spaces made one: how names are stored."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.translate(_D_STROKE))
    return unicodedata.normalize("NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def fold(text: str) -> str:
    """Return text without accents, case or extra spaces: "  Giàng  THỊ Mỷ" → "giang thi my"."""
    return _SPACES.sub(" ", strip_accents(text).lower()).strip()


def fold_key(text: str) -> str:
    """Fold and turn punctuation into spaces too, for headers: "Thôn/bản" → "thon ban"."""
    return _NOT_WORD.sub(" ", fold(text)).strip()


def slug(text: str, limit: int = 60) -> str:
    """Return an ASCII file-name part: "Khoá Bản Hồ" → "Khoa-Ban-Ho"."""
    words = re.sub(r"[^0-9A-Za-z]+", "-", strip_accents(text)).strip("-")
    return words[:limit].rstrip("-") or "x"


def file_part(text: str, limit: int = 60) -> str:
    """Return a file-name part that keeps its diacritics, without characters a file system refuses."""
    cleaned = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", tidy(text))
    return _SPACES.sub("-", cleaned).strip("-")[:limit].rstrip("-") or "x"


def attachment(name: str) -> str:
    """Return a Content-Disposition value: an ASCII fallback name and the UTF-8 one (RFC 6266, 5987)."""
    ascii_name = strip_accents(name).encode("ascii", "ignore").decode().replace('"', "") or "download"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
