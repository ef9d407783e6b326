"""Telegram throughput: updates/s through our full stack vs. a bare python-telegram-bot echo bot.

Both run long polling against the same in-process fake Bot API on 127.0.0.1, fed with N
updates from M users queued up front. A run ends when every update was answered.

    .venv/bin/python -m bench.telegram [--updates 2000] [--users 100] [--echo]

`--echo` forces the echo handler in our stack (measures the adapter alone).
The fake server shares the process (and CPU) with the bot in both runs, so the ratio is fair
but the absolute rates are lower than against a server on another core.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.channels.telegram import TelegramChannel
from bot.engine.events import Incoming, Reply
from tests.fakes.telegram_server import DEFAULT_TOKEN, FakeTelegramServer

Handler = Callable[[Incoming], Awaitable[list[Reply]]]
TEXTS = ["/start", "xin chào", "cai vneid", "1", "thanh toan qr", "2", "an toàn số", "menu"]
SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument", "editMessageText")


async def echo_handler(incoming: Incoming) -> list[Reply]:
    return [Reply(f"Bạn vừa gửi: {incoming.text or incoming.payload}")]


# ----------------------------------------------------------------------------------------------
# REAL ENGINE: the lead can adapt this one function if bot.runtime changes.
# It must return (handler, close) or raise; on failure the bench falls back to the echo handler.
# ----------------------------------------------------------------------------------------------
async def real_engine_handler(workdir: Path) -> tuple[Handler, Callable[[], Awaitable[None]]]:
    """The real engine (bot.runtime.Runtime) on a fresh SQLite file database in `workdir`."""
    from bot.config import Settings
    from bot.runtime import Runtime

    settings = Settings(database_url=f"sqlite+aiosqlite:///{workdir / 'bench.db'}")  # type: ignore[call-arg]
    runtime = await Runtime.create(settings)
    return runtime.handle, runtime.close


async def _wait_answered(tg: FakeTelegramServer, expected_sends: Callable[[], int], handled: Callable[[], int],
                         total: int, timeout: float) -> int:
    """Wait until all `total` updates were handled and their replies sent, or `timeout` passed.
    Returns how many updates were handled (fewer than `total` if the time ran out)."""
    deadline = time.monotonic() + timeout
    while True:
        sends = sum(tg.ok_counts[m] for m in SEND_METHODS)
        if handled() >= total and sends >= expected_sends():
            return total
        if time.monotonic() > deadline:
            return handled()
        await asyncio.sleep(0.01)


def _queue_updates(tg: FakeTelegramServer, updates: int, users: int) -> None:
    for i in range(updates):
        tg.push_message(900_000 + i % users, TEXTS[(i // users) % len(TEXTS)], first_name="Bench")


async def run_ours(
    updates: int, users: int, handler: Handler, workdir: Path, timeout: float,
) -> tuple[float, int]:
    """Updates/s through TelegramChannel (per-user ordering, rendering, retries) + `handler`."""
    handled = 0
    replies = 0

    async def counting(incoming: Incoming) -> list[Reply]:
        nonlocal handled, replies
        result = await handler(incoming)
        handled += 1
        replies += len(result)
        return result

    async with FakeTelegramServer() as tg:
        _queue_updates(tg, updates, users)
        channel = TelegramChannel(
            DEFAULT_TOKEN, counting, _ignore_blocked, workdir, base_url=tg.base_url, overall_rate=None,
            poll_timeout=1, typing_delay=5.0,
        )
        start = time.monotonic()
        await channel.start_polling()
        try:
            done = await _wait_answered(tg, lambda: replies, lambda: handled, updates, timeout)
            elapsed = time.monotonic() - start
        finally:
            await channel.stop()
    return done / elapsed, done


async def run_bare_ptb(updates: int, users: int, timeout: float) -> tuple[float, int]:
    """Updates/s of the simplest PTB echo bot (same concurrency and pool, no rate limiter): the ceiling."""
    handled = 0

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        nonlocal handled
        assert update.message is not None
        await update.message.reply_text(f"Bạn vừa gửi: {update.message.text}")
        handled += 1

    async with FakeTelegramServer() as tg:
        _queue_updates(tg, updates, users)
        app = (
            ApplicationBuilder().token(DEFAULT_TOKEN).base_url(f"{tg.base_url}/bot")
            .concurrent_updates(64).connection_pool_size(64).job_queue(None).build()
        )
        app.add_handler(MessageHandler(filters.TEXT, echo))
        start = time.monotonic()
        await app.initialize()
        assert app.updater is not None
        await app.updater.start_polling(timeout=1)
        await app.start()
        try:
            done = await _wait_answered(tg, lambda: handled, lambda: handled, updates, timeout)
            elapsed = time.monotonic() - start
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()
    return done / elapsed, done


async def _ignore_blocked(channel: str, user_id: str) -> None:
    return None


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=1500)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--echo", action="store_true", help="use the echo handler instead of the real engine")
    parser.add_argument(
        "--timeout", type=float, default=20.0, help="seconds per run; a run cut short reports the rate so far",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    async with AsyncExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-telegram-")))
        handler: Handler = echo_handler
        label = "echo handler"
        if not args.echo:
            try:
                handler, close = await real_engine_handler(workdir)
                stack.push_async_callback(close)
                label = "real engine (bot.runtime, SQLite file DB)"
            except Exception as exc:
                print(f"NOTE: real engine unavailable ({type(exc).__name__}: {exc}); using the echo handler")
        print(f"{args.updates} updates from {args.users} users, long polling against the fake Bot API")
        ours, done = await run_ours(args.updates, args.users, handler, workdir, args.timeout)
        print(f"  our stack, {label}: {ours:8.1f} updates/s ({done}/{args.updates} answered)")
        bare, done = await run_bare_ptb(args.updates, args.users, args.timeout)
        print(f"  bare PTB echo bot (ceiling): {bare:8.1f} updates/s ({done}/{args.updates} answered)")
        print(f"  ratio ours/bare: {ours / bare:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
