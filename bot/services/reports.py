"""Reports built from the statistics service: the monthly .xlsx and PDF, CSV export and chat texts."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.formatting import fmt_date, fmt_int, fmt_pct
from bot.services.periods import Period, month_period, period_bounds
from bot.services.report_form import LESSON_HEADERS, VILLAGE_HEADERS, village_cells
from bot.services.report_pdf import PDF_MIME, FontMissing, overview_pdf
from bot.services.report_xlsx import XLSX_MIME, overview_xlsx
from bot.services.stats import CommuneOverview, commune_overview

__all__ = [
    "LESSON_HEADERS",
    "PDF_MIME",
    "VILLAGE_HEADERS",
    "XLSX_MIME",
    "FontMissing",
    "monthly_summary_text",
    "overview_csv",
    "overview_pdf",
    "overview_text",
    "overview_xlsx",
    "period_caption",
    "report_filename",
]


def overview_csv(ov: CommuneOverview) -> bytes:
    """The per-village table as CSV (UTF-8 with BOM so Excel shows the diacritics)."""
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(VILLAGE_HEADERS)
    for a in [*ov.villages, ov.totals]:
        values = [value for value, _kind in village_cells(a)]
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
        f"Hoàn thành bộ bài cốt lõi: {fmt_int(t.covered)}/{fmt_int(t.adults)} người trưởng thành "
        f"= {fmt_pct(t.coverage)} (mục tiêu trên {fmt_pct(ov.target, 0)})",
        *([f"  trong đó {fmt_int(t.guided_core)} người học cùng Tổ công nghệ số"] if t.guided_core else []),
        *([f"Tiến độ: {t.pace.pace_text()}"] if t.pace and t.adults else []),
        f"Lượt hoàn thành bài học: {fmt_int(t.completions)}",
        f"Bài kiểm tra: {fmt_int(t.quiz_attempts)} lượt, đạt {fmt_pct(t.quiz_pass_rate)}",
        f"Lớp học: {fmt_int(ov.classes)} lớp, {fmt_int(t.attendance)} lượt tham dự",
        f"Thực hành (tự quét mã QR thật): {fmt_int(t.practiced)} người",
        f"Được hướng dẫn trực tiếp (không dùng điện thoại): {fmt_int(t.guided)} người",
        "",
        "Theo thôn (hoàn thành cốt lõi / người trưởng thành):",
    ]
    for a in ov.villages:
        behind = a.pace is not None and a.adults > 0 and not a.pace.on_track
        mark = "✅" if a.meets_target else ("⚠️" if behind else "▫️")
        lines.append(
            f"{mark} {a.name}: {fmt_int(a.covered)}/{fmt_int(a.adults)} = {fmt_pct(a.coverage)}"
            f" · {fmt_int(a.registered)} đăng ký" + (f" · {fmt_int(a.guided)} được hướng dẫn" if a.guided else "")
        )
        if a.pace is not None and a.adults and not a.pace.reached:
            lines.append(f"    {a.pace.pace_text()}")
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
