"""Reminders and the monthly report with a controllable clock; leader lease between instances."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from bot.db.models import OutboxMessage, User
from bot.db.repositories import users as users_repo
from bot.runtime import Runtime
from bot.scheduler import BotScheduler, run_due
from bot.services import classes as svc
from bot.services import registration
from tests.support.clock import Clock
from tests.support.reminders import STARTS, reminder_rows, setup_class, tick


async def test_reminders_one_day_and_one_hour_before(runtime: Runtime, clock: Clock) -> None:
    class_id, people = await setup_class(runtime, clock)
    clock.now = STARTS - timedelta(hours=24, minutes=1)
    assert await tick(runtime, clock) == 0
    clock.now = STARTS - timedelta(hours=24)
    assert await tick(runtime, clock) == 2
    assert await tick(runtime, clock) == 0  # idempotent: the tick may run any number of times
    rows = await reminder_rows(runtime)
    assert {r.chat_id for r in rows} == {"r0", "r1"}
    assert "bắt đầu ngày mai" in rows[0].text and "Nhà văn hóa thôn 3" in rows[0].text

    async with runtime.sessionmaker() as session, session.begin():
        await registration.unregister(session, await session.get(User, people[1].id), class_id, clock())  # type: ignore[arg-type]
    clock.now = STARTS - timedelta(minutes=61)
    assert await tick(runtime, clock) == 0
    clock.now = STARTS - timedelta(minutes=60)
    assert await tick(runtime, clock) == 1
    rows = await reminder_rows(runtime)
    assert [r.chat_id for r in rows[2:]] == ["r0"] and "sau 1 giờ nữa" in rows[2].text


async def test_downtime_sends_only_the_latest_due_reminder_if_class_not_started(runtime: Runtime, clock: Clock) -> None:
    await setup_class(runtime, clock, residents=1)
    clock.now = STARTS - timedelta(minutes=30)  # the bot was down through both reminder moments
    assert await tick(runtime, clock) == 1
    [row] = await reminder_rows(runtime)
    assert "sau 1 giờ nữa" in row.text


async def test_no_reminder_once_the_class_started(runtime: Runtime, clock: Clock) -> None:
    await setup_class(runtime, clock, residents=1)
    clock.now = STARTS - timedelta(minutes=60)
    assert await tick(runtime, clock) == 1  # enqueued, but the sender was down until after the start
    clock.now = STARTS + timedelta(minutes=5)
    assert await tick(runtime, clock) == 0
    [row] = await reminder_rows(runtime)
    assert row.status == "expired"


async def test_blocked_users_and_cancelled_classes_get_no_reminders(runtime: Runtime, clock: Clock) -> None:
    class_id, people = await setup_class(runtime, clock)
    async with runtime.sessionmaker() as session, session.begin():
        await session.execute(update(User).where(User.id == people[0].id).values(blocked_at=clock()))
    clock.now = STARTS - timedelta(hours=24)
    assert await tick(runtime, clock) == 1
    async with runtime.sessionmaker() as session, session.begin():
        team = await session.scalar(select(User).where(User.platform_id == "team"))
        await svc.cancel_class(session, runtime.app_ctx, team, class_id, clock())
    clock.now = STARTS - timedelta(minutes=60)
    assert await tick(runtime, clock) == 0
    assert [r.status for r in await reminder_rows(runtime)] == ["cancelled"]


async def test_offsets_are_configurable(runtime: Runtime, clock: Clock) -> None:
    runtime.app_ctx.settings.reminder_offsets_minutes = [180]
    await setup_class(runtime, clock, residents=1)
    clock.now = STARTS - timedelta(minutes=181)
    assert await tick(runtime, clock) == 0
    clock.now = STARTS - timedelta(minutes=180)
    assert await tick(runtime, clock) == 1
    assert "sau 3 giờ nữa" in (await reminder_rows(runtime))[0].text


async def test_moving_a_class_moves_its_reminders(runtime: Runtime, clock: Clock) -> None:
    class_id, _ = await setup_class(runtime, clock, residents=1)
    clock.now = STARTS - timedelta(hours=24)
    assert await tick(runtime, clock) == 1
    async with runtime.sessionmaker() as session, session.begin():
        team = await session.scalar(select(User).where(User.platform_id == "team"))
        await svc.update_class(session, runtime.app_ctx, team, class_id, clock(), starts_at=STARTS + timedelta(days=2))
    assert await tick(runtime, clock) == 0  # the new time's 1-day reminder is not due yet
    clock.now = STARTS + timedelta(days=1)
    assert await tick(runtime, clock) == 1
    rows = await reminder_rows(runtime)
    assert [r.status for r in rows] == ["cancelled", "pending"]


async def test_monthly_report_on_the_10th_at_8_local(runtime: Runtime, clock: Clock) -> None:
    now = clock()
    async with runtime.sessionmaker() as session, session.begin():
        for i, commune in enumerate(("ha-long", "ha-long", "bach-ngoc")):
            u = await users_repo.create(session, "console", f"official{i}", f"official{i}", None, now)
            u.role, u.role_commune_id = "official", commune
    clock.now = datetime(2026, 12, 10, 0, 59, tzinfo=UTC)  # 07:59 local
    assert (await run_due(runtime.sessionmaker, runtime.app_ctx, clock())).reports == 0
    clock.now = datetime(2026, 12, 10, 1, 0, tzinfo=UTC)  # 08:00 local
    assert (await run_due(runtime.sessionmaker, runtime.app_ctx, clock())).reports == 3
    clock.advance(timedelta(hours=3))
    assert (await run_due(runtime.sessionmaker, runtime.app_ctx, clock())).reports == 0
    async with runtime.sessionmaker() as session:
        rows = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.ref.like("rep:%"))))
    assert {r.ref for r in rows} == {"rep:ha-long:2026-11", "rep:bach-ngoc:2026-11"}
    assert all("11/2026" in r.text for r in rows)
    clock.now = datetime(2026, 12, 12, 1, 0, tzinfo=UTC)
    assert (await run_due(runtime.sessionmaker, runtime.app_ctx, clock())).reports == 0


async def test_only_the_leader_runs_due_work_and_a_successor_takes_over(runtime: Runtime, clock: Clock) -> None:
    await setup_class(runtime, clock, residents=1)
    a = BotScheduler(runtime.sessionmaker, runtime.app_ctx, "instance-a", lease_ttl=timedelta(seconds=90))
    b = BotScheduler(runtime.sessionmaker, runtime.app_ctx, "instance-b", lease_ttl=timedelta(seconds=90))
    clock.now = STARTS - timedelta(hours=24)
    assert await a.tick() is not None
    assert await b.tick() is None and not b.is_leader
    clock.advance(timedelta(seconds=60))
    assert await a.tick() is not None  # renewed
    clock.advance(timedelta(seconds=120))  # a died: its lease expired
    result = await b.tick()
    assert result is not None and b.is_leader
    assert await a.take_lead(clock()) is False
    assert len(await reminder_rows(runtime)) == 1


async def test_jobs_are_rebuilt_from_the_database(runtime: Runtime, clock: Clock) -> None:
    await setup_class(runtime, clock, residents=1)
    sched = BotScheduler(runtime.sessionmaker, runtime.app_ctx, "instance-a")
    next_at = await sched.rebuild()
    assert next_at == STARTS - timedelta(hours=24)
    job = sched.scheduler.get_job("next-reminder")
    assert job is not None and job.trigger.run_date == STARTS - timedelta(hours=24)
