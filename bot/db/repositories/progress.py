"""Lesson progress and quiz attempts."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LessonProgress, QuizAttempt


async def get(session: AsyncSession, user_id: int, lesson_id: str) -> LessonProgress | None:
    return await session.scalar(
        select(LessonProgress).where(LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson_id)
    )


async def all_for_user(session: AsyncSession, user_id: int) -> list[LessonProgress]:
    rows = await session.scalars(
        select(LessonProgress).where(LessonProgress.user_id == user_id).order_by(LessonProgress.started_at)
    )
    return list(rows)


async def latest_unfinished(session: AsyncSession, user_id: int) -> LessonProgress | None:
    return await session.scalar(
        select(LessonProgress)
        .where(LessonProgress.user_id == user_id, LessonProgress.completed_at.is_(None))
        .order_by(LessonProgress.started_at.desc(), LessonProgress.id.desc())
        .limit(1)
    )


async def attempt_count(session: AsyncSession, user_id: int, lesson_id: str) -> int:
    """How many times the user has finished this lesson's quiz."""
    query = select(func.count()).where(QuizAttempt.user_id == user_id, QuizAttempt.lesson_id == lesson_id)
    return int(await session.scalar(query) or 0)


async def completed_ids(session: AsyncSession, user_id: int) -> set[str]:
    rows = await session.scalars(
        select(LessonProgress.lesson_id).where(
            LessonProgress.user_id == user_id, LessonProgress.completed_at.is_not(None)
        )
    )
    return set(rows)


async def attempts(session: AsyncSession, user_id: int) -> list[QuizAttempt]:
    rows = await session.scalars(
        select(QuizAttempt).where(QuizAttempt.user_id == user_id).order_by(QuizAttempt.finished_at)
    )
    return list(rows)


async def count_attempts(session: AsyncSession, user_id: int) -> int:
    return await session.scalar(select(func.count()).where(QuizAttempt.user_id == user_id)) or 0
