"""`hocvuso run` (the default): every configured channel, the web app and the scheduler."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from bot.commands import chat
from bot.config import Settings


def add_parser(sub: Any) -> None:
    p = sub.add_parser("run", help="run the bot (console chat when no platform token is configured)")
    p.set_defaults(func=run)


async def run(args: argparse.Namespace, settings: Settings) -> int:
    oa = bool(settings.zalo_oa_app_id and settings.zalo_oa_secret_key)
    if not settings.telegram_bot_token and not settings.zalo_bot_token and not oa:
        print(
            "Chưa cấu hình TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN hay Zalo OA: mở trò chuyện trên màn hình này "
            "(gõ số để bấm nút, Ctrl-D để thoát).",
            file=sys.stderr,
        )
        return await chat.run(argparse.Namespace(user="console"), settings)
    from bot.serve import serve

    return await serve(settings)
