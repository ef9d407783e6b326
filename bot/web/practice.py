"""GET /thuchanh/<token>: the page a practice QR code opens, in large Vietnamese text.

Opening it is the practice: the service marks the task done (once) and queues the congratulation
in chat. The page needs no login (the token is the proof) and keeps nothing about the visitor.
"""

from __future__ import annotations

import logging

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app_context import AppContext
from bot.services import practice
from bot.web import link_page

log = logging.getLogger(__name__)
_PAGES: dict[practice.Outcome, tuple[int, str, str]] = {
    practice.Outcome.DONE: (200, practice.PAGE_TITLE, practice.PAGE_TEXT),
    practice.Outcome.ALREADY: (
        200, "Bạn đã làm bài thực hành này rồi!", practice.PAGE_TEXT + " Mời bạn quay lại chat để học tiếp.",
    ),
    practice.Outcome.EXPIRED: (
        410, "Mã QR này đã hết hạn", "Bạn mở lại bài học trong chat để nhận một mã QR mới nhé.",
    ),
    practice.Outcome.UNKNOWN: (
        404, "Không tìm thấy bài thực hành", "Mã QR này không phải của chương trình, hoặc đã bị xóa.",
    ),
}


def setup_practice(app: web.Application, sessionmaker: async_sessionmaker[AsyncSession], app_ctx: AppContext) -> None:
    template = link_page.template("practice.html")

    async def page(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        async with sessionmaker() as session, session.begin():
            result = await practice.complete(session, app_ctx, token, app_ctx.clock())
        if result.outcome is practice.Outcome.DONE:
            log.info("practice done (lesson %s)", result.lesson_title)  # never the token
        status, title, text = _PAGES[result.outcome]
        html = template.render(title=title, text=text, done=status == 200, lesson=result.lesson_title)
        return link_page.respond(html, status)

    app.router.add_get(practice.PATH + "{token}", page)
