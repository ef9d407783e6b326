"""Practice tasks (tokens stored as SHA-256 hashes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import PracticeTask


async def add(
    session: AsyncSession, token_hash: str, user_id: int, lesson_id: str, kind: str, now: datetime, expires_at: datetime
) -> PracticeTask:
    task = PracticeTask(
        token_hash=token_hash, user_id=user_id, lesson_id=lesson_id, kind=kind, created_at=now, expires_at=expires_at
    )
    session.add(task)
    await session.flush()
    return task


async def by_token(session: AsyncSession, token_hash: str) -> PracticeTask | None:
    return await session.scalar(select(PracticeTask).where(PracticeTask.token_hash == token_hash))


async def mark_done(
    session: AsyncSession, task_id: int, now: datetime, commune_id: str | None, village_id: str | None
) -> bool:
    """Mark an undone, unexpired task done; True for the one caller that did it (atomic)."""
    result = await session.execute(
        update(PracticeTask)
        .where(PracticeTask.id == task_id, PracticeTask.done_at.is_(None), PracticeTask.expires_at > now)
        .values(done_at=now, commune_id=commune_id, village_id=village_id)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def done_lessons(session: AsyncSession, user_id: int) -> set[str]:
    """Lessons whose practice this person has done."""
    rows = await session.scalars(
        select(PracticeTask.lesson_id).where(PracticeTask.user_id == user_id, PracticeTask.done_at.is_not(None))
    )
    return set(rows)


async def done_people_by_village(
    session: AsyncSession, commune_id: str, since: datetime | None = None, until: datetime | None = None
) -> dict[str | None, int]:
    """Distinct people who did at least one practice, per village of a commune (where they were then)."""
    stmt = (
        select(PracticeTask.village_id, func.count(func.distinct(PracticeTask.user_id)))
        .where(PracticeTask.commune_id == commune_id, PracticeTask.done_at.is_not(None))
        .group_by(PracticeTask.village_id)
    )
    if since is not None:
        stmt = stmt.where(PracticeTask.done_at >= since)
    if until is not None:
        stmt = stmt.where(PracticeTask.done_at < until)
    return {village: int(count) for village, count in (await session.execute(stmt)).all()}
