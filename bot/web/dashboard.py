"""Officials' web dashboard: password-less login, commune/village pages, exports.

Every commune page and export goes through `Dashboard._commune()`, which checks on the server
that the session's user is that commune's official (or an admin).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import formatting
from bot.app_context import AppContext
from bot.content.places import Commune
from bot.db.models import ClassStatus, Role, User
from bot.db.repositories import classes as classes_repo
from bot.engine.texts import ROLE_LABELS
from bot.services import announcements, charts, checkin, checkin_poster, guided, periods, reports, stats, weblogin
from bot.services.errors import Forbidden, UserError
from bot.web.certificate_page import certificate_page
from bot.web.security import SECURITY_HEADERS, same_origin_post

log = logging.getLogger(__name__)

COOKIE = "hvs_session"
HERE = Path(__file__).resolve().parent
TEMPLATES_KEY = web.AppKey("hocvuso_dashboard_templates", jinja2.Environment)
PERIOD_CHOICES = [("all", "Từ đầu đến nay"), ("7d", "7 ngày"), ("30d", "30 ngày"), ("90d", "90 ngày")]

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _secure(resp: web.StreamResponse) -> web.StreamResponse:
    """Dashboard responses hold personal data: never cached. (Framing, sniffing, referrer and CSP
    headers are on every response of the app: bot/web/security.py.)"""
    resp.headers["Cache-Control"] = "no-store"
    for name, value in SECURITY_HEADERS.items():  # also when the dashboard is mounted on its own
        resp.headers.setdefault(name, value)
    return resp


class Dashboard:
    """Route handlers bound to the database and the app context."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], app_ctx: AppContext) -> None:
        self.sessionmaker = sessionmaker
        self.app = app_ctx
        self.tz = app_ctx.settings.tz
        self.secure_cookie = app_ctx.settings.public_base_url.startswith("https://")

    # ------------------------------------------------------------ plumbing

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
        _secure(resp)
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
            raise _Refused(404, "Không tìm thấy xã này.", user)
        try:
            commune = stats.authorize(user, self.app, cid)
        except Forbidden as exc:
            raise _Refused(403, exc.message, user) from None
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
        _secure(resp)
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
        _secure(resp)
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
                raise _Refused(404, "Thôn này không thuộc xã.", user)
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

    async def classes(self, request: web.Request) -> web.StreamResponse:
        period = self.period(request)
        async with self.tx() as session:
            user, commune = await self._commune(request, session)
            rows = await stats.commune_classes(session, self.app, commune.id, period)
            # Not started yet or still open for check-in (a period ends now, so these are not in `rows` yet).
            since = self.now() - checkin.CLASS_LENGTH
            upcoming = await classes_repo.upcoming_in_commune(session, commune.id, since, limit=20)
        names = self.app.places.villages
        return self.render(
            "classes.html",
            request,
            rows=rows,
            upcoming=upcoming,
            tab="classes",
            tz=self.tz,
            village_names=lambda ids: ", ".join(names[v].name for v in ids if v in names) or "Cả xã",
            **self.page_ctx(request, user, commune, period),
        )

    async def class_page(self, request: web.Request) -> web.StreamResponse:
        """One class: the live count and names of who came (check-ins and the team's ticks), its code and poster."""
        async with self.tx() as session:
            user, commune = await self._commune(request, session)
            seen = await checkin.arrivals(session, user, self._class_id(request))
            if seen.klass.commune_id != commune.id:
                raise _Refused(404, "Lớp này không thuộc xã.", user)
            registered = await classes_repo.count_registered(session, seen.klass.id)
        opens, closes = checkin.window(seen.klass)
        lesson = self.app.catalog.get(seen.klass.lesson_id) if seen.klass.lesson_id else None
        return self.render(
            "class.html", request, k=seen.klass, seen=seen, registered=registered, tz=self.tz, opens=opens,
            closes=closes, lesson=lesson, is_open=checkin.is_open(seen.klass, self.now()), tab="classes",
            **self.page_ctx(request, user, commune, self.period(request)),
        )

    async def class_poster(self, request: web.Request) -> web.StreamResponse:
        async with self.tx() as session:
            user, commune = await self._commune(request, session)
            klass = await checkin.viewable_class(session, user, self._class_id(request))
            if klass.commune_id != commune.id or klass.status == ClassStatus.CANCELLED:
                raise _Refused(404, "Lớp này không thuộc xã hoặc đã hủy.", user)
            await checkin.ensure_code(session, klass)
            text = checkin_poster.poster_text(self.app, klass)
        ext = request.match_info["ext"]
        render = checkin_poster.render_pdf if ext == "pdf" else checkin_poster.render_png
        body = await asyncio.to_thread(render, text)
        mime = checkin_poster.PDF_MIME if ext == "pdf" else checkin_poster.PNG_MIME
        return self._download(body, checkin_poster.filename(klass, ext), mime)

    def _class_id(self, request: web.Request) -> int:
        raw = request.match_info["class_id"]
        if not raw.isdigit() or len(raw) > 12:
            raise UserError("Không tìm thấy lớp học này.")
        return int(raw)

    async def guided_people(self, request: web.Request) -> web.StreamResponse:
        """Residents guided without a phone: each record with who recorded it, when, and what happened since."""
        period = self.period(request)
        async with self.tx() as session:
            user, commune = await self._commune(request, session)
            records = await guided.trails_for_official(session, self.app, user, commune.id)
        return self.render(
            "guided.html",
            request,
            records=records,
            tab="guided",
            tz=self.tz,
            labels=guided.ACTION_LABELS,
            role_labels=ROLE_LABELS,
            village_label=self.app.places.village_label,
            lesson_titles=lambda ids: guided.in_curriculum_order(self.app, ids),
            **self.page_ctx(request, user, commune, period),
        )

    # ------------------------------------------------------------ images and exports

    async def _overview_for(self, request: web.Request, with_trend: bool) -> stats.CommuneOverview:
        period = self.period(request)
        async with self.tx() as session:
            _user, commune = await self._commune(request, session)
            return await stats.commune_overview(session, self.app, commune.id, period, with_trend=with_trend)

    async def coverage_png(self, request: web.Request) -> web.StreamResponse:
        ov = await self._overview_for(request, with_trend=False)
        png = await asyncio.to_thread(charts.coverage_chart, f"{ov.name} — {ov.period.label}", ov.villages)
        return _secure(web.Response(body=png, content_type="image/png"))

    async def trend_png(self, request: web.Request) -> web.StreamResponse:
        ov = await self._overview_for(request, with_trend=True)
        png = await asyncio.to_thread(charts.trend_chart, "Lượt hoàn thành bài học theo tuần", ov.weekly)
        return _secure(web.Response(body=png, content_type="image/png"))

    async def export_xlsx(self, request: web.Request) -> web.StreamResponse:
        ov = await self._overview_for(request, with_trend=False)
        body = await asyncio.to_thread(reports.overview_xlsx, ov, self.tz, self.now())
        return self._download(body, reports.report_filename(ov, "xlsx"), reports.XLSX_MIME)

    async def export_csv(self, request: web.Request) -> web.StreamResponse:
        ov = await self._overview_for(request, with_trend=False)
        return self._download(reports.overview_csv(ov), reports.report_filename(ov, "csv"), "text/csv")

    def _download(self, body: bytes, filename: str, mime: str) -> web.StreamResponse:
        resp = web.Response(body=body, content_type=mime)
        resp.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return _secure(resp)


class _Refused(Exception):
    def __init__(self, status: int, message: str, user: User | None) -> None:
        super().__init__(message)
        self.status, self.message, self.user = status, message, user


def _guard(dash: Dashboard, fn: Handler) -> Handler:
    """Turn refusals and user errors into a Vietnamese page; never a traceback."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await fn(request)
        except web.HTTPException:
            raise
        except _Refused as exc:
            return dash.error(request, exc.status, exc.message, exc.user)
        except UserError as exc:
            return dash.error(request, 400, exc.message)
        except Exception:
            log.exception("dashboard error on %s", request.path)
            return dash.error(request, 500, "Đã có lỗi, xin thử lại sau ít phút.")

    return wrapped


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
        app.router.add_route(method, path, _guard(dash, handler))
    app.router.add_static("/static/", HERE / "static")
