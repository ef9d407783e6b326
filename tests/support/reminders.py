"""Class reminders in tests (bot/scheduler.py): a class in Thôn 3 with registered residents, the reminder
rows of the outbox, and one scheduler tick at the test clock's time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from bot.db.models import OutboxMessage, User
from bot.db.repositories import users as users_repo
from bot.runtime import Runtime
from bot.scheduler import run_due
from bot.services import classes as svc
from bot.services import registration
from bot.services.classes import ClassDraft
from tests.support.clock import Clock

STARTS = datetime(2026, 11, 25, 1, 0, tzinfo=UTC)  # 08:00 local, 5 days after the clock's start


async def setup_class(runtime: Runtime, clock: Clock, residents: int = 2) -> tuple[int, list[User]]:
    now = clock()
    async with runtime.sessionmaker() as session, session.begin():
        team = await users_repo.create(session, "console", "team", "team", "Tổ", now)
        team.role, team.role_commune_id, team.role_village_ids = "team", "ha-long", ["ha-long-thon-3"]
        people = []
        for i in range(residents):
            u = await users_repo.create(session, "console", f"r{i}", f"r{i}", None, now)
            u.commune_id, u.village_id = "ha-long", "ha-long-thon-3"
            people.append(u)
        await session.flush()
        klass = await svc.create_class(
            session,
            runtime.app_ctx,
            team,
            ClassDraft("Dịch vụ công trực tuyến", ["ha-long-thon-3"], "Nhà văn hóa thôn 3", STARTS),
            now,
        )
        for u in people:
            await registration.register(session, u, klass.id, now)
        return klass.id, people


async def reminder_rows(runtime: Runtime) -> list[OutboxMessage]:
    async with runtime.sessionmaker() as session:
        return list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.ref.like("cr:%")).order_by(OutboxMessage.id)
            )
        )


async def tick(runtime: Runtime, clock: Clock) -> int:
    return (await run_due(runtime.sessionmaker, runtime.app_ctx, clock())).reminders

