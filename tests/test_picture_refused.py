"""A step is never lost to a picture: when the Bot API refuses a lesson step's photo (400), the
resident still gets the step's text and buttons, and the next tap shows the next step."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest_asyncio

from bot.runtime import Runtime
from tests.fakes.telegram_harness import polling_channel
from tests.fakes.telegram_server import FakeTelegramServer

UID = 7301


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


async def _answer(tg: FakeTelegramServer, before: int) -> dict[str, Any]:
    """Wait until the bot sent or edited a message with buttons after call number `before`."""
    for _ in range(400):
        for call in tg.calls[before:]:
            if call.ok and call.chat_id == UID and (call.result or {}).get("reply_markup"):
                await asyncio.sleep(0.1)  # let the turn finish its other calls
                return dict(call.result)
        await asyncio.sleep(0.025)
    raise AssertionError("no reply with buttons")


def _button(message: dict[str, Any], label: str) -> str:
    for row in message["reply_markup"]["inline_keyboard"]:
        for button in row:
            if label in button["text"]:
                return str(button["callback_data"])
    raise AssertionError(f"no button {label!r} in {message['reply_markup']}")


async def test_refused_photo_still_shows_the_step_and_the_lesson_goes_on(
    runtime: Runtime, tg: FakeTelegramServer,
) -> None:
    lesson = runtime.app_ctx.catalog.lessons["vneid-kich-hoat"]
    pictured = next(i for i, step in enumerate(lesson.steps) if step.image)  # 0-based
    total = len(lesson.steps)
    async with polling_channel(tg, runtime.handle, runtime.settings.content_dir, runtime.mark_blocked):
        async def say(text: str) -> dict[str, Any]:
            before = len(tg.calls)
            tg.push_message(UID, text, first_name="Lan")
            return await _answer(tg, before)

        async def tap(message: dict[str, Any], label: str) -> dict[str, Any]:
            before = len(tg.calls)
            tg.push_callback(UID, _button(message, label), message["message_id"])
            return await _answer(tg, before)

        shown = await say("/start")
        shown = await tap(shown, "Đồng ý")
        shown = await tap(shown, "Hà Long")
        shown = await tap(shown, "Thôn 3")
        shown = await say("cai vneid")
        shown = await tap(shown, lesson.title[:30])
        for _ in range(pictured - 1):
            shown = await tap(shown, "Tiếp")
        tg.fail_next("sendPhoto", status=400, count=10,
                     description="Bad Request: wrong type of the web page content")
        shown = await tap(shown, "Tiếp")
        assert f"Bước {pictured + 1}/{total}" in shown["text"]
        assert lesson.steps[pictured].text.split("\n")[0] in shown["text"]
        assert tg.calls_for("sendPhoto", UID, ok=False), "the photo was tried and refused"
        shown = await tap(shown, "Tiếp")
        assert f"Bước {pictured + 2}/{total}" in shown["text"]
