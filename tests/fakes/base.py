"""What every in-process aiohttp fake shares: serving an app on a free 127.0.0.1 port, and stopping it."""

from __future__ import annotations

from typing import Any

from aiohttp import web


async def start_site(
    app: web.Application, host: str = "127.0.0.1", port: int = 0, **runner_options: Any
) -> tuple[web.AppRunner, str]:
    """Serve `app` on host:port (0: a free port); returns the runner (`cleanup()` stops it) and the base URL."""
    runner = web.AppRunner(app, **runner_options)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner, f"http://{host}:{runner.addresses[0][1]}"


class AiohttpFake:
    """An in-process fake platform: a subclass builds its routes in `app()`; `await start()` returns
    its base URL, `await stop()` closes it."""

    _runner: web.AppRunner | None = None
    base_url: str = ""

    def app(self) -> web.Application:
        raise NotImplementedError

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        self._runner, self.base_url = await start_site(self.app(), host, port, access_log=None)
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
