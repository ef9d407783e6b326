"""Demo data an official can believe: learning spread over the campaign's months (no pile-up in the
last days), and every month's report agreeing with what /thongke said at the end of that month."""

from __future__ import annotations

import io
import re
import statistics
from datetime import datetime, timedelta

from openpyxl import load_workbook

import bot.engine.flows.official  # noqa: F401  (registers /thongke)
from bot.runtime import Runtime
from bot.services import periods, reports, stats
from bot.services.demo import seed_demo
from bot.services.invites import create_invite
from tests.support.chat import Chat
from tests.support.clock import Clock


async def _thongke(chat: Chat, clock: Clock, at: datetime) -> tuple[int, int, int]:
    """(lesson completions, core finishers, registered) as /thongke shows them at `at`."""
    saved = clock.now
    clock.now = at
    try:
        await chat.say("canbo", "/thongke")
    finally:
        clock.now = saved
    text = chat.text("canbo")
    done = re.search(r"Lượt hoàn thành bài học: ([\d.]+)", text)
    core = re.search(r"Hoàn thành bộ bài cốt lõi: ([\d.]+)/", text)
    registered = re.search(r"Người dân đăng ký: ([\d.]+)", text)
    assert done and core and registered, text
    return tuple(int(m.group(1).replace(".", "")) for m in (done, core, registered))  # type: ignore[return-value]


def _summary(body: bytes) -> dict[str, object]:
    ws = load_workbook(io.BytesIO(body))["Tổng hợp"]
    return {r[1]: r[3] for r in ws.iter_rows(min_row=10, values_only=True) if isinstance(r[0], int)}


async def test_every_month_of_the_demo_agrees_with_thongke(runtime: Runtime, chat: Chat, clock: Clock) -> None:
    app = runtime.app_ctx
    tz = app.settings.tz
    # the official exists before the campaign's data, so every month counts them the same way
    clock.now = clock.now - timedelta(days=200)
    await chat.onboard("canbo")
    async with runtime.sessionmaker() as session, session.begin():
        invite = await create_invite(session, app.places, "official", "ha-long", [], clock())
    await chat.say("canbo", f"/ma {invite.code}")
    clock.now = clock.now + timedelta(days=200)
    now = clock()
    async with runtime.sessionmaker() as session, session.begin():
        await seed_demo(session, app, 500, now, seed=3)

    # learning is spread over the weeks: no week holds more than twice the typical week
    async with runtime.sessionmaker() as session:
        ov = await stats.commune_overview(session, app, "ha-long", periods.all_time(now))
    full_weeks = [w.completions for w in ov.weekly[:-1]]  # the current week is not over
    assert sum(full_weeks) > 100
    assert max(full_weeks) <= 2 * statistics.median(full_weeks), full_weeks
    async with runtime.sessionmaker() as session:
        last7 = await stats.commune_overview(session, app, "ha-long", periods.last_days(now, 7), with_trend=False)
    assert last7.totals.completions <= 2 * statistics.median(full_weeks), (last7.totals.completions, full_weeks)

    first = (now - timedelta(days=150)).astimezone(tz).date().replace(day=1)
    today = now.astimezone(tz).date()
    month, months = first, []
    while month <= today:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    assert len(months) >= 5

    before = await _thongke(chat, clock, datetime.combine(first, datetime.min.time(), tzinfo=tz))
    per_month = []
    for m in months:
        period = periods.month_period(m.year, m.month, tz)
        end = min(period.end, now)
        async with runtime.sessionmaker() as session:
            ov = await stats.commune_overview(session, app, "ha-long", period, with_trend=False)
        row = _summary(reports.overview_xlsx(ov, tz, now))
        after = await _thongke(chat, clock, end)
        label = f"{m:%m/%Y}"
        assert row["Lượt hoàn thành bài học trong kỳ"] == after[0] - before[0], label
        assert row["Người hoàn thành bộ bài cốt lõi (lũy kế)"] == after[1], label
        assert row["Người dân đăng ký"] == after[2], label
        per_month.append(after[0] - before[0])
        before = after
    # every full month of the campaign has learning in it, not only the last
    assert all(n > 0 for n in per_month[1:-1]), per_month
