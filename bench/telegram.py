"""Telegram throughput: updates/s through our full stack vs. a bare python-telegram-bot echo bot.

Both run long polling against the same fake Bot API, which runs in its own process (so it
does not steal the bot's CPU in either measurement), fed with N updates from M users queued
up front. A run ends when every update was handled and every reply accepted by the fake.
Our stack uses our aiohttp transport for PTB (bot.channels.telegram_request); the bare echo bot
runs twice per round, on PTB's default HTTPX transport and on the same aiohttp transport, so
the ratio is printed against both ceilings. The bots alternate for `--rounds` rounds (machine
noise hits all of them); medians are printed.

    .venv/bin/python -m bench.telegram [--updates 1500] [--users 100] [--rounds 3] [--echo]
        [--database-url postgresql+asyncpg://postgres@127.0.0.1/bench_db]

`--echo` forces the echo handler in our stack (measures the adapter alone). The real engine
runs on a fresh SQLite file by default; `--database-url` points it at another (empty)
database, e.g. a throwaway PostgreSQL database you created. Each of our runs uses new users,
so every run makes them go through the same first turns.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aiohttp
from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.channels.telegram import TelegramChannel
from bot.channels.telegram_request import AiohttpRequest
from bot.config import PROJECT_ROOT
from bot.messages import Incoming, Reply
from tests.fakes.telegram_server import DEFAULT_TOKEN

Handler = Callable[[Incoming], Awaitable[list[Reply]]]
TEXTS = ["/start", "xin chào", "cai vneid", "1", "thanh toan qr", "2", "an toàn số", "menu"]
SEND_METHODS = ("sendMessage", "sendPhoto", "sendDocument", "editMessageText")
POLL_INTERVAL = 0.05  # how often the bench asks the fake for its counts


async def echo_handler(incoming: Incoming) -> list[Reply]:
    return [Reply(f"Bạn vừa gửi: {incoming.text or incoming.payload}")]


# ----------------------------------------------------------------------------------------------
# REAL ENGINE: the lead can adapt this one function if bot.runtime changes.
# It must return (handler, close) or raise; on failure the bench falls back to the echo handler.
# ----------------------------------------------------------------------------------------------
async def real_engine_handler(database_url: str) -> tuple[Handler, Callable[[], Awaitable[None]]]:
    """The real engine (bot.runtime.Runtime) on `database_url` (migrated on start)."""
    from bot.config import Settings
    from bot.runtime import Runtime

    settings = Settings(database_url=database_url)  # type: ignore[call-arg]
    runtime = await Runtime.create(settings)
    return runtime.handle, runtime.close


class FakeProcess:
    """The fake Bot API server (tests.fakes.telegram_server) in a subprocess, driven over HTTP."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.telegram_server", "--port", "0"],
            cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
        )
        assert self.proc.stdout is not None
        self.base_url = self.proc.stdout.readline().split("listening on ", 1)[1].strip()
        self.http = aiohttp.ClientSession()

    async def push_messages(self, items: list[dict[str, Any]]) -> None:
        async with self.http.post(f"{self.base_url}/_fake/updates", json=items) as resp:
            resp.raise_for_status()

    async def sends(self) -> int:
        async with self.http.get(f"{self.base_url}/_fake/counts") as resp:
            counts = await resp.json()
        return sum(int(counts.get(m, 0)) for m in SEND_METHODS)

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def close(self) -> None:
        await self.http.close()
        self.proc.terminate()
        self.proc.wait(timeout=10)


async def _wait_answered(fake: FakeProcess, sends_before: int, expected_sends: Callable[[], int],
                         handled: Callable[[], int], total: int, timeout: float) -> int:
    """Wait until all `total` updates were handled and their replies accepted, or `timeout` passed.
    Returns how many updates were handled (fewer than `total` if the time ran out)."""
    deadline = time.monotonic() + timeout
    while True:
        if handled() >= total and await fake.sends() - sends_before >= expected_sends():
            return total
        if time.monotonic() > deadline:
            return handled()
        await asyncio.sleep(POLL_INTERVAL)


