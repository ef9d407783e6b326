"""Local mode is whole: `hocvuso` with no platform token runs the console chat and serves the web app
on 127.0.0.1 beside it, so the /dangnhap link printed in the chat opens the dashboard in Chromium."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT
from tests.support.browser import BROWSER_MARKS
from tests.support.cli import run_cli
from tests.support.processes import free_port

pytestmark = BROWSER_MARKS


async def _read_until(stream: asyncio.StreamReader, pattern: re.Pattern[str], seen: list[str]) -> re.Match[str]:
    while True:
        line = await asyncio.wait_for(stream.readline(), 60)
        assert line, "the process ended: " + "".join(seen)
        seen.append(line.decode())
        if m := pattern.search(seen[-1]):
            return m


async def test_dangnhap_link_opens_the_dashboard(tmp_path: Path, browser) -> None:  # type: ignore[no-untyped-def]
    db = f"sqlite+aiosqlite:///{tmp_path / 'local.db'}"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    made = run_cli("invite", "create", "--role", "official", "--commune", "ha-long", database_url=db)
    assert made.returncode == 0, made.stderr
    code = made.stdout.split()[0]

    env = {**os.environ, "DATABASE_URL": db, "LOG_LEVEL": "WARNING", "WEB_PORT": str(port), "PUBLIC_BASE_URL": base}
    for name in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN", "ZALO_OA_APP_ID", "ZALO_OA_SECRET_KEY"):
        env.pop(name, None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", cwd=PROJECT_ROOT, env=env,
        stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    assert proc.stdin and proc.stdout and proc.stderr
    seen: list[str] = []
    try:
        await _read_until(proc.stderr, re.compile(r"Trang thống kê: " + re.escape(base)), seen)
        for line in ("1", "ha long", "thon 3", f"/ma {code}", "/dangnhap"):
            proc.stdin.write(line.encode() + b"\n")
        await proc.stdin.drain()
        link = (await _read_until(proc.stdout, re.compile(re.escape(base) + r"/dangnhap/\S+"), seen)).group(0)

        page = await (await browser.new_context(viewport={"width": 390, "height": 844})).new_page()
        await page.goto(link)
        await page.click("#login")
        await page.wait_for_url(f"{base}/xa/ha-long")
        assert "Xã Hà Long" in await page.inner_text("h1")
    finally:
        proc.stdin.close()
        await asyncio.wait_for(proc.wait(), 60)
    assert proc.returncode == 0
    assert "Traceback" not in (await proc.stderr.read()).decode()
