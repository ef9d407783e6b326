"""A voice message (Reply.voice) on each channel: Telegram sendVoice with OGG/Opus through real
python-telegram-bot and the fake Bot API; the console prints a path that opens."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.console import render
from bot.messages import Button, Reply
from bot.speech import Speech, Voice
from bot.speech.encode import decode
from tests.fakes.telegram_harness import RecordingHandler, polling_channel
from tests.fakes.telegram_server import FakeTelegramServer

CONTENT = Path(__file__).resolve().parent.parent / "content"


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


@pytest.fixture(scope="module")
def voice(tmp_path_factory: pytest.TempPathFactory) -> Voice:
    return Speech(tmp_path_factory.mktemp("voice"), CONTENT).speak_now("Mã QR là một ô vuông gồm nhiều chấm đen trắng.")


async def test_telegram_gets_a_voice_message_with_the_text_as_caption(
    tg: FakeTelegramServer, tmp_path: Path, voice: Voice
) -> None:
    reply = Reply("🔊 Bước 1/7", buttons=((Button("Tiếp ▶", "n:next"),),), voice=str(voice.ogg))
    handler = RecordingHandler(lambda inc: [reply])
    async with polling_channel(tg, handler, tmp_path):
        tg.push_message(1001, "nghe")
        [call] = await tg.wait_for_calls("sendVoice", 1)
    assert call.chat_id == 1001 and call.params["caption"] == "🔊 Bước 1/7"
    assert "Tiếp ▶" in str(call.params["reply_markup"])
    assert tg.calls_for("sendMessage") == []  # one message: the voice, its caption and its buttons
    [sent] = tg.voice_files.values()
    assert sent == voice.ogg.read_bytes()  # a real voice bubble: Telegram took it as OGG/Opus
    assert decode(sent).seconds > 2


async def test_a_long_text_follows_the_voice_with_the_buttons_under_it(
    tg: FakeTelegramServer, tmp_path: Path, voice: Voice
) -> None:
    long_text = "Một câu dài để đọc. " * 80
    reply = Reply(long_text, buttons=((Button("Menu", "m:menu"),),), voice=str(voice.ogg))
    async with polling_channel(tg, RecordingHandler(lambda inc: [reply]), tmp_path):
        tg.push_message(1001, "nghe")
        [sent_voice] = await tg.wait_for_calls("sendVoice", 1)
        texts = await tg.wait_for_calls("sendMessage", 1)
    assert "caption" not in sent_voice.params
    assert "Menu" in str(texts[-1].params["reply_markup"])


def test_console_prints_the_voice_path(voice: Voice) -> None:
    shown = render(Reply("Bước 1/7", voice=str(voice.ogg)))
    assert f"  (âm thanh: {voice.ogg})" in shown.splitlines()
    assert voice.ogg.is_file()
