"""Issue 15, items 2 and 10: the keys that make a redelivered update a no-op (`processed_updates`).

- They reveal no one: an HMAC (server secret) of channel, user and update id, never a platform id.
- They still catch redeliveries, across instances sharing the database (the secret is generated
  once and stored in it) and with DEDUPE_SECRET set.
- /xoadulieu removes the person's keys with their data; the scheduler purges keys older than
  DEDUPE_RETENTION_HOURS every day.
- A Zalo update without message_id is de-duplicated by a keyed hash of its content and time.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select, text

from bot.channels.zalo_updates import to_incoming
from bot.db.models import ProcessedUpdate
from bot.messages import Incoming
from bot.runtime import Runtime
from bot.scheduler import BotScheduler
from bot.services import dedupe
from tests.support.chat import Chat
from tests.support.clock import Clock


def zalo_update(user: str, text: str, message_id: str | None, date: int = 1764633600000) -> dict[str, Any]:
    message: dict[str, Any] = {
        "date": date, "text": text,
        "from": {"id": user, "display_name": "Người lạ", "is_bot": False},
        "chat": {"id": user, "chat_type": "PRIVATE"},
    }
    if message_id is not None:
        message["message_id"] = message_id
    return {"event_name": "message.text.received", "message": message}


def zalo(user: str, text: str, message_id: str | None, date: int = 1764633600000) -> Incoming:
    incoming = to_incoming(zalo_update(user, text, message_id, date))
    assert incoming is not None
    return incoming


async def all_keys(runtime: Runtime) -> list[tuple[str, str]]:
    async with runtime.sessionmaker() as session:
        rows = await session.execute(select(ProcessedUpdate.channel, ProcessedUpdate.update_id))
        return [(str(c), str(u)) for c, u in rows.all()]


async def test_a_strangers_updates_leave_no_platform_id(runtime: Runtime) -> None:
    """Item 2: someone who never agreed writes three times (one redelivered): the keys stored to
    recognise redeliveries contain neither their Zalo id nor the message ids."""
    stranger = "8112233445566778899"
    for n in (1, 2, 3):
        assert await runtime.handle(zalo(stranger, "xin chào", f"msg-{n}"))
    assert await runtime.handle(zalo(stranger, "xin chào", "msg-3")) == []  # redelivery: nothing
    keys = await all_keys(runtime)
    assert len(keys) == 3
    for channel, key in keys:
        assert channel == "zalo"
        assert stranger not in key and "msg-" not in key
        assert stranger[:6] not in key  # not even a prefix of the id
    async with runtime.sessionmaker() as session:  # nothing else about them either
        assert await session.scalar(text("SELECT count(*) FROM users")) == 0


async def test_a_second_instance_recognises_the_redelivery(runtime: Runtime) -> None:
    """Both instances of a deployment read the one secret the first start generated and stored."""
    incoming = zalo("zalo-ba-lan", "/start", "m-1")
    assert await runtime.handle(incoming)
    other = await Runtime.create(runtime.settings, clock=runtime.app_ctx.clock)
    try:
        assert other.app_ctx.dedupe_secret == runtime.app_ctx.dedupe_secret
        assert await other.handle(incoming) == []
    finally:
        await other.close()


async def test_dedupe_secret_setting_is_used_and_nothing_generated(runtime: Runtime) -> None:
    settings = runtime.settings.model_copy(update={"dedupe_secret": "đặt-bởi-người-vận-hành-123"})
    configured = await Runtime.create(settings, clock=runtime.app_ctx.clock)
    try:
        assert configured.app_ctx.dedupe_secret == "đặt-bởi-người-vận-hành-123".encode()
        assert configured.app_ctx.dedupe_secret != runtime.app_ctx.dedupe_secret
        incoming = zalo("zalo-ong-tu", "/start", "m-9")
        assert await configured.handle(incoming)
        assert await configured.handle(incoming) == []
    finally:
        await configured.close()


async def test_xoadulieu_removes_the_persons_keys_and_keeps_others(runtime: Runtime) -> None:
    chat = Chat(runtime, channel="zalo")
    await chat.onboard("zalo-ba-lan")
    await chat.onboard("zalo-ong-tu")
    before = await all_keys(runtime)
    assert len(before) == 8
    await chat.say("zalo-ba-lan", "/xoadulieu")
    await chat.tap("zalo-ba-lan", "Xóa hết")
    assert "Đã xóa toàn bộ dữ liệu" in chat.text("zalo-ba-lan")
    secret = runtime.app_ctx.dedupe_secret
    hers = dedupe.user_tag(secret, "zalo", "zalo-ba-lan")
    his = dedupe.user_tag(secret, "zalo", "zalo-ong-tu")
    after = await all_keys(runtime)
    assert not [k for _, k in after if k.startswith(hers)]  # none of hers, the last two included
    assert len([k for _, k in after if k.startswith(his)]) == 4  # his stay: he still needs them


async def test_the_scheduler_purges_old_keys_every_day(runtime: Runtime, clock: Clock) -> None:
    for n in range(3):
        assert await runtime.handle(zalo("zalo-ba-lan", "xin chào", f"old-{n}"))
    clock.advance(timedelta(hours=runtime.settings.dedupe_retention_hours + 1))
    assert await runtime.handle(zalo("zalo-ba-lan", "xin chào", "new-1"))
    scheduler = BotScheduler(runtime.sessionmaker, runtime.app_ctx, instance_id="purge-test")
    await scheduler.start()
    try:
        job = scheduler.scheduler.get_job("daily-purge")
        assert job is not None and "cron" in str(job.trigger) and "hour='3'" in str(job.trigger)
        await job.func()  # what APScheduler runs at 03:00 every day
    finally:
        await scheduler.stop()
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 1
    assert await runtime.handle(zalo("zalo-ba-lan", "xin chào", "new-1")) == []  # the recent one still counts


async def test_zalo_update_without_message_id_is_answered_once(runtime: Runtime) -> None:
    """Item 10: Zalo may omit message_id; five deliveries of one message get one answer, while the
    same words sent again later (another `date`) are a new message."""
    answers = [await runtime.handle(zalo("zalo-ba-lan", "/start", None)) for _ in range(5)]
    assert [bool(a) for a in answers] == [True, False, False, False, False]
    concurrent = await asyncio.gather(*(runtime.handle(zalo("zalo-ong-tu", "/start", None)) for _ in range(5)))
    assert sum(bool(a) for a in concurrent) == 1
    later = zalo("zalo-ba-lan", "/start", None, date=1764633600000 + 60_000)
    assert await runtime.handle(later)
    other_words = zalo("zalo-ba-lan", "/huongdan", None)
    assert await runtime.handle(other_words)
    no_date = to_incoming({"event_name": "message.text.received", "message": {
        "text": "/start", "from": {"id": "zalo-x"}, "chat": {"id": "zalo-x"}}})
    assert no_date is not None and no_date.update_id is None  # nothing to tell two sends apart: not deduped
    for _, key in await all_keys(runtime):
        assert "zalo-ba-lan" not in key and "1764633600000" not in key
