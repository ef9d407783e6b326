"""What every dashboard page shares: the database transaction, the session's viewer, the commune check,
the period, rendering, no-store headers, and the guard that turns refusals into a Vietnamese page.

Every commune page and export goes through `DashboardBase._commune()`, which checks on the server
that the session's user is that commune's official (or an admin).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app_context import AppContext
from bot.content.places import Commune
from bot.db.models import Role, User
from bot.services import periods, reports, stats, weblogin
from bot.services.errors import Forbidden, UserError
from bot.web.security import SECURITY_HEADERS

log = logging.getLogger("bot.web.dashboard")  # one logger name for all of the dashboard's lines, as before the split

COOKIE = "hvs_session"
TEMPLATES_KEY = web.AppKey("hocvuso_dashboard_templates", jinja2.Environment)
PERIOD_CHOICES = [("all", "Từ đầu đến nay"), ("7d", "7 ngày"), ("30d", "30 ngày"), ("90d", "90 ngày")]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def secure(resp: web.StreamResponse) -> web.StreamResponse:
    """Dashboard responses hold personal data: never cached. (Framing, sniffing, referrer and CSP
    headers are on every response of the app: bot/web/security.py.)"""
    resp.headers["Cache-Control"] = "no-store"
    for name, value in SECURITY_HEADERS.items():  # also when the dashboard is mounted on its own
        resp.headers.setdefault(name, value)
    return resp


class Refused(Exception):
    def __init__(self, status: int, message: str, user: User | None) -> None:
        super().__init__(message)
        self.status, self.message, self.user = status, message, user


class DashboardBase:
    """The plumbing of the route handlers, bound to the database and the app context."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], app_ctx: AppContext) -> None:
        self.sessionmaker = sessionmaker
        self.app = app_ctx
        self.tz = app_ctx.settings.tz
        self.secure_cookie = app_ctx.settings.public_base_url.startswith("https://")

    @asynccontextmanager
    async def tx(self) -> AsyncIterator[AsyncSession]:
        async with self.sessionmaker() as session, session.begin():
            yield session

    def now(self) -> datetime:
        return self.app.clock()

    def render(self, name: str, request: web.Request, status: int = 200, **ctx: Any) -> web.Response:
        ctx.setdefault("user", None)
        ctx.setdefault("csrf", "")
        resp = aiohttp_jinja2.render_template(name, request, ctx, status=status, app_key=TEMPLATES_KEY)
        secure(resp)
        return resp

    def error(self, request: web.Request, status: int, message: str, user: User | None = None) -> web.Response:
        return self.render("error.html", request, status=status, message=message, user=user, csrf=self.csrf(request))

    def csrf(self, request: web.Request) -> str:
        raw = request.cookies.get(COOKIE)
        return weblogin.csrf_token(raw) if raw else ""

    async def viewer(self, request: web.Request, session: AsyncSession) -> User:
        """The logged-in official/admin; otherwise redirect to the login page."""
        user = await weblogin.session_user(session, request.cookies.get(COOKIE), self.now())
        if user is None:
            raise web.HTTPFound("/dangnhap")
        return user

    def period(self, request: web.Request) -> periods.Period:
        return periods.parse_period_key(request.query.get("ky"), self.now(), self.tz)

    async def _commune(self, request: web.Request, session: AsyncSession) -> tuple[User, Commune]:
        """The viewer and the commune in the URL, if the viewer may see it (checked on every page)."""
        user = await self.viewer(request, session)
        cid = request.match_info["commune_id"]
        if cid not in self.app.places.communes:
            raise Refused(404, "Không tìm thấy xã này.", user)
        try:
            commune = stats.authorize(user, self.app, cid)
        except Forbidden as exc:
            raise Refused(403, exc.message, user) from None
        return user, commune

    def page_ctx(self, request: web.Request, user: User, commune: Commune, period: periods.Period) -> dict[str, Any]:
        return {
            "user": user,
            "csrf": self.csrf(request),
            "commune": commune,
            "period": period,
            "period_choices": self._period_choices(),
            "ky": period.key,
            "caption": reports.period_caption(period, self.tz),
            "show_all_link": user.role == Role.ADMIN,
        }

    def _period_choices(self) -> list[tuple[str, str]]:
        now = self.now().astimezone(self.tz).date()
        months = []
        y, m = now.year, now.month
        for _ in range(12):
            months.append((f"{y}-{m:02d}", f"Tháng {m:02d}/{y}"))
            y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        return PERIOD_CHOICES + months

    def _download(self, body: bytes, filename: str, mime: str) -> web.StreamResponse:
        resp = web.Response(body=body, content_type=mime)
        resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return secure(resp)


def guard(dash: DashboardBase, fn: Handler) -> Handler:
    """Turn refusals and user errors into a Vietnamese page; never a traceback."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await fn(request)
        except web.HTTPException:
            raise
        except Refused as exc:
            return dash.error(request, exc.status, exc.message, exc.user)
        except UserError as exc:
            return dash.error(request, 400, exc.message)
        except Exception:
            log.exception("dashboard error on %s", request.path)
            return dash.error(request, 500, "Đã có lỗi, xin thử lại sau ít phút.")

    return wrapped
