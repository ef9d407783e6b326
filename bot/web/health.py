"""Operator endpoints: /healthz (database and channels) and /metrics (Prometheus text format).

A channel that is up but paused (Zalo's quota used up) stays "ok" — restarting would not help — and is
listed under "paused" with its reason on /healthz, and as `hocvuso_channel_paused{channel} 1` on /metrics.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
from collections.abc import Callable, Mapping

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.db.models import OutboxMessage
from bot.observability import CHANNEL_PAUSED, CHANNEL_UP, OUTBOX

log = logging.getLogger(__name__)

HealthProbe = Callable[[], bool]
"""Returns True while a part (a channel adapter) is up."""

HealthNote = Callable[[], str | None]
"""Returns why a channel is paused (e.g. out of quota), None while it sends normally."""


_FORWARDED = ("Forwarded", "X-Forwarded-For", "X-Real-IP")


def metrics_allowed(request: web.Request, token: str | None) -> int | None:
    """None when /metrics may be answered, else the HTTP status to refuse with.

    With a token: `Authorization: Bearer <token>` is required. Without one: only a direct request from
    this machine (a reverse proxy that forwards a request adds X-Forwarded-For / Forwarded)."""
    if token:
        given = request.headers.get("Authorization", "")
        ok = given.startswith("Bearer ") and hmac.compare_digest(given[7:].encode(), token.encode())
        return None if ok else 401
    try:
        local = ipaddress.ip_address(request.remote or "").is_loopback
    except ValueError:
        local = False
    if local and not any(name in request.headers for name in _FORWARDED):
        return None
    return 403


def setup_health(
    app: web.Application,
    sessionmaker: async_sessionmaker[AsyncSession],
    probes: Mapping[str, HealthProbe],
    metrics_token: str | None = None,
    notes: Mapping[str, HealthNote] | None = None,
) -> None:
    notes = notes or {}

    async def healthz(request: web.Request) -> web.Response:
        checks: dict[str, bool] = {}
        try:
            async with sessionmaker() as session:
                await session.execute(text("SELECT 1"))
            checks["database"] = True
        except Exception:
            log.exception("health check: database unreachable")
            checks["database"] = False
        for name, probe in probes.items():
            checks[f"channel:{name}"] = bool(probe())
        ok = all(checks.values())
        body: dict[str, object] = {"ok": ok, "checks": checks}
        paused = {name: note for name, get in notes.items() if (note := get())}
        if paused:
            body["paused"] = paused
        return web.json_response(body, status=200 if ok else 503)

    async def metrics(request: web.Request) -> web.Response:
        refused = metrics_allowed(request, metrics_token)
        if refused is not None:
            headers = {"WWW-Authenticate": "Bearer"} if refused == 401 else None
            return web.Response(status=refused, text="metrics: not allowed\n", headers=headers)
        try:
            async with sessionmaker() as session:
                rows = await session.execute(
                    select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
                )
                counts = {status: int(n) for status, n in rows.all()}
            for status in ("pending", "sent", "failed", "blocked", "zalo_window", "zalo_quota"):
                OUTBOX.labels(status).set(counts.get(status, 0))
        except Exception:
            log.exception("metrics: could not read the outbox")
        for name, probe in probes.items():
            CHANNEL_UP.labels(name).set(1 if probe() else 0)
        for name, get in notes.items():
            CHANNEL_PAUSED.labels(name).set(1 if get() else 0)
        return web.Response(body=generate_latest(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
