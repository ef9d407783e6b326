"""Local console chat: reads stdin line by line (works piped), prints bot messages; EOF ends.

Buttons are printed one per line as `  [N] Label`. The user answers with the number, the label,
or free text — the engine resolves numbers and labels against the buttons it last showed.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.channels.base import Handler
from bot.messages import Button, Incoming, Kind, Reply
from bot.text import clean_platform_text


def render(reply: Reply) -> str:
    """One bot message as console text."""
    lines = [f"🤖 {reply.text}"]
    if reply.image or reply.image_bytes:
        lines.append(f"  (ảnh: {reply.image or 'biểu đồ'})")
    if reply.link:
        lines.append(f"  (liên kết trong mã QR: {reply.link})")
    if reply.voice:
        lines.append(f"  (âm thanh: {reply.voice})")
    if reply.document:
        lines.append(f"  (tệp: {reply.document.filename}, {len(reply.document.content)} byte)")
    lines += [f"  [{b.number}] {b.label}" for b in reply.numbered()]
    return "\n".join(lines)


def _button_for(line: str, shown: list[Button]) -> Button | None:
    t = line.strip()
    if t.isascii() and t.isdigit():
        return next((b for b in shown if b.number == int(t)), None)
    return None


class ConsoleChannel:
    """The console as a chat channel (also a Sender, so broadcasts show up in the terminal)."""

    channel = "console"

    def __init__(self, handler: Handler, user_id: str = "console", out: TextIO | None = None) -> None:
        self.handler = handler
        self.user_id = user_id
        self.out = out or sys.stdout
        self._shown: list[Button] = []

    async def send(self, chat_id: str, reply: Reply) -> None:
        if chat_id == self.user_id:
            self._print(reply)

    def _print(self, reply: Reply) -> None:
        print(render(reply), file=self.out, flush=True)
        if reply.buttons:
            self._shown = reply.numbered()

    async def say(self, line: str) -> list[Reply]:
        """Handle one typed line; a number of a shown button is sent as that button's tap."""
        line = clean_platform_text(line)  # stdin decodes stray bytes as lone surrogates
        picked = _button_for(line, self._shown)
        if picked is not None:
            incoming = Incoming("console", self.user_id, Kind.BUTTON, payload=picked.payload)
        else:
            incoming = Incoming("console", self.user_id, Kind.TEXT, text=line.rstrip("\n"))
        replies = await self.handler(incoming)
        for reply in replies:
            self._print(reply)
        return replies

    async def run(self, stdin: TextIO | None = None) -> None:
        """Read lines until EOF. Starts the conversation with /start."""
        stdin = stdin or sys.stdin
        await self.say("/start")
        loop = asyncio.get_running_loop()
        while True:
            if stdin.isatty():
                print("> ", end="", file=self.out, flush=True)
            line = await loop.run_in_executor(None, stdin.readline)
            if not line:
                break
            if line.strip():
                await self.say(line)
