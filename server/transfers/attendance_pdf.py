"""The printable attendance sheet of one session: A4, Vietnamese in a Unicode TrueType font.

A header block (province, commune, course, date, place, trainer), then a table of number,
full name, birth year, gender, status as synced, and an empty signature column; the
table's header row repeats on every page. Signature boxes for the trainer and the
commune office close the sheet.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from server.errors import ApiError
from server.transfers.labels import day, word
from server.transfers.roster import Roster

FONT = "DejaVu"
ROW_HEIGHT_MM = 8.5  # room to sign by hand
COLUMN_WIDTHS_MM = (12, 58, 22, 22, 26, 40)
SIGNATURE_SPACE_MM = 28  # the closing signatures need this much room, or go to a new page
HEADINGS = {
    "vi": ("DANH SÁCH ĐIỂM DANH HỌC VIÊN", "Tỉnh", "Xã", "Khoá học", "Ngày", "Giờ", "Địa điểm", "Giảng viên",
           "Giảng viên (ký, ghi rõ họ tên)", "Xác nhận của xã", "Trang"),
    "en": ("TRAINEE ATTENDANCE SHEET", "Province", "Commune", "Course", "Date", "Time", "Place", "Trainer",
           "Trainer (signature, full name)", "Commune office", "Page"),
}


class _SheetPdf(FPDF):
    footer_word = "Trang"

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 6, f"{self.footer_word} {self.page_no()}/{{nb}}", align="C")


def attendance_sheet(roster: Roster, font: str, bold_font: str, lang: str = "vi") -> bytes:
    """Draw the sheet of the roster's one session as PDF bytes."""
    words = HEADINGS.get(lang, HEADINGS["vi"])
    session = roster.sessions[0]
    pdf = _SheetPdf(orientation="portrait", unit="mm", format="A4")
    pdf.footer_word = words[10]
    _add_fonts(pdf, font, bold_font)
    pdf.set_title(f"{words[0]} {day(session.date)}")
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 9, words[0], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FONT, size=10)
    facts = [(words[1], (roster.province.name if roster.province else "") or ""),
             (words[2], (roster.commune.name if roster.commune else "") or ""),
             (words[3], roster.course.title or ""),
             (words[4], day(session.date) + (f" — {words[5]} {session.start_time}" if session.start_time else "")),
             (words[6], session.place or ""),
             (words[7], ", ".join(roster.trainer_names))]
    for label, value in facts:
        pdf.set_font(FONT, "B", 10)
        pdf.cell(28, 6, f"{label}:")
        pdf.set_font(FONT, size=10)
        pdf.multi_cell(0, 6, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(FONT, size=10)
    heading = [word(lang, k) for k in ("no", "full_name", "birth_year", "gender", "status", "signature")]
    with pdf.table(col_widths=COLUMN_WIDTHS_MM, width=sum(COLUMN_WIDTHS_MM), line_height=6,
                   min_row_height=ROW_HEIGHT_MM, text_align=("CENTER", "LEFT", "CENTER", "CENTER", "CENTER", "LEFT"),
                   headings_style=FontFace(emphasis="BOLD", fill_color=(235, 235, 235)),
                   repeat_headings=1, v_align="MIDDLE") as table:
        table.row(heading)
        for number, trainee in enumerate(roster.trainees, start=1):
            table.row([str(number), trainee.full_name or "", str(trainee.birth_year or ""),
                       word(lang, trainee.gender), word(lang, roster.status.get((session.id, trainee.id))), ""])
    _signatures(pdf, words[8], words[9])
    return bytes(pdf.output())


def _signatures(pdf: FPDF, trainer: str, office: str) -> None:
    if pdf.get_y() > pdf.h - pdf.b_margin - SIGNATURE_SPACE_MM:
        pdf.add_page()
    pdf.ln(8)
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.set_font(FONT, "B", 10)
    pdf.cell(half, 6, office, align="C")
    pdf.cell(half, 6, trainer, align="C", new_x="LMARGIN", new_y="NEXT")


def _add_fonts(pdf: FPDF, font: str, bold_font: str) -> None:
    for style, path in (("", font), ("B", bold_font)):
        if not Path(path).is_file():
            raise ApiError(503, "pdf_font_missing",
                           "the server has no Unicode font for PDFs: install Debian's fonts-dejavu-core, "
                           "or set FIELDROLL_PDF_FONT and FIELDROLL_PDF_FONT_BOLD to TrueType files")
        pdf.add_font(FONT, style, path)
