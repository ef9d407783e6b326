"""Completion certificates."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Certificate


async def for_user(session: AsyncSession, user_id: int) -> Certificate | None:
    return await session.scalar(select(Certificate).where(Certificate.user_id == user_id))


async def by_code(session: AsyncSession, code: str) -> Certificate | None:
    return await session.scalar(select(Certificate).where(Certificate.code == code))
