"""The fake Bot API validates like Telegram and works standalone (for subprocess crash tests)."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import aiohttp
from hypothesis import given
from hypothesis import strategies as st

from bot.channels.telegram_convert import split_text
from tests.fakes.telegram_server import DEFAULT_TOKEN, FakeTelegramServer
from tests.support.logs import json_records

ROOT = Path(__file__).resolve().parent.parent


async def _api(base: str, method: str, token: str = DEFAULT_TOKEN, **params: object) -> tuple[int, dict]:
    url = f"{base}/bot{token}/{method}"
    async with aiohttp.ClientSession() as session, session.post(url, json=params) as response:
        return response.status, await response.json()


async def test_fake_validates_like_telegram() -> None:
    async with FakeTelegramServer() as tg:
        tg.add_chat(1001)
        base = tg.base_url
        assert (await _api(base, "noSuchMethod"))[0] == 404
        assert (await _api(base, "getMe", token="1:wrong"))[0] == 401
        status, body = await _api(base, "sendMessage", chat_id=1001, text="x" * 4097)
        assert (status, body["description"]) == (400, "Bad Request: message is too long")
        assert (await _api(base, "sendMessage", chat_id=1001, text="   "))[0] == 400
        _, body = await _api(base, "sendMessage", chat_id=42, text="hi")
        assert body["description"] == "Bad Request: chat not found"
        bad_button = {"inline_keyboard": [[{"text": "A", "callback_data": "é" * 33}]]}  # 66 bytes
        assert (await _api(base, "sendMessage", chat_id=1001, text="hi", reply_markup=bad_button))[0] == 400
        not_rows = {"inline_keyboard": [{"text": "A", "callback_data": "a"}]}
        assert (await _api(base, "sendMessage", chat_id=1001, text="hi", reply_markup=not_rows))[0] == 400
        status, body = await _api(base, "sendMessage", chat_id=1001, text="x" * 4096)
        assert status == 200 and body["result"]["message_id"] == 1
        status, body = await _api(base, "sendMessage", chat_id=1001, text="tiếp")
        assert body["result"]["message_id"] == 2 and body["result"]["from"]["is_bot"] is True


async def test_fake_blocked_and_injected_failures() -> None:
    async with FakeTelegramServer() as tg:
        tg.add_chat(1001)
        tg.block(1001)
        status, body = await _api(tg.base_url, "sendMessage", chat_id=1001, text="hi")
        assert (status, body["description"]) == (403, "Forbidden: bot was blocked by the user")
        tg.unblock(1001)
        tg.fail_next("sendMessage", status=429, retry_after=3)
        status, body = await _api(tg.base_url, "sendMessage", chat_id=1001, text="hi")
        assert status == 429 and body["parameters"] == {"retry_after": 3}
        assert (await _api(tg.base_url, "sendMessage", chat_id=1001, text="hi"))[0] == 200  # one-shot


async def test_fake_overall_rate_limit() -> None:
    async with FakeTelegramServer(any_chat=True) as tg:
        tg.set_rate_limit(overall=5)
        statuses = [(await _api(tg.base_url, "sendMessage", chat_id=1000 + i, text="hi"))[0] for i in range(8)]
        assert statuses == [200] * 5 + [429] * 3


async def test_fake_get_updates_long_poll_and_offset() -> None:
    async with FakeTelegramServer() as tg:
        poll = asyncio.create_task(_api(tg.base_url, "getUpdates", timeout=5))
        await asyncio.sleep(0.1)
        assert not poll.done()  # long poll waits for an update
        first = tg.push_message(1001, "xin chào")
        _, body = await asyncio.wait_for(poll, 2)
        assert [u["update_id"] for u in body["result"]] == [first]
        second = tg.push_message(1001, "lần hai")
        _, body = await _api(tg.base_url, "getUpdates", offset=first + 1, timeout=0)
        assert [u["update_id"] for u in body["result"]] == [second]  # the first is confirmed


async def test_fake_runs_standalone_and_logs_sends(tmp_path: Path) -> None:
    log = tmp_path / "sent.jsonl"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fakes.telegram_server", "--port", "0", "--log", str(log), "--any-chat",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert proc.stdout is not None
        line = (await asyncio.wait_for(proc.stdout.readline(), 10)).decode()
        base = re.search(r"http://127\.0\.0\.1:\d+", line).group(0)  # type: ignore[union-attr]
        for i in range(3):
            assert (await _api(base, "sendMessage", chat_id=7000 + i, text=f"Thông báo {i}"))[0] == 200
        async with aiohttp.ClientSession() as session, session.post(f"{base}/_fake/block", json={"chat_id": 7000}) as r:
            assert r.status == 200
        assert (await _api(base, "sendMessage", chat_id=7000, text="bị chặn"))[0] == 403
    finally:
        proc.terminate()
        await proc.wait()
    lines = json_records(log)
    assert [(x["chat_id"], x["text"]) for x in lines] == [(7000 + i, f"Thông báo {i}") for i in range(3)]


@given(st.text(alphabet=st.sampled_from(list("ab cđ\n")), max_size=3000), st.integers(min_value=20, max_value=300))
def test_split_text_keeps_every_word_and_respects_limit(text: str, limit: int) -> None:
    chunks = split_text(text, limit)
    assert all(0 < len(c) <= limit and c.strip() for c in chunks)
    assert "".join("".join(c.split()) for c in chunks) == "".join(text.split())  # nothing lost or added
    if all(len(word) <= limit for word in text.split()):
        assert " ".join(chunks).split() == text.split()  # words are never cut when they fit
