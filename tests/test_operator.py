"""The operator's view: /healthz, /metrics (Prometheus), JSON logs carrying the update id, and
`hocvuso db backup` (SQLite online backup; PostgreSQL is pointed to pg_dump)."""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.config import PROJECT_ROOT, Settings
from bot.db.backup import BackupError, backup_sqlite
from bot.db.repositories import outbox as outbox_repo
from bot.db.repositories import users as users_repo
from bot.db.session import create_engine, create_sessionmaker
from bot.engine import texts
from bot.observability import setup_logging
from bot.runtime import Runtime
from bot.web.app import create_web_app
from bot.web.health import setup_health
from tests.support.chat import Chat
from tests.support.cli import run_cli
from tests.support.processes import metric


# ---------- /healthz and /metrics ----------
@pytest.fixture
async def web_client(runtime: Runtime) -> AsyncIterator[tuple[TestClient, dict[str, bool]]]:
    channel_up = {"telegram": True}
    app = create_web_app(runtime, probes={"telegram": lambda: channel_up["telegram"]})
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client, channel_up


async def test_healthz_reports_database_and_channels(web_client: tuple[TestClient, dict[str, bool]]) -> None:
    client, channel_up = web_client
    resp = await client.get("/healthz")
    assert resp.status == 200
    assert await resp.json() == {"ok": True, "checks": {"database": True, "channel:telegram": True}}

    channel_up["telegram"] = False  # e.g. the Telegram adapter stopped
    resp = await client.get("/healthz")
    assert resp.status == 503
    assert await resp.json() == {"ok": False, "checks": {"database": True, "channel:telegram": False}}


async def test_healthz_fails_when_the_database_is_unreachable() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nothing")  # nothing listens on port 1
    app = web.Application()
    setup_health(app, create_sessionmaker(engine), {"telegram": lambda: True})
    try:
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            resp = await client.get("/healthz")
            assert resp.status == 503
            assert await resp.json() == {"ok": False, "checks": {"database": False, "channel:telegram": True}}
    finally:
        await engine.dispose()


async def test_metrics_count_updates_latency_and_outbox_depth(
    web_client: tuple[TestClient, dict[str, bool]], runtime: Runtime, chat: Chat
) -> None:
    client, channel_up = web_client

    async def scrape() -> str:
        resp = await client.get("/metrics")
        assert resp.status == 200
        assert resp.content_type == "text/plain"
        return await resp.text()

    before = await scrape()
    await chat.onboard("metrics-1")  # four updates
    await chat.onboard("metrics-2")
    after = await scrape()
    label = 'channel="console"'
    assert metric(after, "hocvuso_updates_total", label) - metric(before, "hocvuso_updates_total", label) == 8
    latency = "hocvuso_update_seconds_count"
    assert metric(after, latency, label) - metric(before, latency, label) == 8
    assert metric(after, "hocvuso_update_seconds_sum", label) > metric(before, "hocvuso_update_seconds_sum", label)
    assert 'hocvuso_update_seconds_bucket{channel="console",le="0.1"}' in after

    async with runtime.sessionmaker() as session, session.begin():
        people = [await users_repo.get_with_state(session, "console", u) for u in ("metrics-1", "metrics-2")]
        recipients = [outbox_repo.Recipient(p[0].id, "console", p[0].chat_id) for p in people if p]
        await outbox_repo.enqueue(session, "ann:metrics", recipients, "Thông báo thử", runtime.app_ctx.clock())
    scraped = await scrape()
    assert metric(scraped, "hocvuso_outbox_messages", 'status="pending"') == 2  # the outbox depth
    async with runtime.sessionmaker() as session, session.begin():
        claimed = await outbox_repo.claim(
            session, "op-test", runtime.app_ctx.clock(), 1, timedelta(seconds=60), ["console"]
        )
        await outbox_repo.mark(session, [c.id for c in claimed], outbox_repo.SENT, runtime.app_ctx.clock())
    scraped = await scrape()
    assert metric(scraped, "hocvuso_outbox_messages", 'status="pending"') == 1
    assert metric(scraped, "hocvuso_outbox_messages", 'status="sent"') == 1
    assert metric(scraped, "hocvuso_channel_up", 'channel="telegram"') == 1
    channel_up["telegram"] = False
    assert metric(await scrape(), "hocvuso_channel_up", 'channel="telegram"') == 0
    for family in ("hocvuso_scheduler_leader", "hocvuso_outbox_sends_total"):
        assert f"# TYPE {family}" in scraped


