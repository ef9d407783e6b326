"""One-time invite codes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import InviteCode


async def add(session: AsyncSession, invite: InviteCode) -> None:
    session.add(invite)
    await session.flush()


async def get(session: AsyncSession, code: str) -> InviteCode | None:
    return await session.scalar(select(InviteCode).where(InviteCode.code == code))


async def mark_used(session: AsyncSession, code: str, user_id: int, now: datetime) -> bool:
    """Atomically use the code; False if someone used it first."""
    result = await session.execute(
        update(InviteCode)
        .where(InviteCode.code == code, InviteCode.used_at.is_(None))
        .values(used_at=now, used_by=user_id)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]
