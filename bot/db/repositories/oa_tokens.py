"""The Zalo OA's OAuth tokens: read them, and change them under a database lock.

Two instances refreshing with the same refresh token would disconnect the commune's OA (the first
refresh kills the token the second one sends). `locked()` therefore opens a transaction that holds a
write lock on the app's row until it ends — `SELECT … FOR UPDATE` on PostgreSQL; on SQLite a
dummy UPDATE first, which takes the database's write lock as `BEGIN IMMEDIATE` would — and reads the
row again under that lock, so the caller sees a refresh another instance has just committed.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import ZaloOaToken


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    access_expires_at: datetime

    def __repr__(self) -> str:  # never show a token, not even in a traceback
        return f"Tokens(expires={self.access_expires_at.isoformat()})"


def _of(row: ZaloOaToken | None) -> Tokens | None:
    return Tokens(row.access_token, row.refresh_token, row.access_expires_at) if row is not None else None


class LockedTokens:
    """The tokens as read under the lock; `save()` replaces them in the same transaction."""

    def __init__(self, session: AsyncSession, app_id: str, tokens: Tokens | None) -> None:
        self._session = session
        self._app_id = app_id
        self.tokens = tokens

    async def save_new(self, access_token: str, refresh_token: str, expires_at: datetime, now: datetime) -> None:
        """Replace the tokens (inside the locked transaction: committed with it)."""
        tokens = Tokens(access_token, refresh_token, expires_at)
        values = {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "access_expires_at": tokens.access_expires_at,
            "refreshed_at": now,
        }
        postgres = self._session.bind is not None and self._session.bind.dialect.name == "postgresql"
        insert = pg_insert if postgres else sqlite_insert
        stmt = insert(ZaloOaToken).values(app_id=self._app_id, **values)
        await self._session.execute(stmt.on_conflict_do_update(index_elements=["app_id"], set_=values))
        await self._session.flush()
        self.tokens = tokens


class TokenStore:
    """Tokens of one OA app in the database (implements the channel's `TokenStore` protocol)."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], app_id: str) -> None:
        self._sessionmaker = sessionmaker
        self.app_id = app_id

    async def current(self) -> Tokens | None:
        async with self._sessionmaker() as session:
            return _of(await session.get(ZaloOaToken, self.app_id))

    @asynccontextmanager
    async def locked(self) -> AsyncIterator[LockedTokens]:
        """A transaction holding the app's token lock; committed when the block ends without error."""
        async with self._sessionmaker() as session, session.begin():
            stmt = select(ZaloOaToken).where(ZaloOaToken.app_id == self.app_id).execution_options(
                populate_existing=True
            )
            if session.bind is not None and session.bind.dialect.name == "postgresql":
                # The row may not exist yet (first connection): a transaction-scoped advisory lock on the
                # app id serialises that case too; FOR UPDATE then locks the row itself.
                await session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"zalo-oa:{self.app_id}"))))
                row = await session.scalar(stmt.with_for_update())
            else:
                await session.execute(
                    update(ZaloOaToken).where(ZaloOaToken.app_id == self.app_id).values(app_id=ZaloOaToken.app_id)
                )
                row = await session.scalar(stmt)
            yield LockedTokens(session, self.app_id, _of(row))

