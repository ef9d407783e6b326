"""A resident's whole journey on Zalo: the real engine behind the real ZaloChannel, against the fake
Zalo Bot API on 127.0.0.1, once by long polling and once by webhook. Zalo has no buttons, so the
resident types the number of a choice, as the bot tells them to."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.channels.zalo import ZaloChannel
from bot.db.models import LessonProgress, User
from bot.runtime import Runtime
from tests.fakes.zalo_server import DEFAULT_TOKEN, FakeZaloServer, make_update

SECRET = "zalo-webhook-secret-1"
CHOICE = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeZaloServer]:
    server = FakeZaloServer(max_poll_wait=0.2)
    await server.start()
    yield server
    await server.stop()


class Resident:
    """Types into Zalo and reads what the bot sent back."""

    def __init__(self, fake: FakeZaloServer, send: Callable[[dict], Awaitable[None]], user: str) -> None:
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


async def test_journey_by_long_polling(runtime: Runtime, fake: FakeZaloServer) -> None:
    channel = make_channel(runtime, fake)
    task = asyncio.create_task(channel.start_polling())

    async def push(update: dict) -> None:
        fake.push_update(update)

    try:
        await journey(runtime, Resident(fake, push, "zalo-ba-lan"))
    finally:
        await channel.stop(grace_seconds=5)
        await asyncio.wait_for(task, 5)


@pytest.mark.parametrize("secret", [None, "sai-bi-mat"])
async def test_webhook_without_right_secret_is_refused(
    runtime: Runtime, fake: FakeZaloServer, secret: str | None
) -> None:
    channel = make_channel(runtime, fake)
    app = web.Application()
    app.router.add_post("/webhook/zalo", channel.webhook_handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        status, _ = await fake.post_webhook(
            str(server.make_url("/webhook/zalo")), make_update("x", "/start"), secret=secret
        )
        assert status == 401
        await asyncio.sleep(0.3)
        assert fake.sent == []
    finally:
        await server.close()
        await channel.stop(grace_seconds=5)


async def test_journey_by_webhook_and_redelivery_is_processed_once(runtime: Runtime, fake: FakeZaloServer) -> None:
    channel = make_channel(runtime, fake)
    app = web.Application()
    app.router.add_post("/webhook/zalo", channel.webhook_handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/webhook/zalo"))

    async def post(update: dict) -> None:
        status, _ = await fake.post_webhook(url, update, secret=SECRET)
        assert status == 200

    try:
        resident = Resident(fake, post, "zalo-ong-ba")
        await journey(runtime, resident)
        # Zalo redelivers the last message (same message id): nothing more is sent, nothing changes.
        sent_before = len(fake.sent)
        await post(make_update(resident.user, "1", message_id=f"{resident.user}-{resident.n}"))
        await asyncio.sleep(0.5)
        assert len(fake.sent) == sent_before
    finally:
        await server.close()
        await channel.stop(grace_seconds=5)


async def test_voice_unsupported_and_group_messages_get_kind_answers_and_groups_store_nothing(
    runtime: Runtime, fake: FakeZaloServer
) -> None:
    from bot.db.models import ProcessedUpdate
    from bot.engine import texts

    channel = make_channel(runtime, fake)
    task = asyncio.create_task(channel.start_polling())

    async def push(update: dict) -> None:
        fake.push_update(update)

    try:
        # A group mention: a short private-only notice; nothing about anyone is stored.
        fake.push_update(make_update("zalo-nhom", "@Bot hoc vneid", chat_id="nhom-thon-3", chat_type="GROUP"))
        await fake.wait_sent(1)
        assert fake.texts_to("nhom-thon-3")[0].startswith("Xin chào! Mình chỉ trả lời tin nhắn riêng")
        async with runtime.sessionmaker() as session:
            assert list(await session.scalars(select(User))) == []
            assert list(await session.scalars(select(ProcessedUpdate))) == []

        resident = Resident(fake, push, "zalo-ong-tu")
        await resident.say("xin chào")
        out = await resident.say("1")  # consents
        fake.push_update(make_update(resident.user, voice="https://voice.zdn.vn/abc.aac", message_id="v-1"))
        out = await resident.read()
        spoken = texts.VOICE_NOT_UNDERSTOOD.replace("gõ số hoặc bấm nút", "gõ số")  # «bấm» reads «gõ số» on Zalo
        assert spoken in out
        assert re.search(r"^1\. ", out, re.MULTILINE) and re.search(r"^Gõ .*chọn\.$", out, re.MULTILINE)
        fake.push_update(make_update(resident.user, event="message.unsupported.received", message_id="u-1"))
        out = await resident.read()
        assert spoken in out
        assert re.search(r"^1\. ", out, re.MULTILINE) and re.search(r"^Gõ .*chọn\.$", out, re.MULTILINE)
    finally:
        await channel.stop(grace_seconds=5)
        await asyncio.wait_for(task, 5)
