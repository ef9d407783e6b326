"""`hocvuso chat [--user ID] [--as zalo]`: console chat on the configured database."""

from __future__ import annotations

import argparse
from typing import Any

from bot.channels.console import ConsoleChannel
from bot.config import Settings
from bot.runtime import open_runtime


def add_parser(sub: Any) -> None:
    p = sub.add_parser("chat", help="chat with the bot in this terminal (stdin/stdout, works piped)")
    p.add_argument("--user", default="console", help="resident identity to chat as (default: console)")
    p.add_argument(
        "--as",
        dest="as_channel",
        choices=("console", "zalo"),
        default="console",
        help="zalo: print exactly what a Zalo Bot resident receives and type as she does",
    )
    p.set_defaults(func=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    async with open_runtime(settings) as runtime:
        await ConsoleChannel(
            runtime.handle,
            user_id=args.user,
            as_zalo=args.as_channel == "zalo",
            media_base_url=f"{settings.public_base_url.rstrip('/')}/media",
        ).run()
    return 0
