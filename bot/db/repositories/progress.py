"""Lesson progress and quiz attempts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, Table, bindparam, case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import LessonProgress, QuizAttempt


async def get(session: AsyncSession, user_id: int, lesson_id: str) -> LessonProgress | None:
    return await session.scalar(
        select(LessonProgress).where(LessonProgress.user_id == user_id, LessonProgress.lesson_id == lesson_id)
    )


def _within(step: Any, last: Any) -> Any:
    return case((step < 0, 0), (step > last, last), else_=step)


_LAST = bindparam("last", type_=Integer)
_PROGRESS: Table = LessonProgress.__table__  # type: ignore[assignment]
# Built once (Core, not the ORM's unit of work): this runs on every lesson step.
_MOVE = (
    update(_PROGRESS)
    .where(_PROGRESS.c.user_id == bindparam("uid"), _PROGRESS.c.lesson_id == bindparam("lid"))
    .values(step=_within(_within(_PROGRESS.c.step, _LAST) + bindparam("delta", type_=Integer), _LAST))
    .returning(_PROGRESS.c.step)
)


async def move_step(session: AsyncSession, user_id: int, lesson_id: str, delta: int, last: int) -> int | None:
    """Move the saved step by `delta`, kept within 0..`last` (a step saved beyond a shortened lesson
    counts as its last), in one statement; the new step, or None if the lesson was never opened.
    The row must not be loaded in this session (it would not see the change)."""
    result = await session.execute(_MOVE, {"uid": user_id, "lid": lesson_id, "delta": delta, "last": last})
    step: int | None = result.scalar_one_or_none()
    return step


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
