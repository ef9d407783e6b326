"""Builds the running application from settings: database, content, engine."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app_context import AppContext
from bot.config import Settings
from bot.content.loader import load_catalog
from bot.content.places import load_places
from bot.db.migrate import upgrade_head
from bot.db.repositories import users as users_repo
from bot.db.session import create_engine, create_sessionmaker
from bot.db.types import utcnow
from bot.engine import flows  # noqa: F401  (registers every flow on the router)
from bot.engine.engine import Engine
from bot.engine.router import router
from bot.journal.delivery import ReplyJournal
from bot.messages import Incoming, Reply
from bot.observability import UPDATE_SECONDS, UPDATES, current_update
from bot.services import dedupe
from bot.services.admin_notices import tell_admins_quota
from bot.speech import Speech

log = logging.getLogger(__name__)


@dataclass
class _UserTurns:
    """One user's turn lock and how many turns hold or wait for it (dropped at zero)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    waiting: int = 0


@dataclass
class Runtime:
    """One process's shared parts. Commands open one with `open_runtime(settings)`; `serve` builds its own."""

    settings: Settings
    db: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    app_ctx: AppContext
    engine: Engine
    _user_turns: dict[tuple[str, str], _UserTurns] = field(default_factory=dict)
    journal: ReplyJournal = field(init=False)

    def __post_init__(self) -> None:
        self.journal = ReplyJournal(self.sessionmaker, self, clock=self.app_ctx.clock)

    @classmethod
    async def create(
        cls, settings: Settings, clock: Callable[[], datetime] | None = None, migrate: bool = True
    ) -> Runtime:
        """Load content (raises ContentError if invalid), migrate the database, build the engine."""
        catalog = load_catalog(settings.lessons_dir)
        places = load_places(settings.places_file)
        db = create_engine(settings.database_url)
        if migrate:
            await upgrade_head(db)
        sessionmaker = create_sessionmaker(db)
        speech = Speech(settings.voice_cache_dir, settings.content_dir, settings.voice_words_per_minute)
        now = clock or utcnow
        secret = await dedupe.load_secret(sessionmaker, settings, now())
        app_ctx = AppContext(
            settings=settings, catalog=catalog, places=places, clock=now, speech=speech, dedupe_secret=secret
        )
        return cls(settings, db, sessionmaker, app_ctx, Engine(sessionmaker, app_ctx, router))

    async def handle(self, incoming: Incoming) -> list[Reply]:
        """The channels' Handler: one turn, serialised per user within this process."""
        token = current_update.set(f"{incoming.channel}:{incoming.update_id or '-'}")
        try:
            await self.acquire_person(incoming.channel, incoming.user_id)
            try:
                with UPDATE_SECONDS.labels(incoming.channel).time():
                    replies = await self.engine.handle(incoming)
            finally:
                self.release_person(incoming.channel, incoming.user_id)
            UPDATES.labels(incoming.channel).inc()
        finally:
            current_update.reset(token)
        return replies

    async def acquire_person(self, channel: str, person: str) -> None:
        """Wait for this person's turn lock (first come, first served); `release_person` gives it back.
        The reply journal holds it while it resends what a crash left undelivered (private chats:
        the chat id is the user id)."""
        key = (channel, person)
        turns = self._user_turns.setdefault(key, _UserTurns())
        turns.waiting += 1
        try:
            await turns.lock.acquire()
        except BaseException:
            self._left(key, turns)
            raise

    def release_person(self, channel: str, person: str) -> None:
        key = (channel, person)
        turns = self._user_turns[key]
        turns.lock.release()
        self._left(key, turns)

    def _left(self, key: tuple[str, str], turns: _UserTurns) -> None:
        turns.waiting -= 1
        if turns.waiting == 0:  # nobody else holds or waits for this user's lock
            del self._user_turns[key]

    async def mark_blocked(self, channel: str, user_id: str) -> None:
        """BlockedHook for channels: the platform says this user blocked the bot."""
        async with self.sessionmaker() as session, session.begin():
            user = await users_repo.get_by_platform(session, channel, user_id)
            if user is not None:
                await users_repo.set_blocked(session, [user.id], self.app_ctx.clock())

    async def tell_admins_quota(self, channel: str) -> None:
        """QuotaHook for channels: tell the admins in chat, once a day, that `channel` is out of quota."""
        async with self.sessionmaker() as session, session.begin():
            await tell_admins_quota(session, self.app_ctx, channel, self.app_ctx.clock())

    async def close(self) -> None:
        await self.db.dispose()


@asynccontextmanager
async def open_runtime(
    settings: Settings, *, migrate: bool = True, clock: Callable[[], datetime] | None = None
) -> AsyncIterator[Runtime]:
    """The one way a command opens the application: content loaded, database migrated (unless
    `migrate=False`), engine built; the database is closed on the way out."""
    runtime = await Runtime.create(settings, clock=clock, migrate=migrate)
    try:
        yield runtime
    finally:
        await runtime.close()