# ---------- structured logs ----------
async def test_json_logs_carry_the_update_id_of_a_failed_turn(
    runtime: Runtime, chat: Chat, capsys: pytest.CaptureFixture[str]
) -> None:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    setup_logging("INFO", "json")
    try:
        await chat.onboard("log-1")
        drop = "DROP TABLE conversation_states" + ("" if runtime.settings.is_sqlite else " CASCADE")
        async with runtime.db.begin() as conn:  # the database breaks under the bot
            await conn.execute(text(drop))
        replies = await chat.say("log-1", "/menu")
        update_id = f"log-1:{chat._update}"
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    assert [r.text for r in replies] == [texts.SORRY]  # a kind reply, no traceback to the person
    records = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    failed = [r for r in records if r["level"] == "ERROR"]
    assert failed, records
    assert failed[0]["update_id"] == f"console:{update_id}"
    assert "conversation_states" in failed[0]["exception"]
    assert {"time", "level", "logger", "message", "update_id"} <= set(failed[0])


# ---------- backup ----------
def sqlite_settings(path: Path) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=f"sqlite+aiosqlite:///{path}", content_dir=PROJECT_ROOT / "content",
        telegram_bot_token=None, zalo_bot_token=None,
    )


async def test_sqlite_backup_taken_while_busy_restores_the_people(tmp_path: Path) -> None:
    live = sqlite_settings(tmp_path / "live.db")
    runtime = await Runtime.create(live)
    try:
        chat = Chat(runtime)
        await chat.onboard("ba-lan")

        async def busy() -> None:  # other residents keep writing while the copy is made
            for i in range(30):
                await chat.say(f"busy-{i}", "/start")
                await chat.say(f"busy-{i}", "1")

        copy, _ = await asyncio.gather(backup_sqlite(live.database_url, tmp_path / "copies" / "b.db"), busy())
    finally:
        await runtime.close()
    assert copy == tmp_path / "copies" / "b.db"
    assert sorted(p.name for p in copy.parent.iterdir()) == ["b.db"]  # no partial file, no -wal needed
    moved = tmp_path / "restore" / "hocvuso.db"
    moved.parent.mkdir()
    shutil.copy(copy, moved)  # the single file is the whole backup
    with sqlite3.connect(moved) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("delete",)

    restored = await Runtime.create(sqlite_settings(moved))
    try:
        later = Chat(restored)
        later._update = 1000  # update ids the backup has not seen (it remembers processed ones)
        replies = await later.say("ba-lan", "/start")
    finally:
        await restored.close()
    assert replies[0].text.startswith("Chào mừng bạn quay lại")  # the restored bot remembers her


async def test_backup_command_and_refusals(tmp_path: Path) -> None:
    live = sqlite_settings(tmp_path / "data" / "hocvuso.db")
    runtime = await Runtime.create(live)
    await Chat(runtime).onboard("anh-ba")
    await runtime.close()

    out = tmp_path / "nightly.db"
    done = await asyncio.to_thread(run_cli, "db", "backup", "--out", str(out), database_url=live.database_url)
    assert done.returncode == 0, done.stderr
    assert str(out) in done.stdout
    with sqlite3.connect(out) as conn:
        assert conn.execute("SELECT count(*) FROM users WHERE platform_id = 'anh-ba'").fetchone() == (1,)

    default = await asyncio.to_thread(run_cli, "db", "backup", database_url=live.database_url)
    assert default.returncode == 0, default.stderr
    made = list((tmp_path / "data" / "backups").glob("hocvuso-*.db"))
    assert len(made) == 1 and str(made[0]) in default.stdout

    pg = await asyncio.to_thread(
        run_cli, "db", "backup", database_url="postgresql+asyncpg://postgres@127.0.0.1:5432/hocvuso"
    )
    assert pg.returncode == 2
    assert "pg_dump" in pg.stderr and "Traceback" not in pg.stderr

    with pytest.raises(BackupError, match="does not exist"):
        await backup_sqlite(f"sqlite+aiosqlite:///{tmp_path / 'missing.db'}", tmp_path / "x.db")
    with pytest.raises(BackupError, match="must not be the database itself"):
        await backup_sqlite(live.database_url, tmp_path / "data" / "hocvuso.db")
