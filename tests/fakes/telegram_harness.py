"""Helpers to run the real TelegramChannel against the fake Bot API in tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bot.channels.telegram import TelegramChannel
from bot.messages import Incoming, Reply
from tests.fakes.telegram_server import DEFAULT_TOKEN, FakeTelegramServer

WEBHOOK_SECRET = "s3cr3t-Token_42"


class RecordingHandler:
    """An engine stand-in: records every Incoming and answers with `respond(incoming)`."""

    def __init__(self, respond: Callable[[Incoming], list[Reply]] | None = None, delay: float = 0.0) -> None:
        self.respond = respond or (lambda inc: [Reply(f"Bạn vừa gửi: {inc.text or inc.payload}")])
        self.delay = delay
        self.seen: list[Incoming] = []

    async def __call__(self, incoming: Incoming) -> list[Reply]:
        self.seen.append(incoming)
        if self.delay:
            await asyncio.sleep(self.delay)
        return self.respond(incoming)

    async def wait_seen(self, count: int, timeout: float = 5.0) -> list[Incoming]:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(self.seen) < count:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"handler saw {len(self.seen)}/{count} updates")
            await asyncio.sleep(0.005)
        return self.seen


class BlockedRecorder:
    """An `on_blocked` hook that records (channel, user_id) pairs."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    async def __call__(self, channel: str, user_id: str) -> None:
        self.calls.append((channel, user_id))


def make_channel(
    server: FakeTelegramServer, handler: Any, media_root: Path, on_blocked: Any = None, **kw: Any,
) -> TelegramChannel:
    kw.setdefault("poll_timeout", 1)
    kw.setdefault("webhook_secret", WEBHOOK_SECRET)
    return TelegramChannel(
        DEFAULT_TOKEN, handler, on_blocked or BlockedRecorder(), media_root, base_url=server.base_url, **kw,
    )


@asynccontextmanager
async def polling_channel(
    server: FakeTelegramServer, handler: Any, media_root: Path, on_blocked: Any = None, **kw: Any,
) -> AsyncIterator[TelegramChannel]:
    """A channel long-polling the fake server; stopped gracefully on exit."""
    channel = make_channel(server, handler, media_root, on_blocked, **kw)
    await channel.start_polling()
    try:
        yield channel
    finally:
        await channel.stop()
