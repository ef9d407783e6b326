"""Reports built from the statistics service: the monthly .xlsx, CSV export and chat texts."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.formatting import fmt_date, fmt_int, fmt_pct
from bot.services.periods import Period, month_period, period_bounds
from bot.services.stats import (
    AreaStats,
    CommuneOverview,
    commune_overview,
)

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_SUMMARY = "Tổng hợp"
SHEET_VILLAGES = "Theo thôn"
SHEET_LESSONS = "Theo bài học"
DATE_FMT = "DD/MM/YYYY"
PCT_FMT = "0.0%"

VILLAGE_HEADERS = [
    "Thôn",
    "Người trưởng thành (ước tính)",
    "Người dân đăng ký",
    "Hoạt động 30 ngày",
    "Lượt hoàn thành bài học",
    "Hoàn thành bộ bài cốt lõi",
    "Tỷ lệ bao phủ",
    "Lượt làm bài kiểm tra",
    "Tỷ lệ đạt bài kiểm tra",
    "Lượt tham dự lớp học",
    "Đạt mục tiêu",
]
LESSON_HEADERS = ["Mã bài", "Tên bài học", "Bài cốt lõi", "Tổng lượt hoàn thành"]

_BOLD = Font(bold=True)
_HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")


def _yes_no(flag: bool) -> str:
    return "Đạt" if flag else "Chưa đạt"


def _village_values(a: AreaStats) -> list[object]:
    return [
        a.name,
        a.adults,
        a.registered,
        a.active_30d,
        a.completions,
        a.core_finished,
        round(a.coverage, 4),
        a.quiz_attempts,
        round(a.quiz_pass_rate, 4) if a.quiz_pass_rate is not None else None,
        a.attendance,
        _yes_no(a.meets_target),
    ]


def _header(ws: Worksheet, row: int, headers: list[str]) -> None:
    for col, text in enumerate(headers, start=1):
        cell = ws.cell(row=row, column=col, value=text)
        cell.font, cell.fill = _BOLD, _HEAD_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def _widths(ws: Worksheet, widths: list[int]) -> None:
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _summary_sheet(ws: Worksheet, ov: CommuneOverview, tz: ZoneInfo, now: datetime) -> None:
    first, last = period_bounds(ov.period, tz)
    t = ov.totals
    ws.append(["BÁO CÁO KẾT QUẢ PHONG TRÀO “BÌNH DÂN HỌC VỤ SỐ”"])
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(["Xã", ov.name])
    ws.append(["Tỉnh/thành phố", ov.province])
    ws.append(["Kỳ báo cáo", ov.period.label])
    ws.append(["Từ ngày", first.date() if first else None])
    ws.append(["Đến ngày", last.date()])
    ws.append(["Ngày lập", now.astimezone(tz).date()])
    for r in (5, 6, 7):
        ws.cell(row=r, column=2).number_format = DATE_FMT
    ws.append([])
    _header(ws, 9, ["Chỉ tiêu", "Giá trị"])
    rows: list[tuple[str, object, str | None]] = [
        ("Người trưởng thành (ước tính)", t.adults, None),
        ("Người dân đăng ký", t.registered, None),
        ("Hoạt động trong 30 ngày", t.active_30d, None),
        ("Lượt hoàn thành bài học trong kỳ", t.completions, None),
        ("Người hoàn thành bộ bài cốt lõi (lũy kế)", t.core_finished, None),
        ("Tỷ lệ bao phủ", round(t.coverage, 4), PCT_FMT),
        ("Mục tiêu", ov.target, PCT_FMT),
        ("Đánh giá", _yes_no(t.meets_target), None),
        ("Lượt làm bài kiểm tra", t.quiz_attempts, None),
        ("Tỷ lệ đạt bài kiểm tra", round(t.quiz_pass_rate, 4) if t.quiz_pass_rate is not None else None, PCT_FMT),
        ("Số lớp học đã tổ chức", ov.classes, None),
        ("Lượt tham dự lớp học", t.attendance, None),
        ("Số bài cốt lõi", ov.core_count, None),
    ]
    for label, value, fmt in rows:
        ws.append([label, value])
        if fmt:
            ws.cell(row=ws.max_row, column=2).number_format = fmt
    _widths(ws, [44, 28])


def _villages_sheet(ws: Worksheet, ov: CommuneOverview) -> None:
    _header(ws, 1, VILLAGE_HEADERS)
    for a in [*ov.villages, ov.totals]:
        ws.append(_village_values(a))
    total_row = ws.max_row
    ws.cell(row=total_row, column=1, value="Tổng cộng")
    for c in range(1, len(VILLAGE_HEADERS) + 1):
        ws.cell(row=total_row, column=c).font = _BOLD
    for r in range(2, total_row + 1):
        ws.cell(row=r, column=7).number_format = PCT_FMT
        ws.cell(row=r, column=9).number_format = PCT_FMT
    ws.freeze_panes = "B2"
    _widths(ws, [24, 14, 12, 12, 14, 14, 11, 14, 14, 14, 11])


def _lessons_sheet(ws: Worksheet, ov: CommuneOverview) -> None:
    villages = ov.villages
    _header(ws, 1, LESSON_HEADERS + [v.name for v in villages])
    for lesson in ov.lessons:
        ws.append(
            [lesson.id, lesson.title, "Có" if lesson.core else "Không", lesson.completions]
            + [lesson.by_village.get(v.id, 0) for v in villages]
        )
    ws.freeze_panes = "C2"
    _widths(ws, [26, 50, 10, 14] + [14] * len(villages))


def overview_xlsx(ov: CommuneOverview, tz: ZoneInfo, now: datetime) -> bytes:
    """The report workbook: summary, per-village and per-lesson sheets (Vietnamese headers)."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_SUMMARY
    _summary_sheet(ws, ov, tz, now)
    _villages_sheet(wb.create_sheet(SHEET_VILLAGES), ov)
    _lessons_sheet(wb.create_sheet(SHEET_LESSONS), ov)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def overview_csv(ov: CommuneOverview) -> bytes:
    """The per-village table as CSV (UTF-8 with BOM so Excel shows the diacritics)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(VILLAGE_HEADERS)
    for a in [*ov.villages, ov.totals]:
        values = _village_values(a)
        if a is ov.totals:
            values[0] = "Tổng cộng"
        w.writerow(["" if v is None else v for v in values])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def report_filename(ov: CommuneOverview, ext: str = "xlsx") -> str:
    """bao-cao-<xa>-<mm-yyyy>.xlsx for a month, bao-cao-<xa>-<key>.xlsx otherwise."""
    key = ov.period.key
    if len(key) == 7 and key[4] == "-":
        key = f"{key[5:]}-{key[:4]}"
    return f"bao-cao-{ov.commune_id}-{key}.{ext}"


def overview_text(ov: CommuneOverview) -> str:
    """The chat summary: commune totals, then one line per village (phone-width)."""
    t = ov.totals
    lines = [
        f"📈 {ov.name} — {ov.period.label}",
        f"Người dân đăng ký: {fmt_int(t.registered)} (hoạt động 30 ngày: {fmt_int(t.active_30d)})",
        f"Hoàn thành bộ bài cốt lõi: {fmt_int(t.core_finished)}/{fmt_int(t.adults)} người trưởng thành "
        f"= {fmt_pct(t.coverage)} (mục tiêu trên {fmt_pct(ov.target, 0)})",
        f"Lượt hoàn thành bài học: {fmt_int(t.completions)}",
        f"Bài kiểm tra: {fmt_int(t.quiz_attempts)} lượt, đạt {fmt_pct(t.quiz_pass_rate)}",
        f"Lớp học: {fmt_int(ov.classes)} lớp, {fmt_int(t.attendance)} lượt tham dự",
        "",
        "Theo thôn (hoàn thành cốt lõi / người trưởng thành):",
    ]
    for a in ov.villages:
        mark = "✅" if a.meets_target else "▫️"
        lines.append(
            f"{mark} {a.name}: {fmt_int(a.core_finished)}/{fmt_int(a.adults)} = {fmt_pct(a.coverage)}"
            f" · {fmt_int(a.registered)} đăng ký"
        )
    return "\n".join(lines)


async def monthly_summary_text(
    session: AsyncSession, app_ctx: AppContext, commune_id: str, year: int, month: int
) -> str:
    """The text the scheduler sends officials on the 10th: last month's numbers in a few lines."""
    period = month_period(year, month, app_ctx.settings.tz)
    ov = await commune_overview(session, app_ctx, commune_id, period, with_trend=False)
    below = [a.name for a in ov.villages if a.adults and not a.meets_target]
    text = overview_text(ov)
    text += "\n\n"
    if below:
        text += f"Còn {len(below)} thôn chưa đạt mục tiêu. "
    text += f"Gõ /baocao {month:02d}/{year} để nhận tệp Excel báo cáo."
    return text


def period_caption(period: Period, tz: ZoneInfo) -> str:
    first, last = period_bounds(period, tz)
    if first is None:
        return f"Đến ngày {fmt_date(last)}"
    return f"{fmt_date(first)} – {fmt_date(last)}"
