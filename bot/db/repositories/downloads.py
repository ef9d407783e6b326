"""One-time report download links (tokens stored as SHA-256 hashes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import DownloadLink


async def add(
    session: AsyncSession,
    token_hash: str,
    user_id: int,
    commune_id: str,
    period_key: str,
    fmt: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    session.add(
        DownloadLink(
            token_hash=token_hash,
            user_id=user_id,
            commune_id=commune_id,
            period_key=period_key,
            fmt=fmt,
            created_at=now,
            expires_at=expires_at,
        )
    )
    await session.flush()


async def by_token(session: AsyncSession, token_hash: str) -> DownloadLink | None:
    return await session.scalar(select(DownloadLink).where(DownloadLink.token_hash == token_hash))


async def use(session: AsyncSession, link_id: int, now: datetime) -> bool:
    """Mark an unused, unexpired link used; True for the one caller that did it (atomic)."""
    result = await session.execute(
        update(DownloadLink)
        .where(DownloadLink.id == link_id, DownloadLink.used_at.is_(None), DownloadLink.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]
