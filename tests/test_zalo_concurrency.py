"""Zalo: many people writing at once run at most `max_turns_in_flight` turns at a time (each
person's turns in order), and every one of them is answered."""

from __future__ import annotations

import asyncio

from bot.channels.zalo import ZaloChannel
from bot.messages import Incoming, Kind, Reply
from tests.fakes.zalo_server import DEFAULT_TOKEN, FakeZaloServer


async def test_a_crowd_waits_its_turn_and_everyone_is_answered() -> None:
    fake = FakeZaloServer(max_poll_wait=0.2)
    await fake.start()
    running = peak = 0

    async def handler(incoming: Incoming) -> list[Reply]:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.02)  # a turn's database work
        running -= 1
        return [Reply(f"Chào bạn {incoming.user_id}!")]

    async def on_blocked(channel: str, user_id: str) -> None:
        return None

    channel = ZaloChannel(DEFAULT_TOKEN, fake.base_url, handler, on_blocked, rate_per_second=1000.0,
                          max_turns_in_flight=8)
    try:
        for i in range(300):
            channel.dispatch(Incoming("zalo", f"z{i}", Kind.TEXT, text="xin chào", update_id=f"u{i}"))
        await fake.wait_sent(300, within=60)
    finally:
        await channel.stop(grace_seconds=5)
        await fake.stop()
    assert 1 < peak <= 8
    assert sorted(m["chat_id"] for m in fake.sent) == sorted(f"z{i}" for i in range(300))
