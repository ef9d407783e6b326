"""The one aiohttp application: dashboard, webhooks, /healthz, /metrics and lesson pictures."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Protocol

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app_context import AppContext
from bot.config import Settings
from bot.web.checkin import setup_checkin
from bot.web.dashboard import setup_dashboard
from bot.web.downloads import setup_downloads
from bot.web.file_links import setup_file_links
from bot.web.health import HealthNote, HealthProbe, setup_health
from bot.web.practice import setup_practice
from bot.web.security import harden

WebhookHandler = Callable[[web.Request], Awaitable[web.Response]]


class Opened(Protocol):
    """What the web app needs of the opened application (bot.runtime.Runtime is one; the web app
    sits below the runtime, so it names only these parts)."""

    @property
    def settings(self) -> Settings: ...
    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]: ...
    @property
    def app_ctx(self) -> AppContext: ...


def create_web_app(
    runtime: Opened,
    webhooks: Mapping[str, WebhookHandler] | None = None,
    probes: Mapping[str, HealthProbe] | None = None,
    notes: Mapping[str, HealthNote] | None = None,
) -> web.Application:
    """`webhooks` maps a channel name to its handler, served at POST /webhook/<name>."""
    app = harden(web.Application(client_max_size=2 * 1024 * 1024))
    for name, handler in (webhooks or {}).items():
        app.router.add_post(f"/webhook/{name}", handler)
    setup_health(app, runtime.sessionmaker, probes or {}, runtime.settings.metrics_token, notes)
    uploads = runtime.settings.uploads_dir
    uploads.mkdir(parents=True, exist_ok=True)
    app.router.add_static("/media/uploads/", uploads, show_index=False, follow_symlinks=False)
    generated = {"/media/voice/": runtime.settings.voice_cache_dir, "/media/practice/": runtime.settings.practice_dir}
    for route, folder in generated.items():  # file names are content hashes / unguessable
        folder.mkdir(parents=True, exist_ok=True)
        app.router.add_static(route, folder, show_index=False, follow_symlinks=False)
    media = runtime.settings.content_dir / "media"
    if media.is_dir():
        app.router.add_static("/media/", media, show_index=False, follow_symlinks=False)
    setup_dashboard(app, runtime.sessionmaker, runtime.app_ctx)
    setup_practice(app, runtime.sessionmaker, runtime.app_ctx)
    setup_checkin(app, runtime.sessionmaker, runtime.app_ctx)
    setup_downloads(app, runtime.sessionmaker, runtime.app_ctx)
    setup_file_links(app, runtime.sessionmaker, runtime.app_ctx)
    return app


async def listen(runner: web.AppRunner, host: str, port: int) -> str | None:
    """Serve the set-up `runner` on host:port. None when it listens; otherwise the one line that says which
    setting to change (a busy port is a setting, not a traceback)."""
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as err:
        return f"cannot serve the web app on {host}:{port} ({err.strerror}); set WEB_PORT to a free port"
    return None
