"""A stand-alone outbox sender for Telegram, used by the crash test and the broadcast bench.

    python -m tests.support.outbox_worker --database-url URL --telegram-base-url http://127.0.0.1:PORT \
        [--seed 10000] [--rate 1000] [--owner crash-worker]

`--seed N` creates N Telegram recipients (chat ids 1..N) if the database has none, and
enqueues one broadcast to all of them (ref "ann:bench"; idempotent, so a restart with the
same arguments adds nothing). Then it sends until nothing is pending and prints the stats
as one JSON line.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
from dataclasses import asdict
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.migrate import upgrade_head
from bot.db.models import Role, User
from bot.db.repositories import outbox as repo
from bot.db.session import create_engine, create_sessionmaker
from bot.db.types import utcnow
from bot.messages import Incoming, Reply
from bot.outbox.pacing import ChannelLimits
from bot.outbox.sender import OutboxSender, SenderStats

BENCH_REF = "ann:bench"
DEFAULT_TOKEN = "123456789:TEST-fake-token"


async def seed_broadcast(sessionmaker: async_sessionmaker[AsyncSession], count: int, text: str) -> int:
    """Create `count` Telegram users (once) and enqueue one broadcast to them; returns rows added."""
    now = utcnow()
    async with sessionmaker() as session, session.begin():
        existing = int(await session.scalar(select(func.count()).select_from(User)) or 0)
        if existing == 0:
            rows = [
                {"channel": "telegram", "platform_id": str(i), "chat_id": str(i), "consent_at": now,
                 "created_at": now, "last_seen_at": now, "role": Role.RESIDENT.value, "role_village_ids": []}
                for i in range(1, count + 1)
            ]
            for start in range(0, len(rows), 1000):
                await session.execute(insert(User), rows[start : start + 1000])
    async with sessionmaker() as session, session.begin():
        users = list(await session.execute(select(User.id, User.channel, User.chat_id)))
        recipients = [repo.Recipient(uid, channel, chat_id) for uid, channel, chat_id in users]
        return await repo.enqueue(session, BENCH_REF, recipients, text, now)


async def no_handler(incoming: Incoming) -> list[Reply]:
    return []


async def no_hook(channel: str, user_id: str) -> None:
    return None


async def run_worker(
    database_url: str, base_url: str, token: str, rate: float, per_chat: float | None, owner: str,
    seed: int = 0, max_in_flight: int = 32, text: str = "Thông báo thử nghiệm của Tổ công nghệ số",
) -> SenderStats:
    from bot.channels.telegram import TelegramChannel  # PTB import is slow; only when sending

    engine = create_engine(database_url)
    await upgrade_head(engine)
    sessionmaker = create_sessionmaker(engine)
    if seed:
        await seed_broadcast(sessionmaker, seed, text)
    channel = TelegramChannel(
        token, no_handler, no_hook, Path(tempfile.gettempdir()), base_url=base_url, overall_rate=None
    )
    sender = OutboxSender(
        sessionmaker, {"telegram": channel}, {"telegram": ChannelLimits(rate, per_chat)}, owner,
        max_in_flight=max_in_flight,
    )
    try:
        return await sender.run_until_idle()
    finally:
        await channel.stop()
        await engine.dispose()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Send the outbox to Telegram until nothing is pending")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--telegram-base-url", required=True)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    parser.add_argument("--rate", type=float, default=30.0, help="messages per second overall")
    parser.add_argument("--per-chat", type=float, default=1.0, help="messages per second per chat")
    parser.add_argument("--owner", default="outbox-worker", help="lease owner id (same id after a restart)")
    parser.add_argument("--seed", type=int, default=0, help="create N recipients and enqueue a broadcast")
    parser.add_argument("--max-in-flight", type=int, default=32)
    args = parser.parse_args(argv)
    stats = asyncio.run(run_worker(
        args.database_url, args.telegram_base_url, args.token, args.rate, args.per_chat, args.owner,
        args.seed, args.max_in_flight,
    ))
    print(json.dumps(asdict(stats)), flush=True)


if __name__ == "__main__":
    main()
