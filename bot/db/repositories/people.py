"""Who is who: residents of villages (the audience of classes and announcements) and officials."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Role, User


async def residents_of_villages(session: AsyncSession, village_ids: Sequence[str]) -> list[User]:
    """Consented people living in these villages who have not blocked the bot."""
    if not village_ids:
        return []
    rows = await session.scalars(
        select(User).where(User.village_id.in_(list(village_ids)), User.blocked_at.is_(None)).order_by(User.id)
    )
    return list(rows)


async def count_residents_of_villages(session: AsyncSession, village_ids: Sequence[str]) -> int:
    if not village_ids:
        return 0
    return int(
        await session.scalar(
            select(func.count()).where(User.village_id.in_(list(village_ids)), User.blocked_at.is_(None))
        )
        or 0
    )


async def officials(session: AsyncSession) -> list[User]:
    rows = await session.scalars(
        select(User).where(User.role == Role.OFFICIAL, User.role_commune_id.is_not(None)).order_by(User.id)
    )
    return list(rows)
