"""Targets a commune manages by: coverage against the 80% goal, the pace over the last 4 weeks, and
the month the goal is reached at that pace («chưa đạt» when that is after the campaign's end)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.formatting import fmt_date, fmt_int

TARGET = 0.8  # the movement's goal: over 80% of adults with basic digital skills
PACE_WEEKS = 4


def target_count(adults: int, target: float = TARGET) -> int:
    """Finishers needed for coverage *over* the target (the goal is «trên 80%»)."""
    return math.floor(adults * target + 1e-9) + 1 if adults else 0


@dataclass(frozen=True)
class Pace:
    adults: int
    finished: int  # core-set finishers at the end of the period
    gained: int  # of them, finished in the last PACE_WEEKS weeks
    as_of: date  # local day the figures are for
    campaign_end: date
    target: float = TARGET

    @property
    def per_week(self) -> float:
        return self.gained / PACE_WEEKS

    @property
    def needed(self) -> int:
        return max(0, target_count(self.adults, self.target) - self.finished)

    @property
    def reached(self) -> bool:
        return self.adults > 0 and self.needed == 0

    @property
    def reach_on(self) -> date | None:
        """The day the target is passed at the current pace (None: reached already, or no pace)."""
        if self.reached or self.gained == 0 or not self.adults:
            return None
        days = -(-self.needed * 7 * PACE_WEEKS // self.gained)  # whole days, integer arithmetic
        return self.as_of + timedelta(days=days)

    @property
    def on_track(self) -> bool:
        reach = self.reach_on
        return self.reached or (reach is not None and reach <= self.campaign_end)

    @property
    def reach_month(self) -> str:
        """ "05/2027", "Đã đạt" or "–" (no pace: never, at this rate)."""
        if self.reached:
            return "Đã đạt"
        reach = self.reach_on
        return f"{reach.month:02d}/{reach.year}" if reach else "–"

    @property
    def verdict(self) -> str:
        if self.reached:
            return "Đạt"
        return "Đúng tiến độ" if self.on_track else "Chưa đạt"

    def pace_text(self) -> str:
        """One phone-width line for chat."""
        if not self.adults:
            return ""
        if self.reached:
            return "đã đạt mục tiêu"
        if self.gained == 0:
            return f"4 tuần qua chưa có thêm người hoàn thành — chưa đạt (hạn {fmt_date(self.campaign_end)})"
        text = f"+{fmt_int(self.gained)} người/4 tuần, dự kiến đạt {self.target * 100:.0f}% vào {self.reach_month}"
        return text if self.on_track else f"{text} — chưa đạt (hạn {fmt_date(self.campaign_end)})"


def pace_window(end: datetime) -> datetime:
    """Start of the pace window: PACE_WEEKS weeks before `end`."""
    return end - timedelta(weeks=PACE_WEEKS)


def make_pace(adults: int, finished: int, earlier: int, end: datetime, tz: ZoneInfo, campaign_end: date) -> Pace:
    as_of = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return Pace(adults, finished, max(0, finished - earlier), as_of, campaign_end)
