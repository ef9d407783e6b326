"""Vietnamese number and date formatting for what officials read (chat, web, CLI, reports)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo


def fmt_int(n: int) -> str:
    """1234567 -> "1.234.567" (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def fmt_pct(x: float | None, digits: int = 1) -> str:
    """0.825 -> "82,5%"; None -> "–"."""
    if x is None:
        return "–"
    return f"{x * 100:.{digits}f}%".replace(".", ",")


def fmt_date(d: date | datetime, tz: ZoneInfo | None = None) -> str:
    if isinstance(d, datetime) and tz is not None:
        d = d.astimezone(tz)
    return d.strftime("%d/%m/%Y")
