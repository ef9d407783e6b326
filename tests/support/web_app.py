"""The bot's web app on a free 127.0.0.1 port, with the runtime's public base URL pointing at it."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from aiohttp import web

from bot.runtime import Runtime
from tests.fakes.base import start_site


@contextlib.asynccontextmanager
async def serve_app(app: web.Application, runtime: Runtime) -> AsyncIterator[str]:
    """Serve `app` while inside; yields its base URL, which links the bot writes (PUBLIC_BASE_URL) use."""
    runner, base = await start_site(app)
    runtime.app_ctx.settings = runtime.app_ctx.settings.model_copy(update={"public_base_url": base})
    try:
        yield base
    finally:
        await runner.cleanup()
