"""Telegram webhook endpoint and the broadcast `Sender.send` path, against the fake Bot API."""

from __future__ import annotations

import asyncio
import json
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from telegram import Bot
from telegram.error import TimedOut

from bot.channels.base import PermanentFailure, RecipientBlocked, RetryLater
from bot.channels.telegram import SECRET_HEADER, TelegramChannel
from bot.channels.telegram_request import AiohttpRequest
from bot.messages import Button, Reply
from tests.fakes.telegram_harness import WEBHOOK_SECRET, RecordingHandler, make_channel
from tests.fakes.telegram_server import DEFAULT_TOKEN, FakeTelegramServer


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


@pytest.fixture
async def handler() -> RecordingHandler:
    return RecordingHandler()


@pytest.fixture
async def channel(tg: FakeTelegramServer, handler: RecordingHandler, tmp_path: Path) -> AsyncIterator[TelegramChannel]:
    channel = make_channel(tg, handler, tmp_path)
    await channel.start()
    yield channel
    await channel.stop()


@pytest.fixture
async def webhook_url(channel: TelegramChannel) -> AsyncIterator[str]:
    """The channel's webhook handler mounted in an aiohttp app on 127.0.0.1, like bot/web does."""
    app = web.Application()
    app.router.add_post("/webhook/telegram", channel.webhook_handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/webhook/telegram"))
    await server.close()


async def _post(url: str, update: dict, secret: str | None) -> int:
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    headers["Content-Type"] = "application/json"
    async with aiohttp.ClientSession() as session, session.post(url, data=json.dumps(update), headers=headers) as r:
        return r.status


async def test_webhook_with_right_secret_is_processed(
    tg: FakeTelegramServer, handler: RecordingHandler, webhook_url: str,
) -> None:
    update = tg.make_message_update(3003, "xin chào", first_name="Hùng")
    assert await _post(webhook_url, update, WEBHOOK_SECRET) == 200
    # the reply is sent before Telegram gets its 200
    assert tg.sent_texts(3003) == ["Bạn vừa gửi: xin chào"]
    assert handler.seen[0].update_id == str(update["update_id"])


@pytest.mark.parametrize("secret", [None, "", "wrong-secret", WEBHOOK_SECRET + "x"])
async def test_webhook_with_missing_or_wrong_secret_is_refused(
    tg: FakeTelegramServer, handler: RecordingHandler, webhook_url: str, secret: str | None,
) -> None:
    update = tg.make_message_update(3003, "xin chào")
    assert await _post(webhook_url, update, secret) == 401
    assert handler.seen == []
    assert tg.calls_for("sendMessage", ok=None) == []


async def test_webhook_redelivery_passes_same_update_id_twice(
    tg: FakeTelegramServer, handler: RecordingHandler, webhook_url: str,
) -> None:
    update = tg.make_message_update(3003, "học vneid")
    assert await _post(webhook_url, update, WEBHOOK_SECRET) == 200
    assert await _post(webhook_url, update, WEBHOOK_SECRET) == 200
    assert [i.update_id for i in handler.seen] == [str(update["update_id"])] * 2


async def test_webhook_rejects_garbage_body(webhook_url: str, handler: RecordingHandler) -> None:
    headers = {SECRET_HEADER: WEBHOOK_SECRET}
    async with aiohttp.ClientSession() as session, session.post(webhook_url, data=b"not json", headers=headers) as r:
        assert r.status == 400
    assert handler.seen == []


async def test_set_webhook_registers_url_and_secret(tg: FakeTelegramServer, channel: TelegramChannel) -> None:
    await channel.set_webhook("https://hocvuso.example.vn/webhook/telegram", "another_secret")
    assert tg.webhook["url"] == "https://hocvuso.example.vn/webhook/telegram"
    assert tg.webhook["secret_token"] == "another_secret"


async def test_send_delivers_text_with_buttons(tg: FakeTelegramServer, channel: TelegramChannel) -> None:
    tg.add_chat(4004)
    await channel.send("4004", Reply("Lớp học VNeID lúc 8 giờ sáng mai tại nhà văn hoá thôn.",
                                     buttons=((Button("Tôi sẽ tham gia", "class:rsvp:7"),),)))
    [call] = tg.calls_for("sendMessage")
    assert call.chat_id == 4004
    assert call.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "class:rsvp:7"


async def test_send_maps_blocked_user(tg: FakeTelegramServer, channel: TelegramChannel) -> None:
    tg.add_chat(4004)
    tg.block(4004)
    with pytest.raises(RecipientBlocked):
        await channel.send("4004", Reply("Thông báo"))


async def test_send_maps_unknown_chat_to_blocked(channel: TelegramChannel) -> None:
    with pytest.raises(RecipientBlocked):
        await channel.send("999999", Reply("Thông báo"))


async def test_send_maps_429_without_retrying(tg: FakeTelegramServer, channel: TelegramChannel) -> None:
    tg.add_chat(4004)
    tg.fail_next("sendMessage", status=429, retry_after=7)
    with pytest.raises(RetryLater) as info:
        await channel.send("4004", Reply("Thông báo"))
    assert info.value.retry_after == 7
    assert len(tg.calls_for("sendMessage", ok=None)) == 1  # the outbox decides when to retry


async def test_send_maps_server_error_to_retry_later(tg: FakeTelegramServer, channel: TelegramChannel) -> None:
    tg.add_chat(4004)
    tg.fail_next("sendMessage", status=500)
    with pytest.raises(RetryLater) as info:
        await channel.send("4004", Reply("Thông báo"))
    assert 0 < info.value.retry_after <= 10
    await channel.send("4004", Reply("Thông báo"))  # next try goes through
    assert tg.sent_texts(4004) == ["Thông báo"]


async def test_send_maps_rejected_message_to_permanent_failure(
    tg: FakeTelegramServer, channel: TelegramChannel,
) -> None:
    tg.add_chat(4004)
    too_long_payload = "x" * 65  # Telegram allows 64 bytes of callback_data
    with pytest.raises(PermanentFailure):
        await channel.send("4004", Reply("Chọn", buttons=((Button("Nút", too_long_payload),),)))


async def test_send_respects_fake_rate_limit(tg: FakeTelegramServer, channel: TelegramChannel) -> None:
    tg.add_chat(4004)
    tg.set_rate_limit(per_chat=1)
    await channel.send("4004", Reply("Một"))
    with pytest.raises(RetryLater) as info:
        await channel.send("4004", Reply("Hai"))
    assert info.value.retry_after >= 1


async def test_send_with_picture_uploads_it_with_caption_and_buttons(
    tg: FakeTelegramServer, channel: TelegramChannel, tmp_path: Path,
) -> None:
    (tmp_path / "lich.png").write_bytes(b"\x89PNG lich hoc")
    tg.add_chat(4006)
    await channel.send("4006", Reply("Lịch học tuần này", image="lich.png", buttons=((Button("Đăng ký", "cls:1"),),)))
    [photo] = tg.calls_for("sendPhoto", chat_id=4006)
    assert photo.params["caption"] == "Lịch học tuần này"
    assert photo.files["photo"].size == len(b"\x89PNG lich hoc")
    assert photo.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "cls:1"


async def test_send_when_the_api_is_unreachable_is_retry_later(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    channel = TelegramChannel(DEFAULT_TOKEN, RecordingHandler(), _no_hook, tmp_path, base_url=f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(RetryLater):
            await channel.send("4007", Reply("Thông báo"))
    finally:
        await channel.stop()


async def test_aiohttp_transport_times_out_on_a_server_that_never_answers() -> None:
    async def hang(request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", hang)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    bot = Bot(DEFAULT_TOKEN, base_url=str(server.make_url("/bot")), request=AiohttpRequest(read_timeout=0.3),
              get_updates_request=AiohttpRequest(1))
    await bot.request.initialize()  # not bot.initialize(): that would call getMe, which hangs
    started = time.monotonic()
    try:
        with pytest.raises(TimedOut):
            await bot.send_message(1, "xin chào")
    finally:
        await bot.request.shutdown()
        await server.close()
    assert time.monotonic() - started < 5


async def _no_hook(channel: str, user_id: str) -> None:
    return None
