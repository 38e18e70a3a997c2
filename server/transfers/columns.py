"""What a spreadsheet's columns mean, and reading each cell as a trainee's field.

Headers are matched without accents, case, spacing or punctuation, in Vietnamese or
English ("Họ và tên", "HO VA TEN", "Full name"). Each reader returns the value or raises
`CellError` with words a coordinator can act on.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from server.transfers.text import fold, fold_key, tidy
from sync.entities import MAX_STR_CHARS, FieldSpec
from sync.ops import value_problem

HEADERS: dict[str, tuple[str, ...]] = {
    "full_name": ("ho va ten", "ho ten", "ho va ten hoc vien", "ten hoc vien", "full name", "name",
                  "trainee name"),
    # Lists often split the name: "Họ" (family and middle names) | "Tên" (given name).
    "surname": ("ho", "ho dem", "ho va ten dem", "ho va chu dem", "ho lot", "family name", "last name", "surname"),
    "given_name": ("ten", "given name", "first name"),
    "gender": ("gioi tinh", "gioi", "gender", "sex"),
    "birth_year": ("nam sinh", "birth year", "year of birth"),
    "birth_date": ("ngay sinh", "ngay thang nam sinh", "ngay sinh dd mm yyyy", "birth date", "date of birth",
                   "dob"),
    "ethnicity": ("dan toc", "ethnicity", "ethnic group"),
    "village": ("thon ban", "thon", "ban", "thon xom", "village"),
    "phone": ("so dien thoai", "dien thoai", "sdt", "so dt", "phone", "phone number", "telephone"),
    "cooperative": ("hop tac xa", "htx", "cooperative", "co operative"),
    "commune": ("xa", "xa phuong", "xa phuong thi tran", "commune"),
    "consent": ("dong y", "dong y tham gia", "dong y luu thong tin", "consent"),
}
COLUMN_OF = {alias: column for column, aliases in HEADERS.items() for alias in aliases}
TEXT_SPEC = FieldSpec("str")
IGNORED = {"stt", "tt", "so tt", "no", "ghi chu", "note", "notes"}

GENDER_WORDS = {"nam": "male", "trai": "male", "male": "male", "m": "male", "man": "male",
                "nu": "female", "gai": "female", "female": "female", "f": "female", "woman": "female",
                "khac": "other", "other": "other"}
YES = {"co", "x", "yes", "y", "1", "true", "dong y", "da dong y", "v", "✓", "✔"}
NO = {"khong", "no", "n", "0", "false", "khong dong y", "k"}
# Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
EXCEL_EPOCH = date(1899, 12, 30)
OLDEST_BIRTH_YEAR = 1900
DATE_TEXT = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})")


class CellError(ValueError):
    """A cell that cannot be read, with a message for the coordinator."""


def map_headers(cells: tuple[Any, ...]) -> dict[int, str]:
    """Return column index → field for the headers this row names (the first of each wins)."""
    mapping: dict[int, str] = {}
    for index, cell in enumerate(cells):
        column = COLUMN_OF.get(fold_key(str(cell))) if cell is not None else None
        if column and column not in mapping.values():
            mapping[index] = column
    return mapping


def unknown_headers(cells: tuple[Any, ...], mapping: dict[int, str]) -> list[str]:
    return [str(cell) for index, cell in enumerate(cells)
            if index not in mapping and cell is not None and str(cell).strip()
            and fold_key(str(cell)) not in IGNORED and fold_key(str(cell)) not in COLUMN_OF]


def text_of(cell: Any) -> str:
    """Return a cell as trimmed NFC text: "" when blank; whole numbers without ".0"."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime | date):
        return cell.strftime("%d/%m/%Y")
    return tidy(str(cell))


def read_text(cell: Any, label: str) -> str | None:
    value = text_of(cell)
    if len(value) > MAX_STR_CHARS:
        raise CellError(f"{label}: longer than {MAX_STR_CHARS} characters")
    problem = value_problem(TEXT_SPEC, value)
    if problem:
        raise CellError(f"{label}: {problem}")
    return value or None


def read_gender(cell: Any) -> str | None:
    value = text_of(cell)
    if not value:
        return None
    gender = GENDER_WORDS.get(fold(value))
    if gender is None:
        raise CellError("Giới tính / gender: write Nam, Nữ or Khác (male, female, other)")
    return gender


def read_consent(cell: Any) -> bool | None:
    if isinstance(cell, bool):
        return cell
    value = fold(text_of(cell))
    if not value:
        return None
    if value in YES:
        return True
    if value in NO:
        return False
    raise CellError("Đồng ý / consent: write có or không (or x for yes)")


def read_phone(cell: Any) -> str | None:
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        digits = str(int(cell))
        # Excel drops the leading 0 of a number typed into a number cell: 912345678 → 0912345678.
        return "0" + digits if len(digits) == 9 else digits
    value = text_of(cell)
    if not value:
        return None
    if not re.fullmatch(r"\+?[0-9 .()\-]{6,20}", value):
        raise CellError("Số điện thoại / phone: digits only, e.g. 0912 345 678")
    return value


def read_birth_year(year_cell: Any, date_cell: Any, this_year: int) -> int | None:
    """Return the birth year from a year column or a birth-date column (only the year is kept)."""
    year = _year_of(year_cell, as_date=False) if text_of(year_cell) else None
    if year is None and text_of(date_cell):
        year = _year_of(date_cell, as_date=True)
    if year is not None and not OLDEST_BIRTH_YEAR <= year <= this_year:
        raise CellError(f"Năm sinh / birth year: {year} is not a birth year between {OLDEST_BIRTH_YEAR} "
                        f"and {this_year}")
    return year


def _year_of(cell: Any, as_date: bool) -> int:
    if isinstance(cell, datetime | date):
        return cell.year
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        number = int(cell)
        # Four digits are a year even in a date column: Excel's serial numbers for birth dates
        # since 1927 have five, and 1900-1927 births are not among today's trainees.
        if 1000 <= number <= 9999:
            return number
        if as_date and 10_000 <= number < 200_000:
            return (EXCEL_EPOCH + timedelta(days=number)).year
        raise CellError("Năm sinh / birth year: not a year or a date")
    value = text_of(cell)
    if re.fullmatch(r"\d{4}", value):
        return int(value)
    for pattern, year_group in ((DATE_TEXT, 3), (ISO_DATE, 1)):
        match = pattern.match(value)
        if match:
            day, month = (match[1], match[2]) if year_group == 3 else (match[3], match[2])
            try:
                return date(int(match[year_group]), int(month), int(day)).year
            except ValueError:
                break
    if as_date and re.fullmatch(r"\d{5}(\.0+)?", value):
        return (EXCEL_EPOCH + timedelta(days=int(float(value)))).year
    raise CellError("Ngày sinh / birth date: write dd/mm/yyyy (e.g. 05/03/1985) or the year alone")
