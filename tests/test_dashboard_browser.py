"""End to end in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook

import bot.engine.flows.official  # noqa: F401  (registers /dangnhap)
from bot import formatting
from bot.runtime import Runtime
from bot.services import periods
from tests.support.browser import BROWSER_MARKS, link_from_chat, official
from tests.support.chat import Chat
from tests.support.clock import Clock
from tests.support.stats_data import expected_villages, generate, store

pytestmark = BROWSER_MARKS


async def test_official_journey_in_chromium(
    runtime: Runtime, chat: Chat, clock: Clock, server: str, browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    data = generate(runtime, n=200, seed=21)
    await store(runtime, data)
    await official(runtime, chat, "canbo", "ha-long")
    exp = expected_villages(runtime, data, "ha-long", periods.all_time(clock()))

    ctx = await browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)
    page = await ctx.new_page()

    # no session -> login page
    await page.goto(f"{server}/xa/ha-long")
    assert page.url == f"{server}/dangnhap"
    assert "Gõ /dangnhap" in (await page.inner_text("main")).replace("\n", " ")

    # one-time link from chat -> overview with the right numbers
    link = await link_from_chat(chat, "canbo")
    await page.goto(link)
    await page.click("#login")
    await page.wait_for_url(f"{server}/xa/ha-long")
    registered = sum(e["registered"] for e in exp.values())
    core = sum(e["core"] for e in exp.values())
    adults = runtime.app_ctx.places.communes["ha-long"].adults
    assert await page.inner_text('[data-stat="registered"] .value') == formatting.fmt_int(registered)
    assert await page.inner_text('[data-stat="core"] .value') == formatting.fmt_int(core)
    assert await page.inner_text('[data-stat="coverage"] .value') == formatting.fmt_pct(core / adults)
    assert await page.evaluate("document.querySelector('img.chart').naturalWidth") > 300
    # phone width: the page does not scroll sideways (tables scroll inside their own box)
    assert await page.evaluate("document.documentElement.scrollWidth") <= 390
    await page.screenshot(path=str(tmp_path / "overview.png"), full_page=True)

    # a village
    await page.click('tr[data-village="ha-long-thon-2"] a')
    await page.wait_for_url(re.compile(r".*/xa/ha-long/thon/ha-long-thon-2.*"))
    assert await page.inner_text("h1") == "Thôn 2"
    assert await page.inner_text('[data-stat="registered"] .value') == str(exp["ha-long-thon-2"]["registered"])

    # the XLSX download
    await page.goto(f"{server}/xa/ha-long")
    async with page.expect_download() as info:
        await page.click("#export-xlsx")
    download = await info.value
    assert download.suggested_filename == "bao-cao-ha-long-all.xlsx"
    saved = tmp_path / download.suggested_filename
    await download.save_as(saved)
    rows = {r[1]: r[1:] for r in load_workbook(saved)["Theo thôn"].iter_rows(min_row=10, values_only=True)}
    assert rows["Tổng cộng"][2] == registered and rows["Tổng cộng"][5] == core

    # commune B is refused to commune A's official
    resp = await page.goto(f"{server}/xa/bach-ngoc")
    assert resp is not None and resp.status == 403
    assert "xã mình" in await page.inner_text("main")
    resp = await page.goto(f"{server}/xa/bach-ngoc/xuat.csv")
    assert resp is not None and resp.status == 403

    # the used link is refused, in a fresh browser too
    other = await browser.new_context()
    p2 = await other.new_page()
    resp = await p2.goto(link)
    assert resp is not None and resp.status == 403
    assert "đã được dùng" in await p2.inner_text("main")

    # an expired link is refused
    late = await link_from_chat(chat, "canbo")
    clock.advance(timedelta(minutes=11))
    await p2.goto(late)
    assert "hết hạn" in await p2.inner_text("main")
    assert await p2.query_selector("#login") is None

    # logout ends the session
    await page.goto(f"{server}/xa/ha-long")
    await page.click(".logout button")
    await page.wait_for_url(f"{server}/dangnhap")
    await page.goto(f"{server}/xa/ha-long")
    assert page.url == f"{server}/dangnhap"
    await other.close()
    await ctx.close()
