"""`hocvuso role list` and `hocvuso role revoke --user ID` (role changes are audited in role_changes)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from telegram.error import TelegramError

from bot.channels.telegram import TelegramChannel
from bot.config import Settings
from bot.db.repositories import roles as roles_repo
from bot.engine.command_menu import RESIDENT_COMMANDS
from bot.messages import Incoming, Reply
from bot.runtime import open_runtime
from bot.services.invites import InviteError, revoke


def add_parser(sub: Any) -> None:
    p = sub.add_parser("role", help="who holds which role; revoke one")
    p.add_argument("action", choices=["list", "revoke"])
    p.add_argument("--user", type=int, help="user id (from `role list`), for revoke")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.action == "revoke" and args.user is None:
        print("hocvuso role revoke: --user ID is required", file=sys.stderr)
        return 2
    async with open_runtime(settings) as runtime, runtime.sessionmaker() as session, session.begin():
        if args.action == "list":
            print("id\tchannel\trole\tcommune\tvillages\tname")
            for user in await roles_repo.holders(session):
                villages = ",".join(user.role_village_ids or []) or "-"
                print(f"{user.id}\t{user.channel}\t{user.role}\t{user.role_commune_id or '-'}\t{villages}\t"
                      f"{user.display_name or '-'}")
            return 0
        try:
            user = await revoke(session, args.user, runtime.app_ctx.clock())
        except InviteError as err:
            print(f"hocvuso role revoke: {err}", file=sys.stderr)
            return 2
    print(f"user {user.id} is now a resident (role revoked, audited)")
    if user.channel == "telegram" and settings.telegram_bot_token:
        await _resident_menu(settings, user.platform_id)
    return 0


async def _resident_menu(settings: Settings, chat_id: str) -> None:
    """Their chat's menu back to the resident one; a failure is reported, the revocation stands."""
    assert settings.telegram_bot_token
    channel = TelegramChannel(
        settings.telegram_bot_token, _no_turns, _no_block, settings.content_dir,
        base_url=settings.telegram_api_base_url,
    )
    try:
        await channel.set_commands(RESIDENT_COMMANDS, chat_id=chat_id)
    except TelegramError as err:
        print(f"hocvuso role revoke: their Telegram menu was not reset ({err})", file=sys.stderr)
    finally:
        await channel.stop()


async def _no_turns(incoming: Incoming) -> list[Reply]:
    return []


async def _no_block(channel: str, user_id: str) -> None:
    return None
