"""Dashboard login tokens and sessions (only SHA-256 hashes are stored)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import User, WebLoginToken, WebSession


async def add_token(session: AsyncSession, token_hash: str, user_id: int, expires_at: datetime) -> None:
    session.add(WebLoginToken(token_hash=token_hash, user_id=user_id, expires_at=expires_at))
    await session.flush()


async def get_token(session: AsyncSession, token_hash: str) -> WebLoginToken | None:
    return await session.get(WebLoginToken, token_hash)


async def use_token(session: AsyncSession, token_hash: str, now: datetime) -> int | None:
    """Mark the token used if it is unused and unexpired; return its user id (atomic: one winner)."""
    result = await session.execute(
        update(WebLoginToken)
        .where(
            WebLoginToken.token_hash == token_hash,
            WebLoginToken.used_at.is_(None),
            WebLoginToken.expires_at > now,
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    return await session.scalar(select(WebLoginToken.user_id).where(WebLoginToken.token_hash == token_hash))


async def delete_expired(session: AsyncSession, now: datetime) -> None:
    await session.execute(delete(WebLoginToken).where(WebLoginToken.expires_at <= now))
    await session.execute(delete(WebSession).where(WebSession.expires_at <= now))


async def add_session(
    session: AsyncSession, session_hash: str, user_id: int, now: datetime, expires_at: datetime
) -> None:
    session.add(WebSession(session_hash=session_hash, user_id=user_id, created_at=now, expires_at=expires_at))
    await session.flush()


async def session_user(session: AsyncSession, session_hash: str, now: datetime) -> User | None:
    """The user of a live (unexpired) session."""
    stmt = (
        select(User)
        .join(WebSession, WebSession.user_id == User.id)
        .where(WebSession.session_hash == session_hash, WebSession.expires_at > now)
    )
    return await session.scalar(stmt)


async def delete_session(session: AsyncSession, session_hash: str) -> None:
    await session.execute(delete(WebSession).where(WebSession.session_hash == session_hash))
