"""Issue 15, item 9: a webhook body of the wrong shape that carries the right secret is refused with
HTTP 400 and one log line — not a 500 with a traceback — and nothing reaches the handler. The JSON
nesting depth is bounded. Telegram and Zalo, through the real adapters' webhook handlers."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.channels.telegram import SECRET_HEADER as TG_SECRET_HEADER
from bot.channels.zalo import SECRET_HEADER as ZALO_SECRET_HEADER
from bot.channels.zalo import ZaloChannel
from tests.fakes.telegram_harness import WEBHOOK_SECRET, RecordingHandler, make_channel
from tests.fakes.telegram_server import FakeTelegramServer
from tests.fakes.zalo_server import DEFAULT_TOKEN, FakeZaloServer, make_update

ZALO_SECRET = "bi-mat-webhook-123"

DEEP = "[" * 50_000 + "]" * 50_000
DEEP_OBJECT = '{"update_id": 1, "message": ' + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "}"
BAD_BODIES = {
    "null": "null",
    "array": "[1, 2, 3]",
    "string": '"xin chao"',
    "number": "42",
    "message is text": '{"update_id": 77, "message": "x"}',
    "nested 50,000 deep (array)": DEEP,
    "nested 50,000 deep (object)": DEEP_OBJECT,
    "nested 40 deep": '{"update_id": 78, "message": ' + '{"a": ' * 40 + "1" + "}" * 40 + "}",
    "not JSON": "{update_id: 1",
    "not UTF-8": b"\xff\xfe{}",
}


async def post(url: str, body: str | bytes, headers: dict[str, str]) -> tuple[int, str]:
    data = body.encode() if isinstance(body, str) else body
    async with aiohttp.ClientSession() as http, http.post(
        url, data=data, headers={"Content-Type": "application/json", **headers}
    ) as resp:
        return resp.status, await resp.text()


async def mounted(path: str, handler: Callable[[web.Request], object]) -> TestServer:
    app = web.Application(client_max_size=2 * 1024 * 1024)  # as bot/web/app.py
    app.router.add_post(path, handler)  # type: ignore[arg-type]
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    return server


def assert_one_line_each(caplog: pytest.LogCaptureFixture, logger: str, count: int) -> None:
    ours = [r for r in caplog.records if r.name.startswith(logger) and r.levelno >= logging.WARNING]
    assert len(ours) == count, [r.getMessage()[:200] for r in ours]
    assert all(r.exc_info is None for r in ours), "no traceback"
    assert all(len(r.getMessage()) < 300 for r in ours)
    others = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not others, [r.getMessage()[:200] for r in others]


@pytest.fixture
async def telegram_url(tmp_path: Path) -> AsyncIterator[tuple[str, RecordingHandler, FakeTelegramServer]]:
    async with FakeTelegramServer() as tg:
        handler = RecordingHandler()
        channel = make_channel(tg, handler, tmp_path)
        await channel.start()
        server = await mounted("/webhook/telegram", channel.webhook_handler)
        try:
            yield str(server.make_url("/webhook/telegram")), handler, tg
        finally:
            await server.close()
            await channel.stop()


async def test_telegram_webhook_refuses_bodies_of_the_wrong_shape(
    telegram_url: tuple[str, RecordingHandler, FakeTelegramServer], caplog: pytest.LogCaptureFixture
) -> None:
    url, handler, tg = telegram_url
    caplog.set_level(logging.INFO)
    for name, body in BAD_BODIES.items():
        status, text = await post(url, body, {TG_SECRET_HEADER: WEBHOOK_SECRET})
        assert status == 400, (name, status, text[:200])
    assert handler.seen == []
    assert_one_line_each(caplog, "bot.channels", len(BAD_BODIES))
    # the adapter still works afterwards
    update = tg.make_message_update(3003, "xin chào")
    assert (await post(url, json.dumps(update), {TG_SECRET_HEADER: WEBHOOK_SECRET}))[0] == 200
    assert [i.text for i in handler.seen] == ["xin chào"]


@pytest.fixture
async def zalo_url() -> AsyncIterator[tuple[str, list[str], FakeZaloServer]]:
    fake = FakeZaloServer(max_poll_wait=0.2)
    await fake.start()
    seen: list[str] = []

    async def handle(incoming):  # type: ignore[no-untyped-def]
        seen.append(incoming.text or "")
        return []

    channel = ZaloChannel(DEFAULT_TOKEN, fake.base_url, handle, None, webhook_secret=ZALO_SECRET)
    server = await mounted("/webhook/zalo", channel.webhook_handler)
    try:
        yield str(server.make_url("/webhook/zalo")), seen, fake
    finally:
        await server.close()
        await channel.stop(grace_seconds=5)
        await fake.stop()


async def test_zalo_webhook_refuses_bodies_of_the_wrong_shape(
    zalo_url: tuple[str, list[str], FakeZaloServer], caplog: pytest.LogCaptureFixture
) -> None:
    url, seen, _fake = zalo_url
    caplog.set_level(logging.INFO)
    bad = dict(BAD_BODIES)
    bad["wrapped result is text"] = '{"ok": true, "result": "x"}'
    bad["wrapped message is a list"] = '{"ok": true, "result": {"event_name": "message.text.received", "message": [1]}}'
    for name, body in bad.items():
        status, text = await post(url, body, {ZALO_SECRET_HEADER: ZALO_SECRET})
        assert status == 400, (name, status, text[:200])
    await asyncio.sleep(0.05)
    assert seen == []
    assert_one_line_each(caplog, "bot.channels", len(bad))
    good = make_update("u-lan", "xin chào", message_id="m-1")
    assert (await post(url, json.dumps({"ok": True, "result": good}), {ZALO_SECRET_HEADER: ZALO_SECRET}))[0] == 200
    for _ in range(100):
        if seen:
            break
        await asyncio.sleep(0.02)
    assert seen == ["xin chào"]
