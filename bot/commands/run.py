"""`hocvuso run` (the default): every configured channel, the web app and the scheduler.

With no platform token it is local mode: the console chat in this terminal and, beside it, the web
app on WEB_HOST:WEB_PORT (127.0.0.1 by default), so the /dangnhap link the chat prints opens the
dashboard on this machine.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from aiohttp import web

from bot.channels.console import ConsoleChannel
from bot.config import Settings
from bot.runtime import open_runtime
from bot.web.app import create_web_app, listen


def add_parser(sub: Any) -> None:
    p = sub.add_parser("run", help="run the bot (console chat and local web app when no platform token is set)")
    p.set_defaults(func=run)


async def local(settings: Settings) -> int:
    """Console chat with the web app served beside it; a busy port leaves the chat working."""
    async with open_runtime(settings) as runtime:
        runner = web.AppRunner(create_web_app(runtime), access_log=None)
        await runner.setup()
        problem = await listen(runner, settings.web_host, settings.web_port)
        if problem:
            print(f"hocvuso: {problem}. The chat works without it.", file=sys.stderr, flush=True)
        else:
            print(f"Trang thống kê: http://{settings.web_host}:{settings.web_port}/", file=sys.stderr, flush=True)
        try:
            await ConsoleChannel(
                runtime.handle, user_id="console", media_base_url=f"{settings.public_base_url.rstrip('/')}/media"
            ).run()
        finally:
            await runner.cleanup()
    return 0


async def run(args: argparse.Namespace, settings: Settings) -> int:
    oa = bool(settings.zalo_oa_app_id and settings.zalo_oa_secret_key)
    if not settings.telegram_bot_token and not settings.zalo_bot_token and not oa:
        print(
            "Chưa cấu hình TELEGRAM_BOT_TOKEN, ZALO_BOT_TOKEN hay Zalo OA: mở trò chuyện trên màn hình này "
            "(gõ số để bấm nút, Ctrl-D để thoát).",
            file=sys.stderr,
            flush=True,
        )
        return await local(settings)
    from bot.serve import serve

    return await serve(settings)
