"""Each role's Telegram command menu, in Vietnamese: residents keep the default menu; a team member,
official or admin gets their role's menu in their own chat — at start for those who hold a role, and
as soon as a role is granted (/ma CODE). Real python-telegram-bot against the fake Bot API."""

from __future__ import annotations

import argparse
import unicodedata
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select

import bot.engine.flows  # noqa: F401  (registers the commands)
from bot.commands import role as role_cli
from bot.db.models import User
from bot.engine.command_menu import RESIDENT_COMMANDS
from bot.engine.router import router
from bot.runtime import Runtime
from bot.serve import Channels, role_holders, role_menu_hook, start_channels
from bot.services import invites
from tests.fakes.telegram_harness import make_channel
from tests.fakes.telegram_server import DEFAULT_TOKEN, FakeTelegramServer
from tests.support.telegram_resident import Resident

OFFICIAL, NEWCOMER = 7301, 7302


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


async def invite_code(runtime: Runtime, role: str, villages: list[str]) -> str:
    async with runtime.sessionmaker() as session, session.begin():
        invite = await invites.create_invite(
            session, runtime.app_ctx.places, role, "ha-long", villages, runtime.app_ctx.clock()
        )
        return invite.code


async def onboard(person: Resident) -> None:
    await person.type("/start")
    await person.tap("Đồng ý")
    await person.tap("Hà Long")
    await person.tap("Thôn 3")


def listed(tg: FakeTelegramServer, scope: str) -> list[str]:
    menu: list[dict[str, Any]] = tg.commands_by_scope.get(scope, [])
    for entry in menu:
        assert entry["command"] in router.commands, entry  # every listed command is answered
        description = entry["description"]
        assert any(unicodedata.combining(ch) or ch in "đĐ" for ch in unicodedata.normalize("NFD", description)), (
            description  # Vietnamese, with its diacritics
        )
    return [entry["command"] for entry in menu]


async def test_role_menus_at_start_and_when_an_invite_is_redeemed(runtime: Runtime, tg: FakeTelegramServer) -> None:
    # Before this process: a resident of Telegram became an official (no menu hook in that process).
    earlier = make_channel(tg, runtime.handle, runtime.settings.content_dir, runtime.mark_blocked)
    await earlier.start_polling()

    async def push(update: dict[str, Any]) -> None:
        tg.push_update(update)

    try:
        official = Resident(tg, push, OFFICIAL)
        await onboard(official)
        out = await official.type(f"/ma {await invite_code(runtime, 'official', [])}")
        assert "Bạn đã được cấp quyền" in out
    finally:
        await earlier.stop()
    assert f"chat:{OFFICIAL}" not in tg.commands_by_scope

    # This process starts: the default menu for residents, the official's own in her chat.
    channels = Channels(telegram=make_channel(tg, runtime.handle, runtime.settings.content_dir, runtime.mark_blocked))
    runtime.app_ctx.on_role_change = role_menu_hook(channels)
    await start_channels(runtime.settings, channels, lambda: role_holders(runtime))
    assert channels.telegram is not None
    try:
        assert listed(tg, "default") == [c for c, _ in RESIDENT_COMMANDS]
        official_menu = listed(tg, f"chat:{OFFICIAL}")
        assert {"thongke", "baocao", "dangnhap", "start"} <= set(official_menu)
        assert "taolop" not in official_menu

        # A resident redeems a team invite: her chat's menu gains the team commands at once.
        newcomer = Resident(tg, push, NEWCOMER)
        await onboard(newcomer)
        assert f"chat:{NEWCOMER}" not in tg.commands_by_scope  # residents: the default menu
        code = await invite_code(runtime, "team", ["ha-long-thon-3"])
        assert "Bạn đã được cấp quyền" in await newcomer.type(f"/ma {code}")
        team_menu = listed(tg, f"chat:{NEWCOMER}")
        assert {"todoi", "taolop", "thongbao", "start"} <= set(team_menu)
        assert "thongke" not in team_menu
        assert listed(tg, "default") == [c for c, _ in RESIDENT_COMMANDS]  # nobody else's menu changed

        # `hocvuso role revoke` (another process): her chat's menu is the resident one again.
        async with runtime.sessionmaker() as session:
            member = await session.scalar(select(User).where(User.platform_id == str(NEWCOMER)))
        assert member is not None
        settings = runtime.settings.model_copy(
            update={"telegram_bot_token": DEFAULT_TOKEN, "telegram_api_base_url": tg.base_url}
        )
        assert await role_cli.run(argparse.Namespace(action="revoke", user=member.id), settings) == 0
        assert listed(tg, f"chat:{NEWCOMER}") == [c for c, _ in RESIDENT_COMMANDS]
    finally:
        await channels.telegram.stop()


def test_a_command_name_belongs_to_one_flow() -> None:
    """/huongdan once meant both help and the team's guided-learning record: the later one won silently."""
    from bot.engine.router import Router, router

    assert router.commands["huongdan"].fn is router.commands["help"].fn  # /huongdan is help, for everyone
    assert router.commands["ghinhan"].fn is not router.commands["help"].fn
    fresh = Router()

    @fresh.command("a")
    async def first(ctx: object, arg: object) -> list[object]:
        return []

    with pytest.raises(ValueError, match="registered twice"):
        fresh.command("a")(first)
