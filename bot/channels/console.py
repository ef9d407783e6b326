"""Local console chat: reads stdin line by line (works piped), prints bot messages; EOF ends.

Buttons are printed one per line as `  [N] Label` with their fixed numbers (docs/conversation.md),
and «bấm» reads «gõ số»; link and phone buttons are printed plainly («🔗 label: url», «📞 label: number»).
The user answers with the number, the label, or free text.

`as_zalo=True` (`hocvuso chat --as zalo`) prints exactly the messages a Zalo Bot resident receives
(bot.channels.zalo_render: numbered choices, the hint, 2000-character splitting, one block per
API call) and sends every line as typed text on the "zalo" channel, as Zalo does: the engine, not
the console, maps her numbers to buttons.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.channels import zalo_render
from bot.channels.base import Handler
from bot.channels.typed_wording import for_typing
from bot.messages import Button, Incoming, Kind, Reply, link_lines
from bot.text import clean_platform_text


def render(reply: Reply) -> str:
    """One bot message as console text."""
    text = for_typing(reply.text, reply.numbered())
    lines = [f"🤖 {text}", *(f"  {line}" for line in link_lines(reply, text))]
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


def render_zalo(reply: Reply, media_base_url: str | None = None) -> str:
    """One reply as the Zalo Bot messages it becomes, each on its own «🤖» block."""
    blocks = []
    for call in zalo_render.render(reply, media_base_url):
        if call.method == "sendPhoto":
            blocks.append(f"🤖 (ảnh: {call.photo})" + (f"\n{call.text}" if call.text else ""))
        else:
            blocks.append(f"🤖 {call.text}")
    if reply.voice:
        blocks.append(f"🤖 (tin nhắn thoại: {reply.voice})")
    return "\n".join(blocks)


def _button_for(line: str, shown: list[Button]) -> Button | None:
    t = line.strip()
    if t.isascii() and t.isdigit():
        return next((b for b in shown if b.number == int(t)), None)
    return None


class ConsoleChannel:
    """The console as a chat channel (also a Sender, so broadcasts show up in the terminal)."""

    channel = "console"

    def __init__(
        self,
        handler: Handler,
        user_id: str = "console",
        out: TextIO | None = None,
        as_zalo: bool = False,
        media_base_url: str | None = None,
    ) -> None:
        self.handler = handler
        self.user_id = user_id
        self.out = out or sys.stdout
        self.as_zalo = as_zalo
        self.media_base_url = media_base_url  # the Zalo channel's (serve.py): photos are sent by URL
        self.channel = "zalo" if as_zalo else "console"
        self._shown: list[Button] = []

    async def send(self, chat_id: str, reply: Reply) -> None:
        if chat_id == self.user_id:
            self._print(reply)

    def _print(self, reply: Reply) -> None:
        print(render_zalo(reply, self.media_base_url) if self.as_zalo else render(reply), file=self.out, flush=True)
        if reply.buttons:
            self._shown = reply.numbered()

    async def say(self, line: str) -> list[Reply]:
        """Handle one typed line; a number of a shown button is sent as that button's tap."""
        line = clean_platform_text(line)  # stdin decodes stray bytes as lone surrogates
        picked = None if self.as_zalo else _button_for(line, self._shown)
        if picked is not None:
            incoming = Incoming(self.channel, self.user_id, Kind.BUTTON, payload=picked.payload)
        else:
            incoming = Incoming(self.channel, self.user_id, Kind.TEXT, text=line.rstrip("\n"))
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
