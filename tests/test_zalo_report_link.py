"""/baocao on Zalo: the real ZaloChannel against the fake Zalo Bot API, the real web app on 127.0.0.1.
Zalo cannot receive files, so the official gets one-time download links (Excel, PDF) and a dashboard
login link; a download link gives the file once, then refuses."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio
from openpyxl import load_workbook

import bot.engine.flows.official  # noqa: F401  (registers /baocao)
from bot.runtime import Runtime
from bot.services.invites import create_invite
from bot.web.app import create_web_app
from tests.fakes.zalo_server import FakeZaloServer
from tests.support.web_app import serve_app
from tests.support.zalo_bot import Resident, fake_zalo_bot, polling, push_to


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeZaloServer]:
    async with fake_zalo_bot() as server:
        yield server


@pytest_asyncio.fixture
async def web_base(runtime: Runtime) -> AsyncIterator[str]:
    async with serve_app(create_web_app(runtime), runtime) as base:
        yield base


async def test_baocao_on_zalo_gives_a_link_that_downloads_once(
    runtime: Runtime, fake: FakeZaloServer, web_base: str
) -> None:
    official = Resident(fake, push_to(fake), "zalo-can-bo")
    async with polling(runtime, fake):
        out = await official.say("xin chào")
        out = await official.choose(out, "Đồng ý")
        await official.say("ha long")
        await official.say("thon 3")
        async with runtime.sessionmaker() as session, session.begin():
            places, now = runtime.app_ctx.places, runtime.app_ctx.clock()
            invite = await create_invite(session, places, "official", "ha-long", [], now)
        await official.say(f"/ma {invite.code}")
        out = await official.say("/baocao 10/2026")

    assert "không gửi được" not in out
    assert "Báo cáo Xã Hà Long, tháng 10/2026" in out
    xlsx = re.search(r"Excel: (http://127\.0\.0\.1:\d+/taive/\S+)", out)
    pdf = re.search(r"PDF: (http://127\.0\.0\.1:\d+/taive/\S+)", out)
    login = re.search(r"(http://127\.0\.0\.1:\d+/dangnhap/\S+)", out)
    assert xlsx and pdf and login, out

    async with aiohttp.ClientSession() as http:
        # opening the link shows a button; the page itself does not spend the link (link previews)
        async with http.get(xlsx.group(1)) as resp:
            assert resp.status == 200 and 'id="download"' in await resp.text()
        async with http.post(xlsx.group(1)) as resp:
            assert resp.status == 200
            assert "bao-cao-ha-long-10-2026.xlsx" in resp.headers["Content-Disposition"]
            body = await resp.read()
        wb = load_workbook(io.BytesIO(body))
        assert wb.sheetnames == ["Tổng hợp", "Theo thôn", "Theo bài học"]
        # the second time it refuses, kindly
        async with http.post(xlsx.group(1)) as resp:
            assert resp.status == 410
            text = await resp.text()
            assert "đã được dùng" in text and "/baocao" in text
            assert resp.headers["Content-Type"].startswith("text/html")
        async with http.get(xlsx.group(1)) as resp:
            assert resp.status == 410
        # the PDF link is its own one-time link
        async with http.post(pdf.group(1)) as resp:
            assert resp.status == 200 and (await resp.read()).startswith(b"%PDF-")
        async with http.post(pdf.group(1)) as resp:
            assert resp.status == 410
        # a made-up token is refused the same way
        async with http.post(xlsx.group(1)[:-4] + "abcd") as resp:
            assert resp.status == 410
        # the dashboard login link opens the login confirmation page
        async with http.get(login.group(1)) as resp:
            assert resp.status == 200 and 'id="login"' in await resp.text()
