"""Free text outside any flow: find lessons by title or keyword, diacritics optional."""

from __future__ import annotations

from bot import callbacks as cb
from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, menu_reply, rows
from bot.engine.flows.scam_help import is_urgent, urgent_replies
from bot.engine.router import router
from bot.messages import Reply
from bot.services.search import search_lessons
from bot.text import fold

_MENU_WORDS = {"menu", "bat dau", "xin chao", "chao", "chao ban", "tro giup", "huong dan", "quay ve menu"}


async def search_reply(ctx: Ctx, text: str) -> list[Reply]:
    if fold(text) in _MENU_WORDS:
        return [await menu_reply(ctx, "Chào bạn! Bạn muốn làm gì?")]
    found = search_lessons(ctx.app.catalog, text, limit=5)
    if is_urgent(text):
        lessons = [cb.OpenLesson(x.id).button(x.title[:60]) for x in found[:3]]
        return urgent_replies(ctx.app.catalog, [*lessons, MENU_BUTTON])
    if not found:
        # Not meant as a search, or nothing matches: a complete answer, and her screen's buttons stay.
        kept = tuple((b,) for b in ctx.shown) or rows(cb.MenuLearn().button("📚 Xem tất cả bài học"), MENU_BUTTON)
        return [Reply(texts.NOT_FOUND.format(query=text.strip()[:40]), buttons=kept)]
    buttons = [cb.OpenLesson(lesson.id).button(lesson.title[:60]) for lesson in found]
    return [Reply("Mình tìm thấy các bài sau, bạn bấm để học nhé:", buttons=rows(*buttons, MENU_BUTTON))]


@router.text_fallback
async def fallback(ctx: Ctx, text: str) -> list[Reply]:
    return await search_reply(ctx, text)
