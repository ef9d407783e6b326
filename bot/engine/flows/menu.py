"""The main menu and help."""

from __future__ import annotations

from bot import callbacks as cb
from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, hotline_button, menu_reply, rows
from bot.engine.router import router
from bot.messages import Reply


@router.command("menu")
@router.button(cb.MenuMain)
async def menu(ctx: Ctx, arg: object) -> list[Reply]:
    return [await menu_reply(ctx)]


@router.command("help", "huongdan", "trogiup", public=True)
@router.button(cb.MenuHelp)
async def help_(ctx: Ctx, arg: object) -> list[Reply]:
    if ctx.user is None:
        return [Reply(texts.HELP + "\n\nGõ /start để bắt đầu.")]
    hotline = hotline_button(ctx)  # written out where there is no dialling button
    text = texts.HELP + ("\n\nCần hỏi cán bộ xã: gọi đường dây nóng của xã." if hotline else "")
    return [Reply(text, buttons=rows(hotline, MENU_BUTTON))]
