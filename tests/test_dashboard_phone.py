"""The dashboard on a 390 px phone, in the real headless Chromium: no element wider than the screen,
every village figure readable without a sideways scroll, chart text at a readable size, and the
lesson table without the duplicate «Đạt kiểm tra» column."""

from __future__ import annotations

from pathlib import Path

from bot.runtime import Runtime
from bot.services import charts
from tests.support.browser import BROWSER_MARKS, link_from_chat, official
from tests.support.chat import Chat
from tests.support.stats_data import generate, store

pytestmark = BROWSER_MARKS

PHONE = 390
# elements wider than the viewport, or sticking out of it on the right
_OVERFLOW = """(w) => [...document.querySelectorAll('body *')]
  .filter(e => { const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > w + 0.5 || r.left < -0.5); })
  .map(e => e.tagName + (e.id ? '#' + e.id : '') + '.' + e.className)"""


async def _no_overflow(page, what: str) -> None:  # type: ignore[no-untyped-def]
    wide = await page.evaluate(_OVERFLOW, PHONE)
    assert wide == [], f"{what}: wider than {PHONE} px: {wide[:5]}"
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE, what


async def test_dashboard_fits_a_phone(runtime: Runtime, chat: Chat, server: str, browser, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    await store(runtime, generate(runtime, n=200, seed=5))
    await official(runtime, chat, "canbo", "ha-long")
    ctx = await browser.new_context(viewport={"width": PHONE, "height": 844}, device_scale_factor=2)
    page = await ctx.new_page()
    await page.goto(await link_from_chat(chat, "canbo"))
    await page.click("#login")
    await page.wait_for_url(f"{server}/xa/ha-long")
    await page.wait_for_function("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    await _no_overflow(page, "overview")

    # every village's figures are on screen, each under its label (a card per village)
    first = page.locator('tr[data-village="ha-long-thon-1"]')
    for label in ("Đăng ký", "Hoàn thành cốt lõi", "Tỷ lệ bao phủ", "Dự lớp"):
        cell = first.locator(f'td[data-label="{label}"]')
        box = await cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE, label
        shown = await cell.evaluate("e => getComputedStyle(e, '::before').content")
        assert shown == f'"{label}"'

    # chart text: the smallest font as displayed is at least 11 CSS px
    for img in await page.query_selector_all("img.chart"):
        natural, shown = await img.evaluate("i => [i.naturalWidth, i.getBoundingClientRect().width]")
        px = charts.MIN_FONT_PT * charts.DPI / 72 * shown / natural
        assert px >= 11, f"chart text shows at {px:.1f} px"
    await page.screenshot(path=str(tmp_path / "phone-overview.png"), full_page=True)

    pages = ("/xa/ha-long/bai-hoc", "/xa/ha-long/lop-hoc", "/xa/ha-long/huong-dan", "/xa/ha-long/thon/ha-long-thon-2")
    for path in pages:
        await page.goto(server + path)
        await _no_overflow(page, path)

    # the lesson table: «Hoàn thành» is passing the final quiz, so there is no separate «Đạt kiểm tra»
    await page.goto(server + "/xa/ha-long/bai-hoc")
    headers = await page.locator("#funnel th").all_inner_texts()
    assert headers == ["Bài học", "Bắt đầu", "Làm kiểm tra", "Hoàn thành (đạt kiểm tra)", "Tỷ lệ hoàn thành"]
    await ctx.close()
