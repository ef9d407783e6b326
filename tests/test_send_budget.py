"""Residents first: one send budget per bot token, shared by replies and broadcasts, replies
served first; invalid rates refused at start with one line naming the setting."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bot.channels.budget import Priority, SendBudget
from bot.outbox.pacing import ChannelLimits
from bot.outbox.sender import OutboxSender
from bot.runtime import Runtime
from tests.fakes.telegram_harness import RecordingHandler, make_channel, polling_channel
from tests.fakes.telegram_server import FakeTelegramServer
from tests.support.cli import run_cli
from tests.support.outbox_worker import seed_broadcast

RESIDENT = 777_000_001


async def test_a_waiting_reply_takes_the_next_slot_before_waiting_broadcasts() -> None:
    budget = SendBudget(20)
    order: list[str] = []

    async def take(name: str, priority: Priority) -> None:
        await budget.acquire(priority)
        order.append(name)

    broadcasts = [asyncio.create_task(take(f"b{i}", Priority.BROADCAST)) for i in range(6)]
    await asyncio.sleep(0.12)  # the first broadcasts went, the others wait for their slots
    await take("reply", Priority.CONVERSATION)
    await asyncio.gather(*broadcasts)
    assert order.index("reply") <= 4, order  # the slot after the one in progress
    assert sorted(order) == sorted(["reply", *(f"b{i}" for i in range(6))])


async def test_resident_is_answered_before_the_broadcast_goes_on_and_the_platform_limit_holds(
    runtime: Runtime,
) -> None:
    rate = 10.0
    async with FakeTelegramServer(any_chat=True, overall_rate=rate) as tg:
        await seed_broadcast(runtime.sessionmaker, 40, "Thông báo: lớp học VNeID tối thứ Bảy")
        channel = make_channel(tg, runtime.handle, runtime.settings.content_dir, runtime.mark_blocked,
                               overall_rate=rate)
        sender = OutboxSender(runtime.sessionmaker, {"telegram": channel}, {"telegram": ChannelLimits(rate, 1.0)},
                              "budget-test", budgets={"telegram": channel.budget})
        stop = asyncio.Event()
        sending = asyncio.create_task(sender.run(stop))
        await channel.start_polling()
        try:
            await tg.wait_for_calls("sendMessage", 10, timeout=10)  # the broadcast is under way
            asked_at = time.monotonic()
            tg.push_message(RESIDENT, "/start", first_name="Lan")
            replies = await tg.wait_for_calls("sendMessage", 2, chat_id=RESIDENT, timeout=10)
            answered_at = replies[-1].at
            deadline = time.monotonic() + 30
            while len([c for c in tg.calls_for("sendMessage") if c.chat_id != RESIDENT]) < 40:
                assert time.monotonic() < deadline, "the broadcast stopped progressing"
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await sending
            await channel.stop()
        broadcast = [c for c in tg.calls_for("sendMessage") if c.chat_id != RESIDENT]
        in_between = [c for c in broadcast if asked_at < c.at < answered_at]
        assert len(in_between) <= 2, f"{len(in_between)} broadcast sends went before the resident's 2 replies"
        assert answered_at - asked_at < 1.0
        refused = [c for c in tg.calls if c.status == 429]
        assert refused == [], f"{len(refused)} sends over the platform's {rate:g}/s"


async def test_a_turn_under_a_second_shows_no_typing(tmp_path: Path) -> None:
    async with FakeTelegramServer() as tg:
        async with polling_channel(tg, RecordingHandler(delay=0.6), tmp_path):  # default settings
            tg.push_message(1001, "chậm một chút")
            await tg.wait_for_calls("sendMessage", 1)
        assert tg.calls_for("sendChatAction") == []


def test_a_rate_of_zero_or_below_is_refused_at_start_naming_the_setting(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'x.db'}"
    for name, value in (("TELEGRAM_RATE_OVERALL", "0"), ("ZALO_RATE_OVERALL", "-5"), ("TELEGRAM_RATE_PER_CHAT", "0")):
        result = run_cli("run", database_url=url, **{name: value})
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and name in lines[0] and "greater than 0" in lines[0], result.stderr
        assert "Traceback" not in result.stderr
