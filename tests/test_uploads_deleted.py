"""Issue 15, item 3 (uploads): a team member who runs /xoadulieu takes the photos of their
announcements with them (files deleted, no longer served at /media/uploads/). The announcements
stay (the commune's record), without the photo; a pending send goes as text."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.db.models import Announcement, OutboxMessage
from bot.messages import Incoming, Kind
from bot.runtime import Runtime
from bot.web.app import create_web_app
from tests.support.chat import Chat
from tests.support.photos import FakeFetcher
from tests.support.seed import TEAM, make_team_member, resident


async def test_a_team_members_photos_go_with_their_data(runtime: Runtime, chat: Chat, tmp_path: Path) -> None:
    runtime.settings.uploads_dir = tmp_path / "uploads"
    runtime.app_ctx.media_fetchers = {"console": FakeFetcher()}
    await make_team_member(runtime, chat)
    await resident(runtime, chat, "a", "Thôn 3")
    await chat.say(TEAM, "/thongbao")
    await chat.tap(TEAM, "Thôn 3")
    await chat.tap(TEAM, "Xong")
    await chat.send(Incoming("console", TEAM, Kind.MEDIA, media_ref="anh1", update_id="p1"))
    await chat.say(TEAM, "Lịch tiêm chủng tuần sau ở nhà văn hóa.")
    await chat.tap(TEAM, "Gửi")
    sent_photo = tmp_path / "uploads" / "anh1.png"
    assert sent_photo.is_file()
    async with TestClient(TestServer(create_web_app(runtime), host="127.0.0.1")) as web:
        assert (await web.get("/media/uploads/anh1.png")).status == 200

        await chat.say(TEAM, "/xoadulieu")
        await chat.tap(TEAM, "Xóa hết")
        assert "Đã xóa toàn bộ dữ liệu" in chat.text(TEAM)

        assert not sent_photo.exists()
        assert (await web.get("/media/uploads/anh1.png")).status == 404
    async with runtime.sessionmaker() as session:
        ann = await session.scalar(select(Announcement))
        rows = list(await session.scalars(select(OutboxMessage)))
    assert ann is not None and ann.image_path is None and ann.text.startswith("Lịch tiêm chủng")
    assert rows and all(r.image_path is None for r in rows)  # a pending send goes as text only


async def test_daily_purge_removes_photos_no_announcement_uses(runtime: Runtime, tmp_path: Path) -> None:
    """A photo sent to a draft that was never sent (or whose author deleted their data meanwhile)
    is deleted by the daily purge once a day old; photos of announcements, and fresh drafts, stay."""
    import os

    from bot.scheduler import BotScheduler

    uploads = tmp_path / "uploads"
    uploads.mkdir()
    runtime.settings.uploads_dir = uploads
    used, stale, fresh = uploads / "dung.png", uploads / "bo-do.png", uploads / "dang-soan.png"
    for path in (used, stale, fresh):
        path.write_bytes(b"png")
    day_old = runtime.app_ctx.clock().timestamp() - 25 * 3600
    os.utime(used, (day_old, day_old))
    os.utime(stale, (day_old, day_old))
    os.utime(fresh, (runtime.app_ctx.clock().timestamp(), runtime.app_ctx.clock().timestamp()))
    async with runtime.sessionmaker() as session, session.begin():
        session.add(Announcement(commune_id="ha-long", village_ids=[], text="Thông báo", image_path=str(used)))
    scheduler = BotScheduler(runtime.sessionmaker, runtime.app_ctx, instance_id="uploads-test")
    await scheduler.start()
    try:
        job = scheduler.scheduler.get_job("daily-purge")
        assert job is not None
        await job.func()
    finally:
        await scheduler.stop()
    assert used.exists() and fresh.exists() and not stale.exists()
