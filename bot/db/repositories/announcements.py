"""Team announcements to residents of villages."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Announcement


async def add_announcement(session: AsyncSession, ann: Announcement) -> Announcement:
    session.add(ann)
    await session.flush()
    return ann


async def get_announcement(session: AsyncSession, ann_id: int) -> Announcement | None:
    return await session.get(Announcement, ann_id)


async def announcements_by(session: AsyncSession, author_id: int, limit: int = 5) -> list[Announcement]:
    rows = await session.scalars(
        select(Announcement).where(Announcement.author_id == author_id).order_by(Announcement.id.desc()).limit(limit)
    )
    return list(rows)
