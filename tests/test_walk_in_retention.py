"""Issue 15, item 3 (walk-ins): the names team members type for walk-in attendees are kept only
WALK_IN_NAME_RETENTION_DAYS after they were marked (the daily job drops them; the attendance count
stays), and /dulieu says what is kept about other people and why."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from bot.db.models import Attendance, Klass, Role, User
from bot.runtime import Runtime
from bot.scheduler import BotScheduler
from tests.support.chat import Chat
from tests.support.clock import Clock


async def add_walk_ins(runtime: Runtime, when_days_ago: list[int]) -> None:
    now = runtime.app_ctx.clock()
    async with runtime.sessionmaker() as session, session.begin():
        team = User(channel="console", platform_id="to-1", chat_id="to-1", consent_at=now, role=Role.TEAM,
                    role_commune_id="ha-long", role_village_ids=["ha-long-thon-3"], created_at=now, last_seen_at=now)
        session.add(team)
        await session.flush()
        for n, days in enumerate(when_days_ago):
            at = now - timedelta(days=days)
            klass = Klass(title=f"Lớp {n}", commune_id="ha-long", village_ids=["ha-long-thon-3"], place="Nhà văn hóa",
                          starts_at=at, created_by=team.id)
            session.add(klass)
            await session.flush()
            session.add(Attendance(class_id=klass.id, user_id=None, walk_in_name=f"Bà Tư {n}",
                                   village_id="ha-long-thon-3", marked_by=team.id, marked_at=at))


async def test_walk_in_names_are_dropped_after_retention(runtime: Runtime, clock: Clock) -> None:
    keep = runtime.settings.walk_in_name_retention_days
    await add_walk_ins(runtime, [keep + 5, keep + 1, keep - 1, 1])
    scheduler = BotScheduler(runtime.sessionmaker, runtime.app_ctx, instance_id="walkin-test")
    await scheduler.start()
    try:
        job = scheduler.scheduler.get_job("daily-purge")
        assert job is not None
        await job.func()
    finally:
        await scheduler.stop()
    async with runtime.sessionmaker() as session:
        names = sorted(n for n in await session.scalars(select(Attendance.walk_in_name)) if n)
        count = await session.scalar(select(func.count()).select_from(Attendance))
    assert names == ["Bà Tư 2", "Bà Tư 3"]
    assert count == 4  # the attendance still counts in the statistics


async def test_my_data_says_what_is_kept_about_others(runtime: Runtime, chat: Chat) -> None:
    await chat.onboard("ba-lan")
    await chat.say("ba-lan", "/dulieu")
    said = chat.text("ba-lan")
    assert "Về người khác" in said and f"{runtime.settings.walk_in_name_retention_days} ngày" in said
    assert "thông báo" in said
