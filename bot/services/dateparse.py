"""Parse class dates and times typed the way Vietnamese people write them.

Accepted (diacritics optional, any order of date and time):
"20/12 8h", "20/12 8h30", "8:30 ngày 20/12/2025", "14h 20/12", "thứ 7 tuần này 14h",
"chủ nhật 8h", "thứ hai tuần sau 7h30", "mai 8h", "ngày mai 8 giờ sáng", "hôm nay 2 giờ chiều".

`parse_when(text, now, tz)` returns an aware datetime in `tz` or raises `DateParseError`
whose message is a precise Vietnamese explanation. It does not check that the moment is in
the future: the class service does (so the error says "đã qua", not "không hiểu").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.errors import UserError
from bot.text import fold

EXAMPLES = "Ví dụ: «20/12 8h», «8:30 ngày 20/12/2025», «thứ 7 tuần này 14h», «mai 8h»."

WEEKDAY_WORDS = {"hai": 0, "ba": 1, "tu": 2, "bon": 2, "nam": 3, "sau": 4, "bay": 5}
WEEKDAY_NAMES = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]

_DATE = re.compile(r"(?<![\d:])(\d{1,2})\s*[/\-]\s*(\d{1,2})(?:\s*[/\-]\s*(\d{2,4}))?(?![\d:])")
_TIME = re.compile(r"(?<![\d/\-])(\d{1,2})\s*(?:gio|h|g|:)\s*(?:(\d{1,2})\s*(?:phut|p)?)?(?![\d/\-])(?:\s*ruoi)?")
_DATE_WORDS = re.compile(r"\bngay\s*(\d{1,2})\s*thang\s*(\d{1,2})(?:\s*nam\s*(\d{4}))?\b")
_WEEKDAY = re.compile(r"\b(?:thu\s*(\d|hai|ba|tu|bon|nam|sau|bay)|chu\s*nhat|cn)\b")
_WEEK = re.compile(r"\btuan\s*(nay|sau|toi|ke|truoc)\b")
_RELATIVE = re.compile(r"\b(?:hom\s*nay|ngay\s*mai|ngay\s*kia|mai|mot|kia)\b")
_PERIOD = re.compile(r"\b(sang|trua|chieu|toi|dem)\b")
_FILLER = re.compile(r"\b(?:ngay|luc|vao|nam|thang|khoang|tu|bat\s*dau|den)\b")


class DateParseError(UserError):
    """The text is not a date and time we understand; `message` says why, in Vietnamese."""


@dataclass(frozen=True)
class _Clock:
    hour: int
    minute: int


def normalize(text: str) -> str:
    """Lowercase, strip diacritics (đ → d), keep digits and the separators / - : ."""
    return fold(text, keep="/:-")


def _take(pattern: re.Pattern[str], text: str) -> tuple[re.Match[str] | None, str]:
    """First match of `pattern` and the text with it blanked out."""
    match = pattern.search(text)
    if match is None:
        return None, text
    return match, text[: match.start()] + " " + text[match.end() :]


def _parse_time(text: str) -> tuple[_Clock | None, str]:
    match, rest = _take(_TIME, text)
    period, rest = _take(_PERIOD, rest)
    if match is None:
        if period is not None:
            raise DateParseError(f"Bạn ghi buổi nhưng chưa ghi giờ. {EXAMPLES}")
        return None, rest
    hour = int(match.group(1))
    minute = int(match.group(2)) if match.group(2) else 0
    if match.group(0).rstrip().endswith("ruoi"):
        minute = 30
    if hour > 23 or minute > 59:
        raise DateParseError(f"Giờ «{match.group(0).strip()}» không hợp lệ (giờ từ 0 đến 23, phút từ 0 đến 59).")
    if period is not None:
        word = period.group(1)
        if (
            (word in ("chieu", "toi") and 1 <= hour < 12)
            or (word == "trua" and 1 <= hour <= 2)
            or (word == "dem" and 7 <= hour < 12)
        ):
            hour += 12
        elif word == "sang" and hour >= 12:
            raise DateParseError(f"«{hour} giờ sáng» không hợp lệ. Buổi sáng là trước 12 giờ.")
    return _Clock(hour, minute), rest


def _explicit_date(match: re.Match[str], today: date) -> date:
    day, month = int(match.group(1)), int(match.group(2))
    year_text = match.group(3)
    if year_text is None:
        year = today.year
    else:
        year = int(year_text)
        if year < 100:
            year += 2000
    try:
        found = date(year, month, day)
    except ValueError:
        raise DateParseError(f"Ngày {day}/{month} không có trong lịch. Bạn kiểm tra lại ngày và tháng nhé.") from None
    if year_text is None and found < today:
        # "20/12" typed in late December of the same year means next year's 20/12.
        try:
            found = date(year + 1, month, day)
        except ValueError:
            raise DateParseError(f"Ngày {day}/{month} không có trong lịch năm sau.") from None
    return found


def _weekday_date(match: re.Match[str], week_word: str | None, today: date) -> date:
    token = match.group(1)
    if token is None:
        weekday = 6  # chủ nhật / cn
    elif token.isdigit():
        number = int(token)
        if not 2 <= number <= 7:
            raise DateParseError(f"«Thứ {number}» không có. Các ngày trong tuần là thứ 2 đến thứ 7 và chủ nhật.")
        weekday = number - 2
    else:
        weekday = WEEKDAY_WORDS[token]
    monday = today - timedelta(days=today.weekday())
    if week_word == "nay":
        return monday + timedelta(days=weekday)
    if week_word in ("sau", "toi", "ke"):
        return monday + timedelta(days=7 + weekday)
    if week_word == "truoc":
        return monday + timedelta(days=weekday - 7)
    ahead = (weekday - today.weekday()) % 7
    return today + timedelta(days=ahead)


def _relative_date(word: str, today: date) -> date:
    word = word.replace(" ", "")
    if word == "homnay":
        return today
    if word in ("mai", "ngaymai"):
        return today + timedelta(days=1)
    return today + timedelta(days=2)  # ngày kia / mốt / kia


def parse_when(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """The moment `text` names, as an aware datetime in `tz`; `now` anchors "mai", "thứ 7"..."""
    norm = normalize(text)
    if not norm:
        raise DateParseError(f"Bạn chưa ghi ngày giờ. {EXAMPLES}")
    today = now.astimezone(tz).date()

    week, rest = _take(_WEEK, norm)
    weekday, rest = _take(_WEEKDAY, rest)
    explicit, rest = _take(_DATE_WORDS, rest)
    if explicit is None:
        explicit, rest = _take(_DATE, rest)
    relative, rest = _take(_RELATIVE, rest)
    clock, rest = _parse_time(rest)

    day: date | None = None
    if explicit is not None:
        day = _explicit_date(explicit, today)
        if weekday is not None and _weekday_date(weekday, None, day) != day:
            raise DateParseError(
                f"Ngày {day.day}/{day.month}/{day.year} là {WEEKDAY_NAMES[day.weekday()]}, "
                "không khớp với thứ bạn ghi. Bạn kiểm tra lại nhé."
            )
    elif weekday is not None:
        day = _weekday_date(weekday, week.group(1) if week else None, today)
    elif week is not None:
        raise DateParseError(f"Bạn ghi «tuần {week.group(1)}» nhưng chưa ghi thứ mấy. {EXAMPLES}")
    elif relative is not None:
        day = _relative_date(relative.group(0), today)

    leftover = _FILLER.sub(" ", rest)
    if re.search(r"\d", leftover):
        raise DateParseError(f"Mình chưa hiểu «{text.strip()}». {EXAMPLES}")
    if day is None and clock is None:
        raise DateParseError(f"Mình chưa hiểu «{text.strip()}». {EXAMPLES}")
    if clock is None:
        assert day is not None
        raise DateParseError(
            f"Bạn chưa ghi giờ bắt đầu. Ví dụ: «{day.day}/{day.month} 8h» hoặc «{day.day}/{day.month} 14h30»."
        )
    if day is None:
        day = today
    return datetime.combine(day, time(clock.hour, clock.minute), tzinfo=tz)


def format_when(moment: datetime, tz: ZoneInfo) -> str:
    """ "Thứ Bảy, 20/12/2025 lúc 14:00" — how the bot shows a class time."""
    local = moment.astimezone(tz)
    return f"{WEEKDAY_NAMES[local.weekday()]}, {local:%d/%m/%Y} lúc {local:%H:%M}"
