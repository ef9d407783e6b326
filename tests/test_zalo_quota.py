"""Zalo's 429 "Quota exceeded" (the monthly cap) through the real outbox sender, the real ZaloChannel and
the fake Zalo Bot API: the channel pauses, nothing is retried every few seconds, no row is failed or uses
up its attempts, /healthz and /metrics show the pause, and the admins are told in chat once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.channels.zalo import ZaloChannel
from bot.db.models import OutboxMessage, Role
from bot.db.repositories import outbox as outbox_repo
from bot.db.repositories import users as users_repo
from bot.outbox.pacing import ChannelLimits
from bot.outbox.sender import OutboxSender
from bot.runtime import Runtime
from bot.services.admin_notices import QUOTA_TEXT
from bot.web.app import create_web_app
from tests.fakes.zalo_server import DEFAULT_TOKEN, FakeZaloServer
from tests.support.processes import metric


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeZaloServer]:
    server = FakeZaloServer(max_poll_wait=0.2)
    await server.start()
    yield server
    await server.stop()


async def test_out_of_quota_pauses_the_zalo_outbox_and_tells_admins_once(
    runtime: Runtime, fake: FakeZaloServer
) -> None:
    now = runtime.app_ctx.clock()
    async with runtime.sessionmaker() as session, session.begin():
        admin = await users_repo.create(session, "console", "admin-1", "admin-1", "Quản trị", now)
        admin.role = Role.ADMIN
        people = [await users_repo.create(session, "zalo", f"z{i}", f"z{i}", None, now) for i in range(6)]
        await outbox_repo.enqueue(
            session, "announcement:1", [outbox_repo.Recipient(u.id, "zalo", u.chat_id) for u in people],
            "Họp thôn tối nay lúc 19 giờ", now,
        )
    channel = ZaloChannel(
        DEFAULT_TOKEN, fake.base_url, runtime.handle, runtime.mark_blocked, rate_per_second=100.0,
        on_quota=runtime.tell_admins_quota, retry_base_delay=0.01,
    )
    fake.fail_next("sendMessage", 429, times=10_000)  # the month's 3,000 messages are used up
    sender = OutboxSender(
        runtime.sessionmaker, {"zalo": channel}, {"zalo": ChannelLimits(100.0, None)}, owner="t",
        clock=runtime.app_ctx.clock,
    )
    runtime.app_ctx.wake_outbox = sender.wakeup
    app = create_web_app(runtime, probes={"zalo": lambda: channel.running}, notes={"zalo": channel.quota.note})
    stop = asyncio.Event()
    task = asyncio.create_task(sender.run(stop))
    try:
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            await asyncio.sleep(2.0)  # a retry loop "every few seconds" would show here
            health = await (await client.get("/healthz")).json()
            metrics = await (await client.get("/metrics")).text()
    finally:
        stop.set()
        await task
        await channel.stop(grace_seconds=2)

    assert len(fake.calls_to("sendMessage")) == 1  # one 429, then the channel is paused
    assert health["ok"] is True and "quota exceeded" in health["paused"]["zalo"]
    assert metric(metrics, "hocvuso_channel_paused", 'channel="zalo"') == 1.0
    async with runtime.sessionmaker() as session:
        rows = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    announcement = [r for r in rows if r.ref == "announcement:1"]
    notices = [r for r in rows if r.ref.startswith("ops:quota:zalo:")]
    assert {r.status for r in announcement} == {"pending"}  # nothing lost, nothing failed
    assert all(r.attempts == 0 for r in announcement)
    # The refused one waits for the end of the pause (15 min); the others were never tried.
    assert max(r.next_attempt_at for r in announcement) >= now + timedelta(minutes=15) - timedelta(seconds=1)
    assert [(n.user_id, n.text) for n in notices] == [(admin.id, QUOTA_TEXT["zalo"])]

    await runtime.tell_admins_quota("zalo")  # another instance hitting the same 429 the same day
    async with runtime.sessionmaker() as session:
        again = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.ref.like("ops:quota:%"))))
    assert len(again) == 1
