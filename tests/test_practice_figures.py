"""The «thực hành» figure beside /tiendo and /thongke: on the dashboard (card, village column, village page)
and in the report (the xlsx summary row and village column), after a resident scans her practice QR code."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from bot.runtime import Runtime
from bot.services import periods, reports, stats
from bot.web.app import create_web_app
from tests.support.chat import Chat
from tests.support.clock import Clock
from tests.support.dashboard import add_user, new_link
from tests.support.reports import table

QR_LESSON = "Mã QR là gì và cách trả tiền bằng mã QR"


@pytest.fixture
async def web(runtime: Runtime) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_web_app(runtime), host="127.0.0.1")) as client:
        yield client


async def practise(chat: Chat, web: TestClient, user: str) -> None:
    """Open the QR lesson, walk to its practice step and open the link the QR code holds."""
    await chat.onboard(user)
    await chat.say(user, "quet ma qr")
    await chat.tap(user, QR_LESSON)
    while any(b.label == "Tiếp ▶" for b in chat.buttons(user)):
        await chat.tap(user, "Tiếp ▶")
    [link] = [r.link for r in chat.last[user] if r.link]
    assert (await web.get(urlsplit(link).path)).status == 200


async def test_practice_shows_on_the_dashboard_and_in_the_report(
    runtime: Runtime, chat: Chat, web: TestClient, clock: Clock
) -> None:
    await practise(chat, web, "ba-lan")
    clock.advance(timedelta(minutes=1))

    official = await add_user(runtime, "cb-hl", "official", "ha-long")
    path = await new_link(runtime, official)
    origin = {"Origin": str(web.make_url("")).rstrip("/")}
    assert (await web.post(path, headers=origin, allow_redirects=False)).status == 302
    html = await (await web.get("/xa/ha-long")).text()
    assert re.search(r'data-stat="practiced"><span class="label">Thực hành</span><span class="value">1</span>', html)
    row = re.search(r'<tr[^>]*data-village="ha-long-thon-3">(.*?)</tr>', html, re.S)
    assert row and re.search(r'data-label="Thực hành">1<', row.group(1))
    village = await (await web.get("/xa/ha-long/thon/ha-long-thon-3")).text()
    assert re.search(r'data-stat="practiced">.*?<span class="value">1</span>', village, re.S)

    async with runtime.sessionmaker() as session:
        ov = await stats.commune_overview(session, runtime.app_ctx, "ha-long", periods.all_time(clock()))
    wb = load_workbook(io.BytesIO(reports.overview_xlsx(ov, runtime.app_ctx.settings.tz, clock())))
    _head, rows = table(wb["Tổng hợp"])
    assert {r[1]: r[3] for r in rows}["Người thực hành (tự quét mã QR thật)"] == 1
    head, rows = table(wb["Theo thôn"])
    col = head.index("Người thực hành (quét mã QR thật)")
    by_name = {r[1]: r for r in rows}
    assert by_name["Thôn 3"][col] == 1 and by_name["Thôn 1"][col] == 0 and by_name["Tổng cộng"][col] == 1
    # the downloaded workbook says the same
    xlsx = await web.get("/xa/ha-long/xuat.xlsx")
    _head, rows = table(load_workbook(io.BytesIO(await xlsx.read()))["Theo thôn"])
    assert {r[1]: r[col] for r in rows}["Thôn 3"] == 1
