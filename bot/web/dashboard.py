"""Officials' web dashboard: password-less login, the commune and village pages, and `setup_dashboard`,
which adds every dashboard route and its templates to the app.

The plumbing every page shares (including the commune check on every commune page and export) is in
dashboard_base.py, the class and guided-people pages in dashboard_classes.py, the charts and exports in
dashboard_exports.py.
"""

from __future__ import annotations

import logging
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import formatting
from bot.app_context import AppContext
from bot.db.models import Role
from bot.services import announcements, reports, stats, weblogin
from bot.services.errors import UserError
from bot.web.certificate_page import certificate_page
from bot.web.dashboard_base import COOKIE, TEMPLATES_KEY, Handler, Refused, guard, secure
from bot.web.dashboard_classes import ClassPages
from bot.web.dashboard_exports import Exports
from bot.web.security import same_origin_post

__all__ = ["COOKIE", "Dashboard", "Handler", "setup_dashboard"]

log = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent


class Dashboard(ClassPages, Exports):
    """Route handlers bound to the database and the app context."""

    # ------------------------------------------------------------ login

    async def index(self, request: web.Request) -> web.StreamResponse:
        async with self.tx() as session:
            user = await self.viewer(request, session)
        if user.role == Role.ADMIN or not user.role_commune_id:
            raise web.HTTPFound("/xa")
        raise web.HTTPFound(f"/xa/{user.role_commune_id}")

    async def login_help(self, request: web.Request) -> web.StreamResponse:
        async with self.tx() as session:
            user = await weblogin.session_user(session, request.cookies.get(COOKIE), self.now())
        if user is not None:
            raise web.HTTPFound("/")
        return self.render("login.html", request)

    async def link_page(self, request: web.Request) -> web.StreamResponse:
        """GET on a login link only shows a button: link previews in chat apps must not use it up."""
        token = request.match_info["token"]
        async with self.tx() as session:
            state = await weblogin.check_link(session, token, self.now())
        if not state.ok:
            return self.render("login.html", request, status=403, problem=state.reason)
        return self.render("confirm.html", request, token=token)

    async def link_use(self, request: web.Request) -> web.StreamResponse:
        token = request.match_info["token"]
        if not same_origin_post(request, self.app.settings.public_base_url):
            # Login CSRF: another site's form posting someone's link would log this browser in as them.
            log.warning("login POST refused: not from our own page")
            return self.error(request, 403, "Yêu cầu không hợp lệ. Hãy mở lại liên kết đăng nhập rồi bấm nút.")
        try:
            async with self.tx() as session:
                raw, _user = await weblogin.redeem_link(session, token, self.now(), self.app.settings.session_hours)
        except UserError as exc:
            return self.render("login.html", request, status=403, problem=exc.message)
        resp = web.HTTPFound("/")
        resp.set_cookie(
            COOKIE,
            raw,
            max_age=self.app.settings.session_hours * 3600,
            path="/",
            httponly=True,
            samesite="Lax",
            secure=self.secure_cookie,
        )
        secure(resp)
        raise resp

    async def logout(self, request: web.Request) -> web.StreamResponse:
        raw = request.cookies.get(COOKIE)
        form = await request.post()
        if raw:
            if not weblogin.csrf_ok(raw, str(form.get("csrf", ""))):
                return self.error(request, 403, "Yêu cầu không hợp lệ. Hãy tải lại trang rồi thử lại.")
            async with self.tx() as session:
                await weblogin.logout(session, raw)
        resp = web.HTTPFound("/dangnhap")
        resp.del_cookie(COOKIE, path="/")
        secure(resp)
        raise resp

    # ------------------------------------------------------------ pages

    async def communes(self, request: web.Request) -> web.StreamResponse:
        period = self.period(request)
        async with self.tx() as session:
            user = await self.viewer(request, session)
            visible = stats.visible_communes(user, self.app)
            rows = []
            for commune in visible:
                ov = await stats.commune_overview(session, self.app, commune.id, period, with_trend=False)
                rows.append(ov.totals)
        return self.render(
            "communes.html",
            request,
            user=user,
            csrf=self.csrf(request),
            rows=rows,
            period=period,
            period_choices=self._period_choices(),
            ky=period.key,
            caption=reports.period_caption(period, self.tz),
            target=stats.TARGET,
        )

    async def overview(self, request: web.Request) -> web.StreamResponse:
        period = self.period(request)
        async with self.tx() as session:
            user, commune = await self._commune(request, session)
            ov = await stats.commune_overview(session, self.app, commune.id, period)
            oa_silent = await announcements.outside_window_in_commune(session, commune.id, self.now())
        return self.render(
            "overview.html", request, ov=ov, tab="overview", oa_silent=oa_silent,
            oa_silent_reason=announcements.OUTSIDE_WINDOW_REASON, **self.page_ctx(request, user, commune, period)
        )

    async def village(self, request: web.Request) -> web.StreamResponse:
        period = self.period(request)
        async with self.tx() as session:
            user, commune = await self._commune(request, session)
            vid = request.match_info["village_id"]
            if vid not in {v.id for v in commune.villages}:
                raise Refused(404, "Thôn này không thuộc xã.", user)
            detail = await stats.village_detail(session, self.app, commune.id, vid, period)
        return self.render(
            "village.html", request, d=detail, tab="overview", **self.page_ctx(request, user, commune, period)
        )

    async def funnel(self, request: web.Request) -> web.StreamResponse:
        period = self.period(request)
        async with self.tx() as session:
            user, commune = await self._commune(request, session)
            rows = await stats.lesson_funnel(session, self.app, commune.id, period)
        return self.render(
            "funnel.html", request, rows=rows, tab="funnel", **self.page_ctx(request, user, commune, period)
        )


