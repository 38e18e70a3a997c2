"""Tables to files: CSV with a BOM (so Excel shows diacritics) and XLSX with a bold, frozen header."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from server.transfers.labels import day, word
from server.transfers.roster import Roster

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_COLUMN_WIDTH = 40
SHEET_TITLE_CHARS = 31  # Excel's limit
# A cell starting with these is run as a formula by spreadsheet programs: prefix a quote.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[Any]]
    frozen_columns: int = 0


def roster_table(roster: Roster, lang: str) -> Table:
    """One row per trainee: who they are, then their status in each session and level in each skill."""
    sessions = roster.sessions
    headers = [word(lang, k) for k in ("no", "full_name", "gender", "birth_year", "ethnicity", "village")]
    headers += [f"{word(lang, 'session')} {day(s.date)}" + (f" {s.start_time}" if _same_day(sessions, s) else "")
                for s in sessions]
    headers += [s.label_en if lang == "en" else s.label_vi for s in roster.skills]
    rows = []
    for number, trainee in enumerate(roster.trainees, start=1):
        row: list[Any] = [number, trainee.full_name, word(lang, trainee.gender), trainee.birth_year,
                          trainee.ethnicity, trainee.village]
        row += [word(lang, roster.status.get((s.id, trainee.id))) for s in sessions]
        row += [roster.level.get((trainee.id, s.code)) for s in roster.skills]
        rows.append(row)
    return Table(roster.course.title or "roster", headers, rows, frozen_columns=2)


def _same_day(sessions: Sequence[Any], session: Any) -> bool:
    return sum(1 for s in sessions if s.date == session.date) > 1 and bool(session.start_time)


def to_csv(tables: Sequence[Table]) -> bytes:
    """Write the tables one under another, a blank line and the title between them (UTF-8 with BOM)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    for index, table in enumerate(tables):
        if len(tables) > 1:
            if index:
                writer.writerow([])
            writer.writerow([table.title])
        writer.writerow([_safe(h) for h in table.headers])
        writer.writerows([[_safe(cell) for cell in row] for row in table.rows])
    return out.getvalue().encode("utf-8-sig")


def to_xlsx(tables: Sequence[Table]) -> bytes:
    """Write one sheet per table: header row bold and frozen, columns wide enough to read."""
    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, used))
        sheet.append([_safe(h) for h in table.headers])
        for cell in sheet[1]:
            cell.font = bold
        for row in table.rows:
            sheet.append([_safe(cell) for cell in row])
        sheet.freeze_panes = sheet.cell(row=2, column=table.frozen_columns + 1)
        for index, header in enumerate(table.headers, start=1):
            longest = max([len(str(header)), *(len(str(row[index - 1] or "")) for row in table.rows[:500])])
            sheet.column_dimensions[get_column_letter(index)].width = min(MAX_COLUMN_WIDTH, longest + 2)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _safe(value: Any) -> Any:
    """Keep text that looks like a formula from being run when the file is opened."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _sheet_title(title: str, used: set[str]) -> str:
    base = "".join(ch for ch in title if ch not in "[]:*?/\\")[:SHEET_TITLE_CHARS].strip() or "Sheet"
    name, n = base, 2
    while name.lower() in used:
        suffix = f" ({n})"
        name, n = base[:SHEET_TITLE_CHARS - len(suffix)] + suffix, n + 1
    used.add(name.lower())
    return name
