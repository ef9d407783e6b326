"""Zalo screens read in tests: a person typing on the zalo channel whose every turn is read as the Zalo
messages it becomes (bot/channels/zalo_render.py), and checked — one numbered block whose hint names
exactly the numbers listed, no «bấm», nothing cut off, each link written once."""

from __future__ import annotations

import re

from bot.channels.console import render_zalo
from bot.runtime import Runtime
from tests.support.chat import Chat

CHOICE = re.compile(r"^(\d+)\. (.+)$", re.M)


HINT = re.compile(r"^Gõ (.+) để chọn\.$", re.M)


LINK = re.compile(r"https?://\S+")


class ZaloOfficial:
    """Types on the zalo channel and reads each turn as the Zalo messages it becomes."""

    def __init__(self, runtime: Runtime, user: str) -> None:
        self.chat = Chat(runtime, "zalo")
        self.user = user
        self.screens: list[str] = []

    async def say(self, line: str) -> str:
        replies = await self.chat.say(self.user, line)
        screen = "\n".join(render_zalo(r, "https://hocvuso.example/media") for r in replies)
        check_screen(screen)
        self.screens.append(screen)
        return screen


def choices(screen: str) -> dict[str, int]:
    return {label: int(n) for n, label in CHOICE.findall(screen)}


def hinted(hint: str) -> set[int]:
    """«1, 2, 3 hoặc 0», «số 1 đến 4 hoặc 0», «1, 3 đến 7, 9 hoặc 10» -> the numbers it names."""
    found: set[int] = set()
    for part in re.split(r", | hoặc ", hint.removeprefix("số ")):
        low, _, high = part.removeprefix("số ").partition(" đến ")
        found.update(range(int(low), int(high or low) + 1))
    return found


def check_screen(screen: str) -> None:
    assert "bấm" not in screen.lower(), screen
    hints = HINT.findall(screen)
    assert len(hints) <= 1, f"two numbered blocks in one turn:\n{screen}"
    if hints:
        assert hinted(hints[0]) == set(choices(screen).values()), screen
    for block in screen.split("🤖 "):
        assert not block.rstrip().endswith(":"), f"cut off:\n{block}"
    for link in LINK.findall(screen):
        assert screen.count(link) == 1, f"{link} written twice:\n{screen}"

