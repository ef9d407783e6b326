"""Dashboard charts and exports of a commune's overview: the coverage and trend PNGs, the xlsx and the CSV."""

from __future__ import annotations

import asyncio

from aiohttp import web

from bot.services import charts, reports, stats
from bot.web.dashboard_base import DashboardBase, secure


class Exports(DashboardBase):
    """/xa/<commune>/bieu-do.png, xu-huong.png, xuat.xlsx and xuat.csv."""

    async def _overview_for(self, request: web.Request, with_trend: bool) -> stats.CommuneOverview:
        period = self.period(request)
        async with self.tx() as session:
            _user, commune = await self._commune(request, session)
            return await stats.commune_overview(session, self.app, commune.id, period, with_trend=with_trend)

    async def coverage_png(self, request: web.Request) -> web.StreamResponse:
        ov = await self._overview_for(request, with_trend=False)
        png = await asyncio.to_thread(charts.coverage_chart, f"{ov.name} — {ov.period.label}", ov.villages)
        return secure(web.Response(body=png, content_type="image/png"))

    async def trend_png(self, request: web.Request) -> web.StreamResponse:
        ov = await self._overview_for(request, with_trend=True)
        png = await asyncio.to_thread(charts.trend_chart, "Lượt hoàn thành bài học theo tuần", ov.weekly)
        return secure(web.Response(body=png, content_type="image/png"))

    async def export_xlsx(self, request: web.Request) -> web.StreamResponse:
        ov = await self._overview_for(request, with_trend=False)
        body = await asyncio.to_thread(reports.overview_xlsx, ov, self.tz, self.now())
        return self._download(body, reports.report_filename(ov, "xlsx"), reports.XLSX_MIME)

    async def export_csv(self, request: web.Request) -> web.StreamResponse:
        ov = await self._overview_for(request, with_trend=False)
        return self._download(reports.overview_csv(ov), reports.report_filename(ov, "csv"), "text/csv")
