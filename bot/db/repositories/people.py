"""Who is who: residents of villages (the audience of classes and announcements) and officials."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

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


async def count_oa_silent_in_villages(session: AsyncSession, village_ids: Sequence[str], since: datetime) -> int:
    """Reachable residents on the Zalo OA whose last message is older than `since` (outside Zalo's window)."""
    if not village_ids:
        return 0
    return int(
        await session.scalar(
            select(func.count()).where(
                User.village_id.in_(list(village_ids)), User.blocked_at.is_(None),
                User.channel == "zalo_oa", User.last_seen_at < since,
            )
        )
        or 0
    )


async def count_oa_silent_in_commune(session: AsyncSession, commune_id: str, since: datetime) -> int:
    """Reachable residents of a commune on the Zalo OA whose last message is older than `since`."""
    return int(
        await session.scalar(
            select(func.count()).where(
                User.commune_id == commune_id, User.blocked_at.is_(None),
                User.channel == "zalo_oa", User.last_seen_at < since,
            )
        )
        or 0
    )


async def officials(session: AsyncSession) -> list[User]:
    rows = await session.scalars(
        select(User).where(User.role == Role.OFFICIAL, User.role_commune_id.is_not(None)).order_by(User.id)
    )
    return list(rows)
