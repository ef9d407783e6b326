"""Fixtures only (helpers live in tests/support): a real database (SQLite file, or PostgreSQL with
HOCVUSO_TEST_DB=postgres), a started Runtime with a controllable clock, and a chat driver."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web

from bot.config import PROJECT_ROOT, Settings
from bot.runtime import Runtime
from bot.web.dashboard import setup_dashboard
from tests.support.browser import ARGS, CHROMIUM
from tests.support.chat import Chat
from tests.support.clock import Clock
from tests.support.pg import USE_POSTGRES, create_pg_database, drop_pg_database
from tests.support.web_app import serve_app


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    if not USE_POSTGRES:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    url, name = await create_pg_database()
    try:
        yield url
    finally:
        await drop_pg_database(name)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        content_dir=PROJECT_ROOT / "content",
        voice_cache_dir=tmp_path / "voice",
        uploads_dir=tmp_path / "media" / "uploads",
        telegram_bot_token=None,
        zalo_bot_token=None,
    )


@pytest.fixture
async def runtime(settings: Settings, clock: Clock) -> AsyncIterator[Runtime]:
    rt = await Runtime.create(settings, clock=clock)
    try:
        yield rt
    finally:
        await rt.close()


@pytest.fixture
def chat(runtime: Runtime) -> Chat:
    return Chat(runtime)


@pytest.fixture(scope="session")
def repo_root() -> Iterator[Path]:
    yield PROJECT_ROOT


@pytest.fixture
async def server(runtime: Runtime) -> AsyncIterator[str]:
    """The web dashboard on a free 127.0.0.1 port; yields its base URL."""
    app = web.Application()
    setup_dashboard(app, runtime.sessionmaker, runtime.app_ctx)
    async with serve_app(app, runtime) as base:
        yield base


@pytest.fixture
async def browser() -> AsyncIterator[object]:
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        b = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            await b.close()