async def _queue_updates(fake: FakeProcess, updates: int, users: int, first_user: int) -> None:
    items = [
        {"user_id": first_user + i % users, "text": TEXTS[(i // users) % len(TEXTS)], "first_name": "Bench"}
        for i in range(updates)
    ]
    for start in range(0, len(items), 500):
        await fake.push_messages(items[start : start + 500])


class Result:
    def __init__(self, rate: float, done: int, cpu_bot: float, cpu_fake: float) -> None:
        self.rate, self.done = rate, done
        self.bot_ms = cpu_bot / max(1, done) * 1000  # CPU per update in the bot process
        self.fake_ms = cpu_fake / max(1, done) * 1000


async def run_ours(
    fake: FakeProcess, updates: int, users: int, first_user: int, handler: Handler, workdir: Path, timeout: float,
) -> Result:
    """Updates/s through TelegramChannel (per-user ordering, rendering, retries) + `handler`."""
    handled = 0
    replies = 0

    async def counting(incoming: Incoming) -> list[Reply]:
        nonlocal handled, replies
        result = await handler(incoming)
        handled += 1
        replies += len(result)
        return result

    await _queue_updates(fake, updates, users, first_user)
    sends_before = await fake.sends()
    channel = TelegramChannel(
        DEFAULT_TOKEN, counting, _ignore_blocked, workdir, base_url=fake.base_url, overall_rate=None,
        poll_timeout=1, typing_delay=5.0,
    )
    cpu_bot, cpu_fake = time.process_time(), fake.cpu_seconds()
    start = time.monotonic()
    await channel.start_polling()
    try:
        done = await _wait_answered(fake, sends_before, lambda: replies, lambda: handled, updates, timeout)
        elapsed = time.monotonic() - start
        cpu_bot, cpu_fake = time.process_time() - cpu_bot, fake.cpu_seconds() - cpu_fake
    finally:
        await channel.stop()
    return Result(done / elapsed, done, cpu_bot, cpu_fake)


async def run_bare_ptb(
    fake: FakeProcess, updates: int, users: int, first_user: int, timeout: float, aiohttp_transport: bool = False,
) -> Result:
    """Updates/s of the simplest PTB echo bot (same concurrency and pool, no rate limiter): the ceiling.
    With `aiohttp_transport` it uses our `AiohttpRequest` (as our stack does) instead of PTB's default HTTPX."""
    handled = 0

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        nonlocal handled
        assert update.message is not None
        await update.message.reply_text(f"Bạn vừa gửi: {update.message.text}")
        handled += 1

    await _queue_updates(fake, updates, users, first_user)
    sends_before = await fake.sends()
    builder = ApplicationBuilder().token(DEFAULT_TOKEN).base_url(f"{fake.base_url}/bot").concurrent_updates(64)
    if aiohttp_transport:
        builder = builder.request(AiohttpRequest(64)).get_updates_request(AiohttpRequest(1))
    else:
        builder = builder.connection_pool_size(64)
    app = builder.job_queue(None).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    cpu_bot, cpu_fake = time.process_time(), fake.cpu_seconds()
    start = time.monotonic()
    await app.initialize()
    assert app.updater is not None
    await app.updater.start_polling(timeout=1)
    await app.start()
    try:
        done = await _wait_answered(fake, sends_before, lambda: handled, lambda: handled, updates, timeout)
        elapsed = time.monotonic() - start
        cpu_bot, cpu_fake = time.process_time() - cpu_bot, fake.cpu_seconds() - cpu_fake
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
    return Result(done / elapsed, done, cpu_bot, cpu_fake)


async def _ignore_blocked(channel: str, user_id: str) -> None:
    return None


def _line(label: str, result: Result, total: int) -> str:
    return (f"{label}: {result.rate:8.1f} updates/s ({result.done}/{total} answered; CPU per update: "
            f"bot {result.bot_ms:.2f} ms, fake {result.fake_ms:.2f} ms)")


async def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--updates", type=int, default=1500)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3, help="alternating runs of each bot; medians are reported")
    parser.add_argument("--echo", action="store_true", help="use the echo handler instead of the real engine")
    parser.add_argument("--database-url", help="database of the real engine (default: a fresh SQLite file)")
    parser.add_argument(
        "--timeout", type=float, default=30.0, help="seconds per run; a run cut short reports the rate so far",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)

    async with AsyncExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-telegram-")))
        fake = FakeProcess()
        stack.push_async_callback(fake.close)
        handler: Handler = echo_handler
        label = "echo handler"
        if not args.echo:
            url = args.database_url or f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
            try:
                handler, close = await real_engine_handler(url)
                stack.push_async_callback(close)
                label = f"real engine (bot.runtime, {url.split(':', 1)[0]})"
            except Exception as exc:
                print(f"NOTE: real engine unavailable ({type(exc).__name__}: {exc}); using the echo handler")
        print(f"{args.updates} updates from {args.users} users, long polling against the fake Bot API "
              f"(own process), {args.rounds} alternating rounds", flush=True)
        ours: list[Result] = []
        bare: list[Result] = []
        bare_aio: list[Result] = []
        for round_no in range(args.rounds):
            first_user = 900_000 + round_no * 3 * args.users
            ours.append(await run_ours(fake, args.updates, args.users, first_user, handler, workdir, args.timeout))
            print("  " + _line(f"round {round_no + 1} ours", ours[-1], args.updates), flush=True)
            bare.append(await run_bare_ptb(fake, args.updates, args.users, first_user + args.users, args.timeout))
            print("  " + _line(f"round {round_no + 1} bare PTB (HTTPX)", bare[-1], args.updates), flush=True)
            bare_aio.append(await run_bare_ptb(
                fake, args.updates, args.users, first_user + 2 * args.users, args.timeout, aiohttp_transport=True))
            print("  " + _line(f"round {round_no + 1} bare PTB (aiohttp)", bare_aio[-1], args.updates), flush=True)
        ours_rate = statistics.median(r.rate for r in ours)
        print(f"  our stack, {label} (aiohttp transport): {ours_rate:8.1f} updates/s (median)")
        for name, runs in (("PTB's default HTTPX transport", bare), ("our aiohttp transport", bare_aio)):
            bare_rate = statistics.median(r.rate for r in runs)
            ratios = [o.rate / b.rate for o, b in zip(ours, runs, strict=True)]
            print(f"  bare PTB echo bot on {name} (ceiling): {bare_rate:8.1f} updates/s (median); "
                  f"ratio ours/bare {ours_rate / bare_rate:.2f} (median per round {statistics.median(ratios):.2f}; "
                  f"goal >= 0.5)")


if __name__ == "__main__":
    asyncio.run(main())
