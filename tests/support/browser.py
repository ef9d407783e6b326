"""Headless Chromium for the dashboard tests: where it is, how it starts, the marks that skip the
tests when it is absent, and the chat steps that give an official a login link."""

from __future__ import annotations

import os
import re

import pytest

from bot.runtime import Runtime
from bot.services.invites import create_invite
from tests.support.chat import Chat

CHROMIUM = "/usr/bin/chromium"

BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.access(CHROMIUM, os.X_OK),
        reason=f"headless Chromium is not installed at {CHROMIUM} (apt-get install chromium; .ci/run does)",
    ),
]
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


async def official(runtime: Runtime, chat: Chat, who: str, commune: str) -> None:
    await chat.onboard(who)
    async with runtime.sessionmaker() as session, session.begin():
        invite = await create_invite(session, runtime.app_ctx.places, "official", commune, [], runtime.app_ctx.clock())
    await chat.say(who, f"/ma {invite.code}")


async def link_from_chat(chat: Chat, who: str) -> str:
    await chat.say(who, "/dangnhap")
    m = re.search(r"(http://127\.0\.0\.1:\d+/dangnhap/\S+)", chat.text(who))
    assert m, chat.text(who)
    return m.group(1)
