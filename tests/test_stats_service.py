"""The statistics service against a seeded dataset whose answers are computed here, independently,
with plain Python over the generated records (no SQL)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.runtime import Runtime
from bot.services import periods, stats
from tests.support.stats_data import VN, Dataset, expected_villages, generate, in_period, store

PERIODS = {
    "all": lambda rt: periods.all_time(rt.app_ctx.clock()),
    "october": lambda rt: periods.month_period(2026, 10, rt.app_ctx.settings.tz),
    "30d": lambda rt: periods.last_days(rt.app_ctx.clock(), 30),
}


@pytest.fixture
async def seeded(runtime: Runtime) -> Dataset:
    data = generate(runtime)
    await store(runtime, data)
    return data


async def test_overview_matches_independent_count(runtime: Runtime, seeded: Dataset) -> None:
    """Every commune x period combination, on one seeded database."""
    for cid in ("ha-long", "bach-ngoc"):
        for make in PERIODS.values():
            await check_overview(runtime, seeded, cid, make(runtime))


async def check_overview(runtime: Runtime, seeded: Dataset, cid: str, period: periods.Period) -> None:
    async with runtime.sessionmaker() as session:
        ov = await stats.commune_overview(session, runtime.app_ctx, cid, period)
    exp = expected_villages(runtime, seeded, cid, period)
    commune = runtime.app_ctx.places.communes[cid]
    assert [v.id for v in ov.villages] == [v.id for v in commune.villages]
    for v, place in zip(ov.villages, commune.villages, strict=True):
        e = exp.get(v.id, Counter())
        got = (v.registered, v.active_30d, v.completions, v.core_finished, v.quiz_attempts, v.quiz_passed, v.attendance)
        want = (e["registered"], e["active"], e["completions"], e["core"], e["attempts"], e["passed"], e["attendance"])
        assert got == want, v.id
        assert v.adults == place.adults
        assert v.coverage == pytest.approx(e["core"] / place.adults)
    t = ov.totals
    assert t.registered == sum(e["registered"] for e in exp.values())
    assert t.completions == sum(e["completions"] for e in exp.values())
    assert t.core_finished == sum(e["core"] for e in exp.values())
    assert t.adults == sum(v.adults for v in commune.villages)
    assert t.coverage == pytest.approx(t.core_finished / t.adults)
    assert ov.classes == sum(
        1 for c in seeded.classes if c.commune == cid and c.status != "cancelled" and in_period(c.starts_at, period)
    )
    # completions per lesson
    per_lesson = Counter(
        d.lesson for p in seeded.people for d in p.done if d.commune == cid and in_period(d.at, period)
    )
    assert {lesson.id: lesson.completions for lesson in ov.lessons} == {
        lid: per_lesson.get(lid, 0) for lid in runtime.app_ctx.catalog.lessons
    }
    # weekly trend: Monday-based local weeks, only completions inside the period
    weekly = Counter()
    for p in seeded.people:
        for d in p.done:
            if d.commune == cid and in_period(d.at, period):
                day: date = (d.at + VN).date()
                weekly[day - timedelta(days=day.weekday())] += 1
    shown = {w.week_start: w.completions for w in ov.weekly}
    assert all(w.week_start.weekday() == 0 for w in ov.weekly)
    for week, n in weekly.items():
        if week >= min(shown):
            assert shown[week] == n, week
    assert sum(shown.values()) == sum(n for w, n in weekly.items() if w >= min(shown))


async def test_funnel_and_village_detail(runtime: Runtime, seeded: Dataset) -> None:
    cid = "ha-long"
    period = periods.all_time(runtime.app_ctx.clock())
    async with runtime.sessionmaker() as session:
        funnel = await stats.lesson_funnel(session, runtime.app_ctx, cid, period)
        village = runtime.app_ctx.places.communes[cid].villages[0].id
        detail = await stats.village_detail(session, runtime.app_ctx, cid, village, period)
    for row in funnel:
        started = sum(1 for p in seeded.people if p.commune == cid and row.lesson_id in p.started)
        done = sum(1 for p in seeded.people for d in p.done if d.commune == cid and d.lesson == row.lesson_id)
        qs = [q for q in seeded.quizzes if q.commune == cid and q.lesson == row.lesson_id]
        assert (row.started, row.completed) == (started, done)
        assert row.quiz_attempted == len({q.person for q in qs})
        assert row.quiz_passed == len({q.person for q in qs if q.passed})
        assert row.started >= row.quiz_attempted >= row.quiz_passed
    core = set(runtime.app_ctx.catalog.core_ids)
    hist = Counter(len({d.lesson for d in p.done if d.lesson in core}) for p in seeded.people if p.village == village)
    assert detail.by_core_done == [(k, hist.get(k, 0)) for k in range(len(core) + 1)]
    assert sum(n for _k, n in detail.by_core_done) == detail.stats.registered


async def test_empty_commune_has_zeros_not_errors(runtime: Runtime) -> None:
    async with runtime.sessionmaker() as session:
        ov = await stats.commune_overview(
            session, runtime.app_ctx, "thuong-hong", periods.all_time(runtime.app_ctx.clock())
        )
    assert ov.totals.registered == 0 and ov.totals.coverage == 0.0 and ov.totals.quiz_pass_rate is None
    assert len(ov.weekly) == stats.TREND_WEEKS
    assert all(w.completions == 0 for w in ov.weekly)


def test_parse_month() -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    now = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
    assert periods.parse_month("", now, tz).key == "2026-10"
    assert periods.parse_month("11", now, tz).key == "2026-11"
    assert periods.parse_month("12", now, tz).key == "2025-12"  # December 2026 has not started
    assert periods.parse_month("tháng 9", now, tz).key == "2026-09"
    assert periods.parse_month("thang 3/2025", now, tz).key == "2025-03"
    p = periods.parse_month("11/2026", now, tz)
    assert p.start == datetime(2026, 10, 31, 17, 0, tzinfo=UTC)
    assert p.end == datetime(2026, 11, 30, 17, 0, tzinfo=UTC)
    for bad in ("13", "abc", "12/2027", "0"):
        with pytest.raises(stats.UserError):
            periods.parse_month(bad, now, tz)
    # January 10th: the previous month is December of last year
    assert periods.parse_month("", datetime(2027, 1, 10, 1, tzinfo=UTC), tz).key == "2026-12"
