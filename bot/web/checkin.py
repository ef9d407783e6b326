"""The pages a class check-in poster's QR code opens, and the poster itself.

GET /diemdanh/<token>: in large Vietnamese text, the class and what to send in chat («điểm danh
4821»), with the Telegram deep link when TELEGRAM_BOT_USERNAME is set. The page cannot know who
scans it (no login, nothing stored), so it does not mark anyone present: the chat does, where the
person is known and has consented (or is asked to first).
GET /diemdanh/<token>/ap-phich.pdf|.png: the poster, for team members on channels that cannot send
a PDF (Zalo). The token is printed on the poster, so the poster reveals nothing new.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app_context import AppContext
from bot.db.models import Klass
from bot.db.repositories import checkins as repo
from bot.services import checkin, checkin_poster
from bot.services.classes import villages_label
from bot.services.dateparse import format_when
from bot.web import link_page


def setup_checkin(app: web.Application, sessionmaker: async_sessionmaker[AsyncSession], app_ctx: AppContext) -> None:
    template = link_page.template("checkin.html")
    tz = app_ctx.settings.tz

    async def find(token: str) -> Klass | None:
        async with sessionmaker() as session:
            return await repo.by_token(session, token)

    async def page(request: web.Request) -> web.Response:
        klass = await find(request.match_info["token"])
        if klass is None or not klass.checkin_code or not klass.checkin_token:
            html = template.render(
                title="Không tìm thấy lớp học",
                text="Mã QR này không phải của chương trình, hoặc lớp đã bị xóa.",
                klass=False,
                open=False,
            )
            return link_page.respond(html, 404)
        result = checkin.state_of(klass, app_ctx.clock())
        opens, _closes = checkin.window(klass)
        texts = {
            checkin.Outcome.OPEN: "Để điểm danh, bạn mở Zalo hoặc Telegram và nhắn cho bot «Bình dân học vụ số»:",
            checkin.Outcome.TOO_EARLY: f"Chưa đến giờ điểm danh. Điểm danh mở từ {opens.astimezone(tz):%H:%M} "
            f"ngày {opens.astimezone(tz):%d/%m} (nửa tiếng trước giờ học).",
            checkin.Outcome.CLOSED: "Lớp học đã kết thúc, không điểm danh được nữa.",
            checkin.Outcome.CANCELLED: "Lớp học này đã bị hủy.",
        }
        html = template.render(
            title="Điểm danh lớp học",
            klass=True,
            klass_title=klass.title,
            when=format_when(klass.starts_at, tz),
            place=f"{klass.place} ({villages_label(list(klass.village_ids), klass.commune_id, app_ctx.places)})",
            text=texts.get(result, texts[checkin.Outcome.CLOSED]),
            open=result is checkin.Outcome.OPEN,
            code=klass.checkin_code,
            telegram_link=checkin.telegram_link(app_ctx, klass.checkin_token),
        )
        return link_page.respond(html, 200)

    async def poster(request: web.Request) -> web.Response:
        klass = await find(request.match_info["token"])
        if klass is None or not klass.checkin_code:
            return link_page.respond("<p>Không tìm thấy lớp học.</p>", 404)
        text = checkin_poster.poster_text(app_ctx, klass)
        ext = request.match_info["ext"]
        render = checkin_poster.render_pdf if ext == "pdf" else checkin_poster.render_png
        body = await asyncio.to_thread(render, text)
        resp = web.Response(
            body=body, content_type=checkin_poster.PDF_MIME if ext == "pdf" else checkin_poster.PNG_MIME
        )
        resp.headers.update(link_page.HEADERS)
        resp.headers["Content-Disposition"] = f'inline; filename="{checkin_poster.filename(klass, ext)}"'
        return resp

    app.router.add_get(checkin.WEB_PATH + "{token}", page)
    app.router.add_get(checkin.WEB_PATH + "{token}/ap-phich.{ext:pdf|png}", poster)
