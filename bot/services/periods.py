"""Reporting periods: calendar months in local time, the last N days, everything so far.

A `Period` is [start, end) in aware datetimes; the statistics, the reports, the web filter
and the monthly scheduler all speak it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.errors import UserError


@dataclass(frozen=True)
class Period:
    """[start, end) in aware UTC; `start=None` means since the beginning."""

    start: datetime | None
    end: datetime
    label: str
    key: str  # for URLs and file names: "all", "2026-11", "30d"


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def month_period(year: int, month: int, tz: ZoneInfo) -> Period:
    """The calendar month in local time."""
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise UserError("Tháng không hợp lệ. Ví dụ: 11 hoặc 11/2026.")
    start = local_midnight(date(year, month, 1), tz)
    nxt = date(year + month // 12, month % 12 + 1, 1)
    return Period(start, local_midnight(nxt, tz), f"tháng {month:02d}/{year}", f"{year}-{month:02d}")


def all_time(now: datetime) -> Period:
    return Period(None, now, "từ đầu đến nay", "all")


def last_days(now: datetime, days: int) -> Period:
    return Period(now - timedelta(days=days), now, f"{days} ngày gần đây", f"{days}d")


def month_before(day: date) -> tuple[int, int]:
    """(year, month) of the calendar month before `day`'s."""
    return (day.year - 1, 12) if day.month == 1 else (day.year, day.month - 1)


def previous_month(now: datetime, tz: ZoneInfo) -> Period:
    year, month = month_before(now.astimezone(tz).date())
    return month_period(year, month, tz)


def period_bounds(period: Period, tz: ZoneInfo) -> tuple[datetime | None, datetime]:
    """First and last local day of a period (the end is exclusive, so the last day is end - 1µs)."""
    first = period.start.astimezone(tz) if period.start is not None else None
    last = (period.end - timedelta(microseconds=1)).astimezone(tz)
    return first, last


_MONTH_RE = re.compile(r"^(?:th[aá]ng\s*)?(\d{1,2})(?:\s*[/\-.]\s*(\d{4}))?$", re.IGNORECASE)


def parse_month(text: str, now: datetime, tz: ZoneInfo) -> Period:
    """ "11", "11/2026", "tháng 11", "thang 11-2026" -> that month; empty -> the previous month.

    A month without a year is the most recent such month that has started.
    """
    text = text.strip()
    if not text:
        return previous_month(now, tz)
    m = _MONTH_RE.match(text)
    if not m:
        raise UserError("Tôi chưa hiểu tháng bạn muốn. Ví dụ: /baocao 11 hoặc /baocao 11/2026.")
    month = int(m.group(1))
    today = now.astimezone(tz).date()
    if m.group(2):
        year = int(m.group(2))
    else:
        year = today.year if month <= today.month else today.year - 1
    period = month_period(year, month, tz)
    if period.start is not None and period.start > now:
        raise UserError(f"Tháng {month:02d}/{year} chưa bắt đầu, chưa có số liệu.")
    return period


def parse_period_key(key: str | None, now: datetime, tz: ZoneInfo) -> Period:
    """Web/CLI period filter: "all" (default), "30d"/"7d"/"90d", or "YYYY-MM"."""
    key = (key or "all").strip()
    if key == "all":
        return all_time(now)
    if m := re.fullmatch(r"(7|30|90|365)d", key):
        return last_days(now, int(m.group(1)))
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", key):
        return month_period(int(m.group(1)), int(m.group(2)), tz)
    raise UserError("Khoảng thời gian không hợp lệ: dùng all, 7d, 30d, 90d, 365d hoặc YYYY-MM.")
