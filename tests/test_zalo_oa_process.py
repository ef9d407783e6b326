"""The done-when journey of the Zalo OA channel through the real `hocvuso run` process: a resident follows
the commune's OA, is greeted, consents, chooses a place, takes a lesson and its quiz by tapping OA buttons
(and another by typing the numbers), every event posted to /webhook/zalo-oa signed like Zalo does, the
fake OA (OAuth v4 + OpenAPI v3) on 127.0.0.1. Then the process's whole log, at DEBUG, is searched for
the secret key and every token the fake handed out: none may appear."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
import pytest_asyncio

from bot.config import PROJECT_ROOT
from bot.content.loader import load_catalog
from bot.db.session import create_engine, create_sessionmaker
from tests.fakes.zalo_oa_server import APP_ID, FIRST_REFRESH, SECRET_KEY, FakeOaServer
from tests.support.processes import free_port
from tests.support.zalo_oa import Resident, fake_oa, journey_in


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeOaServer]:
    async with fake_oa(quota_per_48h=10_000) as server:
        yield server


async def healthz(url: str) -> dict[str, object] | None:
    try:
        async with aiohttp.ClientSession() as session, session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as r:
            return dict(await r.json())
    except (aiohttp.ClientError, TimeoutError, ValueError):
        return None


@pytest.mark.slow
async def test_oa_journeys_through_hocvuso_run_and_no_secret_in_its_logs(
    fake: FakeOaServer, database_url: str, tmp_path: Path
) -> None:
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "WEB_PORT": str(port), "LOG_LEVEL": "DEBUG",
           "ZALO_OA_APP_ID": APP_ID, "ZALO_OA_SECRET_KEY": SECRET_KEY, "ZALO_OA_REFRESH_TOKEN": FIRST_REFRESH,
           "ZALO_OA_API_BASE_URL": fake.base_url, "ZALO_OAUTH_BASE_URL": fake.base_url, "ZALO_OA_RATE": "100"}
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "WEBHOOK_URL"):
        env.pop(name, None)
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=PROJECT_ROOT, env=env, stdout=out, stderr=asyncio.subprocess.STDOUT
        )
    engine = create_engine(database_url)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            health = await healthz(f"{base}/healthz")
            if health and health.get("ok"):
                break
            assert bot.returncode is None, log.read_text(errors="replace")
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("hocvuso run never became healthy:\n" + log.read_text(errors="replace"))
        assert health is not None and health["checks"] == {"database": True, "channel:zalo_oa": True}

        catalog = load_catalog(PROJECT_ROOT / "content" / "lessons")
        sessionmaker = create_sessionmaker(engine)
        webhook = f"{base}/webhook/zalo-oa"
        await journey_in(catalog, sessionmaker, Resident(fake, webhook, "oa-proc-lan"))
        await journey_in(catalog, sessionmaker, Resident(fake, webhook, "oa-proc-tu", by_numbers=True))
        status, _ = await fake.post_event(webhook, fake.event("follow", "oa-proc-x"), signature="mac=0")
        assert status == 401
        assert fake.refused == []
    finally:
        if bot.returncode is None:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 60)
        await engine.dispose()
    text = log.read_text(errors="replace")
    assert "DEBUG" in text and "zalo-oa" in text  # the log really is the detailed one
    for secret in (SECRET_KEY, FIRST_REFRESH, fake.refresh_token, *fake.access):
        assert secret not in text, f"a token or the secret key is in the log: {secret[:6]}…"
