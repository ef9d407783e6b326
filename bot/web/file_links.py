"""GET /tep/<token>: a page with one button; POST /tep/<token>: the file, once (bot/services/file_links.py).

The GET does not use the link, so a link preview or a prefetch cannot spend it; the POST does.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app_context import AppContext
from bot.services import file_links
from bot.services.errors import UserError
from bot.web import link_page

log = logging.getLogger(__name__)
READY = "Bấm nút dưới đây để tải tệp «{name}» về máy. Liên kết chỉ tải được một lần."
FAILED = "Không tải được tệp"


def setup_file_links(app: web.Application, sessionmaker: async_sessionmaker[AsyncSession], app_ctx: AppContext) -> None:
    template = link_page.template("download.html")

    def page(status: int, title: str, text: str, token: str = "") -> web.Response:
        html = template.render(title=title, text=text, token=token, path=file_links.PATH, button="⬇ Tải tệp")
        return link_page.respond(html, status)

    async def show(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        async with sessionmaker() as session:
            name = await file_links.usable(session, token, app_ctx.clock())
        if name is None:
            return page(410, FAILED, file_links.GONE + file_links.AGAIN)
        return page(200, "Tải tệp", READY.format(name=name), token)

    async def fetch(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        try:
            async with sessionmaker() as session, session.begin():
                doc = await file_links.take(session, token, app_ctx.clock())
        except UserError as err:
            return page(410, FAILED, err.message)
        log.info("file downloaded through a one-time link (%s)", doc.filename)  # never the token
        resp = web.Response(body=doc.content, content_type=doc.mime_type.split(";")[0])
        resp.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(doc.filename)}"
        resp.headers["Cache-Control"] = "no-store"
        return resp

    app.router.add_get(file_links.PATH + "{token}", show)
    app.router.add_post(file_links.PATH + "{token}", fetch)
