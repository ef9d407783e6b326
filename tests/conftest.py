"""Shared fixtures: a real database (SQLite file, or PostgreSQL with HOCVUSO_TEST_DB=postgres),
a started Runtime with a controllable clock, and a chat driver that talks to the engine."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.config import PROJECT_ROOT, Settings
from bot.messages import Button, Incoming, Kind, Reply
from bot.runtime import Runtime

PG_ADMIN_DSN = os.environ.get("HOCVUSO_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")
USE_POSTGRES = os.environ.get("HOCVUSO_TEST_DB", "sqlite") == "postgres"


def run_cli(
    *args: str, database_url: str, stdin: str = "", cwd: Path = PROJECT_ROOT, timeout: float = 180, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` as a user would, with no platform token and the given settings."""
    environment = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", **env}
    environment.pop("TELEGRAM_BOT_TOKEN", None)
    environment.pop("ZALO_BOT_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=timeout,
    )


@dataclass
class Clock:
    """A controllable aware-UTC clock: `clock()` reads it, `advance()` moves it."""

    now: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


async def create_pg_database() -> tuple[str, str]:
    """A throwaway PostgreSQL database; returns (sqlalchemy url, name)."""
    name = f"hocvuso_test_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{name}", name


async def drop_pg_database(name: str) -> None:
    conn = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


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


class Chat:
    """Drives the engine like a person on a chat app: types text, taps buttons by label or number."""

    def __init__(self, runtime: Runtime, channel: str = "console") -> None:
        self.runtime = runtime
        self.channel = channel
        self.last: dict[str, list[Reply]] = {}
        self._update = 0

    def buttons(self, user: str) -> list[Button]:
        shown = [r for r in self.last.get(user, []) if r.buttons]
        return shown[-1].all_buttons() if shown else []

    async def send(self, incoming: Incoming) -> list[Reply]:
        replies = await self.runtime.handle(incoming)
        self.last[incoming.user_id] = replies
        return replies

    async def say(self, user: str, text: str) -> list[Reply]:
        """Type text (a number or a label resolves to a shown button in the engine)."""
        self._update += 1
        return await self.send(Incoming(self.channel, user, Kind.TEXT, text=text, update_id=f"{user}:{self._update}"))

    async def tap(self, user: str, label_part: str) -> list[Reply]:
        """Tap the last shown button whose label contains `label_part`."""
        for button in self.buttons(user):
            if label_part in button.label:
                return await self.tap_payload(user, button.payload)
        labels = [b.label for b in self.buttons(user)]
        raise AssertionError(f"no button containing {label_part!r} in {labels}")

    async def tap_payload(self, user: str, payload: str) -> list[Reply]:
        self._update += 1
        return await self.send(
            Incoming(self.channel, user, Kind.BUTTON, payload=payload, update_id=f"{user}:{self._update}")
        )

    def text(self, user: str) -> str:
        return "\n".join(r.text for r in self.last.get(user, []))

    async def onboard(self, user: str, commune: str = "Hà Long", village: str = "Thôn 3") -> None:
        """Consent and choose a place."""
        await self.say(user, "/start")
        await self.tap(user, "Đồng ý")
        await self.tap(user, commune)
        await self.tap(user, village)


@pytest.fixture
def chat(runtime: Runtime) -> Chat:
    return Chat(runtime)


@pytest.fixture(scope="session")
def repo_root() -> Iterator[Path]:
    yield PROJECT_ROOT
