"""`hocvuso zalo-oa connect` and `status` as an operator runs them (real processes), against the fake Zalo
OA on 127.0.0.1: the permission URL carries a PKCE challenge, the pasted code is exchanged with its
verifier, the tokens land in the database, and nothing secret is printed."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlparse

import pytest_asyncio

from bot.config import PROJECT_ROOT
from tests.fakes.zalo_oa_server import APP_ID, SECRET_KEY, FakeOaServer
from tests.support.zalo_oa import fake_oa


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeOaServer]:
    async with fake_oa() as server:
        yield server


def env(fake: FakeOaServer, database_url: str) -> dict[str, str]:
    out = {**os.environ, "DATABASE_URL": database_url, "LOG_LEVEL": "INFO", "ZALO_OA_APP_ID": APP_ID,
           "ZALO_OA_SECRET_KEY": SECRET_KEY, "ZALO_OA_API_BASE_URL": fake.base_url,
           "ZALO_OAUTH_BASE_URL": fake.base_url}
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "ZALO_OA_REFRESH_TOKEN"):
        out.pop(name, None)
    return out


async def hocvuso(fake: FakeOaServer, database_url: str, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "zalo-oa", *args, cwd=PROJECT_ROOT, env=env(fake, database_url),
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def test_connect_then_status(fake: FakeOaServer, database_url: str) -> None:
    status = await hocvuso(fake, database_url, "status")
    out, _ = await asyncio.wait_for(status.communicate(), 60)
    assert status.returncode == 1 and "Not connected" in out.decode()

    connect = await hocvuso(fake, database_url, "connect", "--redirect-uri", "https://xa.example.vn/cb")
    assert connect.stdout is not None and connect.stdin is not None
    url = ""
    while not url:
        line = (await asyncio.wait_for(connect.stdout.readline(), 60)).decode()
        assert line, "connect ended before printing the permission URL"
        if "/v4/oa/permission?" in line:
            url = line.strip()
    query = parse_qs(urlparse(url).query)
    assert query["app_id"] == [APP_ID] and query["redirect_uri"] == ["https://xa.example.vn/cb"]
    fake.authorize("code-from-zalo", query["code_challenge"][0])  # the admin allowed access
    connect.stdin.write(b"code-from-zalo\n")
    await connect.stdin.drain()
    rest, err = await asyncio.wait_for(connect.communicate(), 60)
    assert connect.returncode == 0, err.decode()
    assert "Connected" in rest.decode()
    assert [c["grant_type"] for c in fake.oauth_calls] == ["authorization_code"]

    status = await hocvuso(fake, database_url, "status")
    out, err2 = await asyncio.wait_for(status.communicate(), 60)
    assert status.returncode == 0, out.decode() + err2.decode()
    assert "The connection works" in out.decode()
    printed = url + rest.decode() + err.decode() + out.decode() + err2.decode()
    for secret in (SECRET_KEY, fake.refresh_token, *fake.access):
        assert secret not in printed


async def test_a_wrong_code_stores_nothing(fake: FakeOaServer, database_url: str) -> None:
    connect = await hocvuso(fake, database_url, "connect")
    out, err = await asyncio.wait_for(connect.communicate(b"not-a-real-code\n"), 60)
    assert connect.returncode == 1 and "nothing stored" in err.decode()
    status = await hocvuso(fake, database_url, "status")
    out, _ = await asyncio.wait_for(status.communicate(), 60)
    assert status.returncode == 1 and "Not connected" in out.decode()
