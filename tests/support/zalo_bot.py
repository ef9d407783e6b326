"""The Zalo Bot channel in tests: the real ZaloChannel against the fake Zalo Bot API (tests/fakes), by long
polling or by webhook, and a resident who types into it and reads what the bot sent back. Zalo has no
buttons, so the resident types the number of a choice, as the bot tells them to."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.channels.zalo import ZaloChannel
from bot.db.models import LessonProgress, User
from bot.runtime import Runtime
from tests.fakes.zalo_server import DEFAULT_TOKEN, FakeZaloServer, make_update

SECRET = "zalo-webhook-secret-1"
CHOICE = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)

Send = Callable[[dict], Awaitable[None]]


@asynccontextmanager
async def fake_zalo_bot() -> AsyncIterator[FakeZaloServer]:
    """The fake Zalo Bot API, started on 127.0.0.1 (for a test module's `fake` fixture)."""
    server = FakeZaloServer(max_poll_wait=0.2)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


class Resident:
    """Types into Zalo and reads what the bot sent back."""

    def __init__(self, fake: FakeZaloServer, send: Send, user: str) -> None:
        self.fake, self.send, self.user = fake, send, user
        self.seen = 0
        self.n = 0

    async def say(self, text: str) -> str:
        self.n += 1
        await self.send(make_update(self.user, text, message_id=f"{self.user}-{self.n}", display_name="Bà Lan"))
        return await self.read()

    async def read(self) -> str:
        """Everything the bot sent since the last read (waits until the bot goes quiet)."""
        for _ in range(500):  # until something arrived for this user
            if len(self.fake.texts_to(self.user)) > self.seen:
                break
            await asyncio.sleep(0.02)
        while True:
            count = len(self.fake.sent)
            await asyncio.sleep(0.15)
            if len(self.fake.sent) == count:
                break
        texts = self.fake.texts_to(self.user)[self.seen :]
        self.seen += len(texts)
        return "\n".join(texts)

    @staticmethod
    def number_of(text: str, label_part: str) -> str:
        last_block = text.rsplit("\n\n", 1)[-1]
        for number, label in CHOICE.findall(last_block):
            if label_part in label:
                return number
        raise AssertionError(f"no choice with {label_part!r} in:\n{text}")

    async def choose(self, text: str, label_part: str) -> str:
        return await self.say(self.number_of(text, label_part))


async def journey(runtime: Runtime, resident: Resident) -> None:
    lesson = runtime.app_ctx.catalog.lessons["vneid-kich-hoat"]
    out = await resident.say("xin chào")
    assert "Bạn đang trò chuyện với một hệ thống tự động" in out
    assert "Gõ 1, 2 hoặc 3 để chọn." in out
    out = await resident.choose(out, "Đồng ý")
    out = await resident.say("ha long")
    out = await resident.say("thon 3")
    assert "Đã lưu nơi ở của bạn: Thôn 3, Xã Hà Long." in out
    out = await resident.say("cai vneid")
    out = await resident.choose(out, lesson.title[:30])
    for _ in range(len(lesson.steps) - 1):
        out = await resident.choose(out, "Tiếp")
    assert f"Bước {len(lesson.steps)}/{len(lesson.steps)}" in out
    out = await resident.choose(out, "Làm bài kiểm tra")
    for question in lesson.quiz.questions:
        out = await resident.choose(out, question.choices[question.answer])  # shuffled: found by its label
    assert "Bạn đã hoàn thành bài" in out
    out = await resident.choose(out, "Tiến độ")
    assert f"Bạn đã hoàn thành 1/{len(runtime.app_ctx.catalog.lessons)} bài học." in out
    async with runtime.sessionmaker() as session:
        row = (await session.execute(select(LessonProgress, User).join(User))).one()
    assert row[1].channel == "zalo" and row[1].platform_id == resident.user
    assert row[0].completed_village_id == "ha-long-thon-3"


def make_channel(runtime: Runtime, fake: FakeZaloServer) -> ZaloChannel:
    return ZaloChannel(
        DEFAULT_TOKEN,
        fake.base_url,
        runtime.handle,
        runtime.mark_blocked,
        webhook_secret=SECRET,
        rate_per_second=200.0,
        poll_timeout=1,
        poll_min_interval=0.02,
        retry_base_delay=0.01,
    )


def push_to(fake: FakeZaloServer) -> Send:
    """A resident's `send` for a polling channel: the update waits in the fake's getUpdates."""

    async def push(update: dict) -> None:
        fake.push_update(update)

    return push


@asynccontextmanager
async def polling(runtime: Runtime, fake: FakeZaloServer) -> AsyncIterator[ZaloChannel]:
    """The channel long-polling the fake for the length of the block, then stopped."""
    channel = make_channel(runtime, fake)
    task = asyncio.create_task(channel.start_polling())
    try:
        yield channel
    finally:
        await channel.stop(grace_seconds=5)
        await asyncio.wait_for(task, 5)


@asynccontextmanager
async def webhook(runtime: Runtime, fake: FakeZaloServer) -> AsyncIterator[tuple[ZaloChannel, str]]:
    """The channel's webhook served on 127.0.0.1 for the length of the block; yields it and its URL."""
    channel = make_channel(runtime, fake)
    app = web.Application()
    app.router.add_post("/webhook/zalo", channel.webhook_handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield channel, str(server.make_url("/webhook/zalo"))
    finally:
        await server.close()
        await channel.stop(grace_seconds=5)


def post_to(fake: FakeZaloServer, url: str) -> Send:
    """A resident's `send` for a webhook: the fake posts the update with the right secret; it must be taken."""

    async def post(update: dict) -> None:
        status, _ = await fake.post_webhook(url, update, secret=SECRET)
        assert status == 200

    return post
