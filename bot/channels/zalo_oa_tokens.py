"""The OA's access token: cached, refreshed before it expires and again when Zalo says -216, by exactly
one instance at a time.

The store (bot/db/repositories/oa_tokens.py, injected: adapters know nothing of the database) gives the
current tokens and a *locked* view: a transaction holding a database lock, in which the row is read
again. The refresh request to Zalo happens inside that lock and its answer is saved in the same
transaction, so a second instance waiting on the lock then reads the new tokens instead of sending the
old (now dead) refresh token. Within one process an asyncio lock keeps it to one request too.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.channels.zalo_oa_api import OAuthClient

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=30)  # refresh when the access token has less than this left


class StoredTokens(Protocol):
    @property
    def access_token(self) -> str: ...
    @property
    def refresh_token(self) -> str: ...
    @property
    def access_expires_at(self) -> datetime: ...


class LockedView(Protocol):
    @property
    def tokens(self) -> StoredTokens | None: ...
    async def save_new(self, access_token: str, refresh_token: str, expires_at: datetime, now: datetime) -> None: ...


class TokenStore(Protocol):
    async def current(self) -> StoredTokens | None: ...
    def locked(self) -> AbstractAsyncContextManager[LockedView]: ...


class NotConnected(Exception):
    """No refresh token anywhere: the OA was never connected (`hocvuso zalo-oa connect`)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


class TokenKeeper:
    """`access_token()` for every call; `refresh(stale)` after a -216 with the token that was refused."""

    def __init__(
        self,
        store: TokenStore,
        oauth: OAuthClient,
        initial_refresh_token: str | None = None,
        clock: Callable[[], datetime] = _utcnow,
        margin: timedelta = REFRESH_MARGIN,
    ) -> None:
        self._store = store
        self._oauth = oauth
        self._initial = initial_refresh_token
        self._clock = clock
        self._margin = margin
        self._lock = asyncio.Lock()
        self._access: str | None = None
        self._expires_at: datetime | None = None

    def _fresh(self, expires_at: datetime | None) -> bool:
        return expires_at is not None and expires_at - self._clock() > self._margin

    async def access_token(self) -> str:
        stale = self._access  # read before awaiting: a token another task gets meanwhile is not stale
        if stale is not None and self._fresh(self._expires_at):
            return stale
        current = await self._store.current()
        if current is not None and self._fresh(current.access_expires_at):
            self._access, self._expires_at = current.access_token, current.access_expires_at
            return current.access_token
        return await self.refresh(stale=stale)

    async def refresh(self, stale: str | None) -> str:
        """A new access token, unless another task or instance already replaced `stale` with a fresh one."""
        async with self._lock:
            if self._access is not None and self._access != stale and self._fresh(self._expires_at):
                return self._access
            async with self._store.locked() as view:
                tokens = view.tokens
                if tokens is not None and tokens.access_token != stale and self._fresh(tokens.access_expires_at):
                    self._access, self._expires_at = tokens.access_token, tokens.access_expires_at
                    return tokens.access_token
                refresh_token = tokens.refresh_token if tokens is not None else self._initial
                if not refresh_token:
                    raise NotConnected("no Zalo OA refresh token: run `hocvuso zalo-oa connect`")
                got = await self._oauth.refresh(refresh_token)
                now = self._clock()
                expires_at = now + timedelta(seconds=got.expires_in)
                await view.save_new(got.access_token, got.refresh_token, expires_at, now)
            log.info("zalo-oa: access token refreshed; valid until %s", expires_at.isoformat(timespec="minutes"))
            self._access, self._expires_at = got.access_token, expires_at
            return got.access_token
