"""Dashboard page «Kiểm tra giấy ghi nhận»: an official types the code printed on a resident's
certificate and sees whether it is real, and whom, where, when and which lessons it certifies."""

from __future__ import annotations

from aiohttp import web

from bot.services import certificates
from bot.web.dashboard_base import DashboardBase, Handler


def certificate_page(dash: DashboardBase) -> Handler:
    async def page(request: web.Request) -> web.StreamResponse:
        typed = request.query.get("ma", "").strip()[:40]
        async with dash.tx() as session:
            user = await dash.viewer(request, session)  # officials and admins only: it shows a name
            found = await certificates.check(session, typed, dash.app.catalog, dash.app.places) if typed else None
        day = found.issued_at.astimezone(dash.tz).strftime("%d/%m/%Y") if found else ""
        status = 404 if typed and found is None else 200
        return dash.render(
            "certificate.html", request, status=status, user=user, csrf=dash.csrf(request), typed=typed,
            found=found, day=day,
        )

    return page
