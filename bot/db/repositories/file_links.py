"""One-time file links (tokens stored as SHA-256 hashes; the file's bytes in the row until it is used)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import FileLink


async def add(
    session: AsyncSession, token_hash: str, user_id: int, filename: str, mime_type: str, content: bytes,
    now: datetime, expires_at: datetime,
) -> None:
    session.add(FileLink(token_hash=token_hash, user_id=user_id, filename=filename, mime_type=mime_type,
                         content=content, created_at=now, expires_at=expires_at))
    await session.flush()


async def by_token(session: AsyncSession, token_hash: str) -> FileLink | None:
    return await session.scalar(select(FileLink).where(FileLink.token_hash == token_hash))


async def take(session: AsyncSession, link_id: int, now: datetime) -> bool:
    """Delete an unexpired link; True for the one caller that did it (atomic: the file goes once)."""
    result = await session.execute(
        delete(FileLink).where(FileLink.id == link_id, FileLink.expires_at > now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    result = await session.execute(delete(FileLink).where(FileLink.expires_at <= now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