def setup_dashboard(app: web.Application, sessionmaker: async_sessionmaker[AsyncSession], app_ctx: AppContext) -> None:
    """Add the dashboard's routes (under /) and its templates to `app`."""
    dash = Dashboard(sessionmaker, app_ctx)
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(HERE / "templates")),
        app_key=TEMPLATES_KEY,
        default_helpers=False,
    )
    env.filters["n"] = formatting.fmt_int
    env.filters["pct"] = formatting.fmt_pct
    env.filters["d"] = lambda value: formatting.fmt_date(value, app_ctx.settings.tz)
    env.globals["target"] = stats.TARGET
    routes: list[tuple[str, str, Handler]] = [
        ("GET", "/", dash.index),
        ("GET", "/dangnhap", dash.login_help),
        ("GET", "/dangnhap/{token}", dash.link_page),
        ("POST", "/dangnhap/{token}", dash.link_use),
        ("POST", "/dangxuat", dash.logout),
        ("GET", "/xa", dash.communes),
        ("GET", "/xa/{commune_id}", dash.overview),
        ("GET", "/xa/{commune_id}/thon/{village_id}", dash.village),
        ("GET", "/xa/{commune_id}/bai-hoc", dash.funnel),
        ("GET", "/xa/{commune_id}/lop-hoc", dash.classes),
        ("GET", "/xa/{commune_id}/lop-hoc/{class_id}", dash.class_page),
        ("GET", "/xa/{commune_id}/lop-hoc/{class_id}/ap-phich.{ext:pdf|png}", dash.class_poster),

        ("GET", "/xa/{commune_id}/huong-dan", dash.guided_people),
        ("GET", "/xa/{commune_id}/bieu-do.png", dash.coverage_png),
        ("GET", "/xa/{commune_id}/xu-huong.png", dash.trend_png),
        ("GET", "/xa/{commune_id}/xuat.xlsx", dash.export_xlsx),
        ("GET", "/xa/{commune_id}/xuat.csv", dash.export_csv),
        ("GET", "/giay-ghi-nhan", certificate_page(dash)),
    ]
    for method, path, handler in routes:
        app.router.add_route(method, path, guard(dash, handler))
    app.router.add_static("/static/", HERE / "static")
