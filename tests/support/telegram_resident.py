"""A resident on Telegram in tests: taps inline buttons and types into a chat of the fake Bot API
(tests/fakes/telegram_server.py), and reads what the bot sent or edited."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from tests.fakes.telegram_server import FakeTelegramServer

Push = Callable[[dict[str, Any]], Awaitable[None]]


class Resident:
    """Taps inline buttons and types into a Telegram chat; reads what the bot sent or edited."""

    def __init__(self, tg: FakeTelegramServer, push: Push, user_id: int) -> None:
        self.tg, self.push, self.uid = tg, push, user_id
        self.read_upto = 0

    async def _quiet(self) -> str:
        """Wait until the bot has answered and gone quiet; return the new texts."""
        for _ in range(200):
            await asyncio.sleep(0.05)
            if len(self.tg.sent_texts(self.uid)) > self.read_upto:
                break
        while True:
            count = len(self.tg.calls)
            await asyncio.sleep(0.15)
            if len(self.tg.calls) == count:
                break
        texts = self.tg.sent_texts(self.uid)
        new, self.read_upto = texts[self.read_upto :], len(texts)
        return "\n".join(new)

    async def type(self, text: str) -> str:
        await self.push(self.tg.make_message_update(self.uid, text, first_name="Lan", last_name="Nguyễn"))
        return await self._quiet()

    async def tap(self, label_part: str) -> str:
        state = self.tg.chats[self.uid]
        for message in reversed(list(state.messages.values())):
            for row in (message.get("reply_markup") or {}).get("inline_keyboard", []):
                for button in row:
                    if label_part in button["text"]:
                        update = self.tg.make_callback_update(self.uid, button["callback_data"], message["message_id"])
                        await self.push(update)
                        return await self._quiet()
        raise AssertionError(f"no button containing {label_part!r}")

