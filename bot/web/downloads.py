"""GET /taive/<token>: a page with one button; POST /taive/<token>: the report file, once.

The GET does not use the link, so a link preview or a prefetch cannot spend it; the POST does.
No login is needed: the token is the proof, and the service re-checks the owner's role.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app_context import AppContext
from bot.services import downloads
from bot.services.errors import UserError
from bot.web import link_page

log = logging.getLogger(__name__)
READY = "Bấm nút dưới đây để tải tệp báo cáo về máy. Liên kết chỉ tải được một lần."


def setup_downloads(app: web.Application, sessionmaker: async_sessionmaker[AsyncSession], app_ctx: AppContext) -> None:
    template = link_page.template("download.html")

    def page(status: int, title: str, text: str, token: str = "") -> web.Response:
        html = template.render(title=title, text=text, token=token, path=downloads.PATH)
        return link_page.respond(html, status)

    async def show(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        async with sessionmaker() as session:
            reason = await downloads.check(session, token, app_ctx.clock())
        if reason:
            return page(410, "Không tải được báo cáo", reason + downloads.AGAIN)
        return page(200, "Tải báo cáo", READY, token)

    async def fetch(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        try:
            async with sessionmaker() as session, session.begin():
                doc = await downloads.take(session, app_ctx, token, app_ctx.clock())
        except UserError as err:
            return page(410, "Không tải được báo cáo", err.message)
        log.info("report downloaded through a one-time link (%s)", doc.filename)  # never the token
        resp = web.Response(body=doc.content, content_type=doc.mime_type)
        resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(doc.filename)}"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    app.router.add_get(downloads.PATH + "{token}", show)
    app.router.add_post(downloads.PATH + "{token}", fetch)
