"""Dates and times typed the Vietnamese way: table tests and properties."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.services.dateparse import DateParseError, format_when, normalize, parse_when

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
# Wednesday 10 December 2025, 09:15 local time.
NOW = datetime(2025, 12, 10, 9, 15, tzinfo=TZ).astimezone(UTC)


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20/12 8h", local(2025, 12, 20, 8)),
        ("20/12 8h30", local(2025, 12, 20, 8, 30)),
        ("20/12 8h30p", local(2025, 12, 20, 8, 30)),
        ("8:30 ngày 20/12/2025", local(2025, 12, 20, 8, 30)),
        ("8:30 ngay 20/12/25", local(2025, 12, 20, 8, 30)),
        ("14h 20/12", local(2025, 12, 20, 14)),
        ("20-12 14 giờ", local(2025, 12, 20, 14)),
        ("thứ 7 tuần này 14h", local(2025, 12, 13, 14)),
        ("thu 7 tuan nay 14h", local(2025, 12, 13, 14)),
        ("Thứ bảy tuần này 14h", local(2025, 12, 13, 14)),
        ("thứ 2 tuần sau 7h30", local(2025, 12, 15, 7, 30)),
        ("thu hai tuan toi 7h30", local(2025, 12, 15, 7, 30)),
        ("chủ nhật 8h", local(2025, 12, 14, 8)),
        ("chu nhat 8h", local(2025, 12, 14, 8)),
        ("CN 8h", local(2025, 12, 14, 8)),
        ("thứ 4 10h", local(2025, 12, 10, 10)),  # today is a Wednesday: today's 10h
        ("mai 8h", local(2025, 12, 11, 8)),
        ("ngày mai 8 giờ sáng", local(2025, 12, 11, 8)),
        ("ngay mai 8 gio sang", local(2025, 12, 11, 8)),
        ("mai 2 giờ chiều", local(2025, 12, 11, 14)),
        ("mai 7 giờ tối", local(2025, 12, 11, 19)),
        ("mai 8 giờ rưỡi", local(2025, 12, 11, 8, 30)),
        ("hôm nay 15h", local(2025, 12, 10, 15)),
        ("ngày kia 9h", local(2025, 12, 12, 9)),
        ("ngày 20 tháng 12 lúc 8h", local(2025, 12, 20, 8)),
        ("ngày 5 tháng 1 năm 2026 lúc 8h", local(2026, 1, 5, 8)),
        ("lúc 8h sáng thứ 7 ngày 20/12", local(2025, 12, 20, 8)),
        ("5/1 8h", local(2026, 1, 5, 8)),  # no year and already past this year: next year
        ("16h", local(2025, 12, 10, 16)),  # time only: today
    ],
)
def test_accepted_forms(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW, TZ) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "chưa ghi ngày giờ"),
        ("hôm nào rảnh", "chưa hiểu"),
        ("20/12", "chưa ghi giờ"),
        ("thứ 7 tuần này", "chưa ghi giờ"),
        ("31/2 8h", "không có trong lịch"),
        ("20/13 8h", "không có trong lịch"),
        ("20/12 25h", "không hợp lệ"),
        ("20/12 8h75", "không hợp lệ"),
        ("thứ 9 8h", "Thứ 9» không có"),
        ("tuần sau 8h", "chưa ghi thứ mấy"),
        ("thứ 2 ngày 20/12/2025 8h", "là Thứ Bảy"),
        ("20/12 14 giờ sáng", "Buổi sáng"),
        ("sáng mai", "chưa ghi giờ"),
        ("12345", "chưa hiểu"),
    ],
)
def test_refused_with_a_precise_vietnamese_message(text: str, fragment: str) -> None:
    with pytest.raises(DateParseError) as err:
        parse_when(text, NOW, TZ)
    assert fragment in err.value.message


def test_past_date_is_returned_for_the_service_to_refuse() -> None:
    assert parse_when("8:30 ngày 20/11/2025", NOW, TZ) == local(2025, 11, 20, 8, 30)


moments = st.datetimes(min_value=datetime(2025, 12, 11), max_value=datetime(2027, 6, 30)).map(
    lambda d: d.replace(second=0, microsecond=0, tzinfo=TZ)
)


@given(moments)
def test_full_dates_roundtrip_in_every_style(moment: datetime) -> None:
    d, m, y, hh, mm = moment.day, moment.month, moment.year, moment.hour, moment.minute
    styles = [
        f"{d}/{m}/{y} {hh}h{mm:02d}",
        f"{hh}:{mm:02d} ngày {d}/{m}/{y}",
        f"{hh}h{mm} {d}/{m}/{y}",
        f"ngày {d} tháng {m} năm {y} lúc {hh} giờ {mm} phút",
        f"{d:02d}-{m:02d}-{y} {hh:02d}:{mm:02d}",
    ]
    for text in styles:
        assert parse_when(text, NOW, TZ) == moment, text


@given(moments)
def test_diacritics_do_not_matter(moment: datetime) -> None:
    text = f"{moment.hour} giờ {moment.minute} phút ngày {moment.day}/{moment.month}/{moment.year}"
    assert parse_when(normalize(text), NOW, TZ) == parse_when(text, NOW, TZ) == moment


@given(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1)).map(lambda d: d.replace(tzinfo=TZ)),
    st.integers(min_value=2, max_value=8),
    st.integers(min_value=0, max_value=23),
)
def test_weekday_names_land_on_that_weekday_within_a_week(now: datetime, number: int, hour: int) -> None:
    text = "chủ nhật" if number == 8 else f"thứ {number}"
    found = parse_when(f"{text} {hour}h", now, TZ)
    assert found.weekday() == number - 2
    assert 0 <= (found.date() - now.date()).days < 7
    assert found.hour == hour
    this_week = parse_when(f"{text} tuần này {hour}h", now, TZ)
    next_week = parse_when(f"{text} tuần sau {hour}h", now, TZ)
    assert next_week - this_week == timedelta(days=7)
    assert this_week.isocalendar()[:2] == now.isocalendar()[:2]


def test_format_when_is_vietnamese() -> None:
    assert format_when(local(2025, 12, 13, 14), TZ) == "Thứ Bảy, 13/12/2025 lúc 14:00"
