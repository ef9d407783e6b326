"""Broadcast bench: achieved send rate vs configured rate against the fake Telegram server.

    .venv/bin/python -m bench.broadcast [--rates 30 1000] [--seconds 10] [--rounds 3] [--sender ptb|raw]

For each rate the fake server runs as a subprocess with `--rate-overall RATE` (it answers 429
above it, counting arrivals in a sliding 1 s window); a fresh SQLite outbox gets RATE*SECONDS
recipients; the outbox sender sends them at the configured rate. The achieved rate is measured
at the fake, from its log of accepted messages: (messages - 1) / (last - first arrival).
Prints achieved/configured (goal >= 0.95) and the number of 429s (goal 0) per run, then the
median over `--rounds` rounds; the rates alternate within a round, so machine noise hits both.
CPU per message of the sender process and of the fake are printed too (where time goes).
`--sender ptb` (default) uses the real python-telegram-bot channel (`bot.channels.telegram`);
`--sender raw` a minimal aiohttp Bot API client, to measure the outbox and limiter alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bot.channels.base import RecipientBlocked, RetryLater
from bot.config import PROJECT_ROOT
from bot.db.migrate import upgrade_head
from bot.db.session import create_engine, create_sessionmaker
from bot.messages import Reply
from bot.outbox.pacing import ChannelLimits
from bot.outbox.sender import OutboxSender
from tests.support.outbox_worker import DEFAULT_TOKEN, no_handler, no_hook, seed_broadcast


class RawBotApiSender:
    """Just enough of the Bot API to send text (no PTB), mapping errors like the real channel."""

    channel = "telegram"

    def __init__(self, base_url: str, token: str) -> None:
        self.url = f"{base_url}/bot{token}/sendMessage"
        self.session = aiohttp.ClientSession()

    async def send(self, chat_id: str, reply: Reply) -> None:
        async with self.session.post(self.url, json={"chat_id": int(chat_id), "text": reply.text}) as resp:
            body = await resp.json()
        if resp.status == 429:
            raise RetryLater(float(body.get("parameters", {}).get("retry_after", 1)))
        if resp.status == 403:
            raise RecipientBlocked(body.get("description", ""))
        if resp.status >= 400:
            raise RetryLater(1.0, body.get("description", ""))

    async def stop(self) -> None:
        await self.session.close()


def start_fake(log: Path, rate: float) -> tuple[subprocess.Popen[str], str]:
    """The fake Bot API in its own process, logging accepted sendMessage calls, 429 above `rate`/s."""
    fake = subprocess.Popen(
        [sys.executable, "-m", "tests.fakes.telegram_server", "--port", "0", "--log", str(log), "--any-chat",
         "--rate-overall", str(rate)],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, text=True,
    )
    assert fake.stdout is not None
    return fake, fake.stdout.readline().split("listening on ", 1)[1].strip()


async def bench_one(rate: float, seconds: float, sender_kind: str, max_in_flight: int) -> dict[str, float]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-broadcast-"))
    log = tmp / "sent.jsonl"
    fake, base_url = start_fake(log, rate)
    engine = create_engine(f"sqlite+aiosqlite:///{tmp / 'bench.db'}")
    await upgrade_head(engine)
    sessionmaker = create_sessionmaker(engine)
    count = int(rate * seconds)
    await seed_broadcast(sessionmaker, count, "Thông báo thử nghiệm")
    if sender_kind == "ptb":
        from bot.channels.telegram import TelegramChannel

        channel = TelegramChannel(DEFAULT_TOKEN, no_handler, no_hook, tmp, base_url=base_url, overall_rate=None)
    else:
        channel = RawBotApiSender(base_url, DEFAULT_TOKEN)  # type: ignore[assignment]
    sender = OutboxSender(
        sessionmaker, {"telegram": channel}, {"telegram": ChannelLimits(rate, 1.0)}, "bench",
        max_in_flight=max_in_flight,
    )
    cpu_bot, cpu_fake = time.process_time(), _cpu_seconds(fake.pid)
    try:
        stats = await sender.run_until_idle()
        cpu_bot, cpu_fake = time.process_time() - cpu_bot, _cpu_seconds(fake.pid) - cpu_fake
    finally:
        await channel.stop()
        await engine.dispose()
        async with aiohttp.ClientSession() as http, http.get(f"{base_url}/_fake/calls?method=sendMessage") as resp:
            calls = await resp.json()
        fake.send_signal(signal.SIGTERM)
        fake.wait(timeout=10)
    times = sorted(json.loads(line)["t"] for line in log.read_text().splitlines())
    achieved = (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0.0
    return {
        "configured": rate, "messages": len(times), "achieved": round(achieved, 1),
        "ratio": round(achieved / rate, 3), "http_429": sum(1 for c in calls if c["status"] == 429),
        "sent": stats.sent, "peak_unmarked": stats.peak_unmarked,
        "bot_cpu_us": round(cpu_bot / max(1, len(times)) * 1e6),
        "fake_cpu_us": round(cpu_fake / max(1, len(times)) * 1e6),
    }


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process `pid` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", type=float, nargs="+", default=[30.0, 1000.0])
    parser.add_argument("--seconds", type=float, default=10.0, help="broadcast size = rate * seconds")
    parser.add_argument("--rounds", type=int, default=3, help="runs per rate (alternating); medians are reported")
    parser.add_argument("--sender", choices=["ptb", "raw"], default="ptb")
    parser.add_argument("--max-in-flight", type=int, default=32)
    args = parser.parse_args()
    results: dict[float, list[dict[str, float]]] = {rate: [] for rate in args.rates}
    for round_no in range(1, args.rounds + 1):
        for rate in args.rates:
            started = time.monotonic()
            result = asyncio.run(bench_one(rate, args.seconds, args.sender, args.max_in_flight))
            results[rate].append(result)
            print(f"  round {round_no} [{args.sender}] {rate:g}/s: achieved {result['achieved']}/s, "
                  f"ratio {result['ratio']}, 429s {result['http_429']}, {result['messages']} messages, "
                  f"peak unmarked {result['peak_unmarked']}, CPU/message: sender {result['bot_cpu_us']} us, "
                  f"fake {result['fake_cpu_us']} us, {time.monotonic() - started:.1f}s", flush=True)
    for rate, runs in results.items():
        ratio = round(statistics.median(r["ratio"] for r in runs), 3)
        errors = statistics.median(r["http_429"] for r in runs)
        verdict = "OK" if ratio >= 0.95 and errors == 0 else "BELOW GOAL"
        print(f"[{args.sender}] configured {rate:g}/s, median of {len(runs)}: "
              f"achieved {statistics.median(r['achieved'] for r in runs):.1f}/s, ratio {ratio} (goal >= 0.95), "
              f"429s {errors:g} (goal 0; per run {[r['http_429'] for r in runs]}) — {verdict}", flush=True)


if __name__ == "__main__":
    main()
