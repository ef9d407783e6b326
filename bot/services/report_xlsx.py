"""The report workbook: one sheet per table, each printable on its own as an administrative document.

Every sheet: issuing body top left, national motto top right, number and place-and-date line, title,
the table (header row repeated on each printed page), signature block. A4, fit to one page wide,
landscape for the wide tables; Times New Roman on every style, so no render falls back to a font
without the Vietnamese glyphs.
"""

from __future__ import annotations

import io
import math
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.indexed_list import IndexedList
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from bot.services.report_form import (
    FONT_NAME,
    MOTTO,
    SIGNER_LEFT,
    SIGNER_RIGHT,
    ReportDoc,
    Table,
    build,
    show,
)
from bot.services.stats import CommuneOverview

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PCT_FMT = "[$-42A]0.0%"  # Vietnamese locale: 82,5% and 1.234 whatever the machine
INT_FMT = "[$-42A]#,##0"
LINE_PT = 15.0  # one line of 11-12 pt text

_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="E7EEF7")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def font(size: float = 12, bold: bool = False, italic: bool = False, underline: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic, underline="single" if underline else None)


def _split(widths: list[int]) -> int:
    """The column where the right-hand header block starts: left block about 45% of the width."""
    total, acc = sum(widths), 0
    for i, w in enumerate(widths):
        if acc + w / 2 >= total * 0.45:
            return max(1, i)
        acc += w
    return max(1, len(widths) - 1)


def _line(ws: Worksheet, row: int, first: int, last: int, text: str, f: Font, align: str = "center") -> None:
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = ws.cell(row=row, column=first, value=text or None)
    cell.font = f
    cell.alignment = Alignment(horizontal=align, vertical="center")


def _head(ws: Worksheet, doc: ReportDoc, table: Table) -> int:
    """The heading block; returns the row of the table's header."""
    n = len(table.widths)
    mid = _split(table.widths)
    _line(ws, 1, 1, mid, doc.issuer[0], font(12, bold=True))
    _line(ws, 1, mid + 1, n, MOTTO[0], font(12, bold=True))
    _line(ws, 2, 1, mid, doc.issuer[1], font(12, bold=True, underline=True))
    _line(ws, 2, mid + 1, n, MOTTO[1], font(13, bold=True, underline=True))
    _line(ws, 3, 1, mid, doc.number, font(12))
    _line(ws, 3, mid + 1, n, doc.place_date, font(12, italic=True))
    _line(ws, 5, 1, n, table.title, font(14, bold=True))
    _line(ws, 6, 1, n, doc.subtitle, font(13, bold=True))
    _line(ws, 7, 1, n, doc.period_line, font(12, italic=True))
    for r in (1, 2, 3, 5, 6, 7):
        ws.row_dimensions[r].height = 19.0
    return 9


def _lines_needed(text: str, width: int) -> int:
    return max(1, math.ceil(len(text) / max(1, width - 1)))


def _table(ws: Worksheet, table: Table, top: int) -> int:
    """The bordered table from row `top`; returns its last row."""
    for col, text in enumerate(table.headers, start=1):
        cell = ws.cell(row=top, column=col, value=text)
        cell.font, cell.fill, cell.alignment, cell.border = font(11, bold=True), _HEAD_FILL, _CENTER, _BOX
    ws.row_dimensions[top].height = LINE_PT * max(
        _lines_needed(t, w) for t, w in zip(table.headers, table.widths, strict=True)
    ) + 4
    for i, cells in enumerate(table.rows, start=1):
        r = top + i
        bold = table.bold_last and i == len(table.rows)
        lines = 1
        for col, ((value, kind), width) in enumerate(zip(cells, table.widths, strict=True), start=1):
            cell = ws.cell(row=r, column=col, value=value if value != "" else None)
            cell.font, cell.border = font(11, bold=bold), _BOX
            if kind == "text":
                cell.alignment = Alignment(vertical="center", wrap_text=True, horizontal="left")
                lines = max(lines, _lines_needed(show((value, kind)), width))
            else:
                cell.alignment = Alignment(vertical="center", horizontal="right" if col > 1 else "center")
                cell.number_format = PCT_FMT if kind == "pct" else INT_FMT
        ws.row_dimensions[r].height = LINE_PT * lines + 3
    return top + len(table.rows)


def _signature(ws: Worksheet, table: Table, row: int) -> None:
    n = len(table.widths)
    mid = _split(table.widths)
    for k, (left, right) in enumerate(zip(SIGNER_LEFT, SIGNER_RIGHT, strict=True)):
        italic = left.startswith("(")
        _line(ws, row + k, 1, mid, left, font(12, bold=not italic, italic=italic))
        _line(ws, row + k, mid + 1, n, right, font(12, bold=not right.startswith("("), italic=right.startswith("(")))


def _page_setup(ws: Worksheet, table: Table, header_row: int) -> None:
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if table.landscape else "portrait"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages tall as needed
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.print_options.horizontalCentered = True
    # Decree 30 margins: top/bottom 20 mm, left 30 mm, right 15 mm (portrait; landscape swaps sides)
    left, right = (0.79, 0.79) if table.landscape else (1.18, 0.59)
    top, bottom = (1.18, 0.59) if table.landscape else (0.79, 0.79)
    ws.page_margins = PageMargins(left=left, right=right, top=top, bottom=bottom, header=0.3, footer=0.3)
    ws.oddFooter.center.text = "Trang &P/&N"
    ws.oddFooter.center.font = f"{FONT_NAME},Regular"
    ws.sheet_view.showGridLines = False


def _sheet(ws: Worksheet, doc: ReportDoc, table: Table) -> None:
    ws.title = table.sheet
    for i, w in enumerate(table.widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    header_row = _head(ws, doc, table)
    last = _table(ws, table, header_row)
    _signature(ws, table, last + 2)
    _page_setup(ws, table, header_row)


def workbook(doc: ReportDoc) -> Workbook:
    wb = Workbook()
    # the workbook's default font (cells without a style, the Normal style) is Times New Roman too
    wb._fonts = IndexedList([font(12)])
    wb._named_styles["Normal"].font = font(12)
    first = wb.active
    assert first is not None
    _sheet(first, doc, doc.tables[0])
    for table in doc.tables[1:]:
        _sheet(wb.create_sheet(), doc, table)
    return wb


def overview_xlsx(ov: CommuneOverview, tz: ZoneInfo, now: datetime) -> bytes:
    """The report workbook: «Tổng hợp», «Theo thôn», «Theo bài học»."""
    buf = io.BytesIO()
    workbook(build(ov, tz, now)).save(buf)
    return buf.getvalue()
