"""«Luôn đọc to bài học» and voice notes on the real channels: through python-telegram-bot and the fake
Bot API a step comes as sendVoice with OGG/Opus; through the Zalo channel and the fake Zalo Bot API as
sendVoice with a public .aac URL that the web app serves (and that decodes to the spoken step)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.zalo import ZaloChannel
from bot.runtime import Runtime
from bot.speech.encode import decode
from bot.web.app import create_web_app
from tests.fakes.telegram_harness import make_channel
from tests.fakes.telegram_server import FakeTelegramServer
from tests.fakes.zalo_server import DEFAULT_TOKEN, FakeZaloServer, make_update

LESSON = "Mã QR là gì và cách trả tiền bằng mã QR"


async def quiet(count: Any) -> None:
    """Wait until `count()` has grown and then stayed the same for a second (a turn that speaks
    sends its text, then synthesizes, then sends the voice)."""
    start = count()
    for _ in range(300):
        if count() > start:
            break
        await asyncio.sleep(0.03)
    while True:
        seen = count()
        await asyncio.sleep(1.0)
        if count() == seen:
            return


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


async def test_telegram_read_aloud_sends_each_step_as_an_ogg_opus_voice(
    runtime: Runtime, tg: FakeTelegramServer
) -> None:
    channel = make_channel(tg, runtime.handle, runtime.settings.content_dir, runtime.mark_blocked)
    await channel.start_polling()
    try:
        for line in ("/start", "Đồng ý", "Hà Long", "Thôn 3", "Luôn đọc to bài học", "quet ma qr", LESSON, "Tiếp ▶"):
            tg.push_message(7101, line)
            await quiet(lambda: len([c for c in tg.calls if c.chat_id == 7101]))
        voices = tg.calls_for("sendVoice", chat_id=7101)
        assert len(voices) == 2  # step 1 and step 2, each a voice bubble with the step as its caption
        assert "Bước 1/8" in voices[0].params["caption"] and "Bước 2/8" in voices[1].params["caption"]
        assert "Tiếp ▶" in str(voices[1].params["reply_markup"])  # the buttons sit under the voice
        assert len(tg.voice_files) == 2  # Telegram took both as OGG/Opus voice messages
        for data in tg.voice_files.values():
            assert decode(data).seconds > 3

        tg.push_message(7101, None, voice={"file_id": "v1", "file_unique_id": "uv1", "duration": 2})
        await quiet(lambda: len([c for c in tg.calls if c.chat_id == 7101]))
        answer = tg.calls_for("sendVoice", chat_id=7101)[-1]
        assert "Mình chưa nghe được tin nhắn thoại" in answer.params["caption"]
        assert len(tg.voice_files) == 3
    finally:
        await channel.stop()


async def test_zalo_read_aloud_sends_an_aac_url_the_web_app_serves(runtime: Runtime) -> None:
    fake = FakeZaloServer(max_poll_wait=0.2)
    await fake.start()
    channel = ZaloChannel(
        DEFAULT_TOKEN, fake.base_url, runtime.handle, runtime.mark_blocked,
        media_base_url=f"{runtime.settings.public_base_url}/media",
        rate_per_second=200.0, poll_timeout=1, poll_min_interval=0.02, retry_base_delay=0.01,
    )
    task = asyncio.create_task(channel.start_polling())
    user = "zalo-ba-tam"
    try:
        for n, line in enumerate(["xin chào", "1", "ha long", "thon 3", "9", "quet ma qr", "1"], start=1):
            fake.push_update(make_update(user, line, message_id=f"{user}-{n}", display_name="Bà Tâm"))
            await quiet(lambda: len(fake.texts_to(user)))
        voices = [m for m in fake.sent if m["method"] == "sendVoice" and m["chat_id"] == user]
        assert len(voices) == 1, fake.sent[-3:]
        url = voices[0]["voice_url"]
        assert url.startswith(f"{runtime.settings.public_base_url}/media/voice/") and url.endswith(".aac")
        assert "Bước 1/8" in fake.texts_to(user)[-2]  # the step's text, then its voice

        fake.push_update(make_update(user, voice="https://voice.zdn.vn/abc.aac", message_id=f"{user}-v"))
        await quiet(lambda: len(fake.texts_to(user)))
        assert [m["method"] for m in fake.sent[-2:]] == ["sendMessage", "sendVoice"]
    finally:
        await channel.stop(grace_seconds=5)
        await asyncio.wait_for(task, 5)
        await fake.stop()

    async with TestClient(TestServer(create_web_app(runtime), host="127.0.0.1")) as web:
        served = await web.get(urlsplit(url).path)
        body = await served.read()
        assert served.status == 200 and served.content_type == "audio/aac"
        assert decode(body).seconds > 3  # the whole step, spoken
        assert (await web.get("/media/voice/khong-co.aac")).status == 404
