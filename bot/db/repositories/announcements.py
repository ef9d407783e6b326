"""Team announcements to residents of villages."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Announcement, OutboxMessage


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


async def image_paths_by(session: AsyncSession, author_id: int) -> list[str]:
    rows = await session.scalars(
        select(Announcement.image_path).where(Announcement.author_id == author_id, Announcement.image_path.is_not(None))
    )
    return [str(p) for p in rows]


async def forget_images(session: AsyncSession, paths: Collection[str]) -> None:
    """No announcement or outbox row refers to these files any more (a pending send goes as text)."""
    if not paths:
        return
    for model in (Announcement, OutboxMessage):
        await session.execute(
            update(model).where(model.image_path.in_(list(paths))).values(image_path=None)
            .execution_options(synchronize_session=False)
        )


async def image_paths_in_use(session: AsyncSession) -> set[str]:
    """Every photo an announcement or an outbox row still refers to."""
    used: set[str] = set()
    for model in (Announcement, OutboxMessage):
        used |= {str(p) for p in await session.scalars(select(model.image_path).where(model.image_path.is_not(None)))}
    return used

