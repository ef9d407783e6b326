"""A resident's whole journey on Telegram: the real engine behind the real python-telegram-bot
Application, talking HTTP to the fake Bot API on 127.0.0.1 — once by getUpdates, once by webhook."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.channels.telegram import TelegramChannel
from bot.db.models import LessonProgress, ProcessedUpdate, User
from bot.runtime import Runtime
from tests.fakes.telegram_harness import WEBHOOK_SECRET, make_channel
from tests.fakes.telegram_server import FakeTelegramServer
from tests.support.telegram_resident import Resident


@pytest_asyncio.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


async def journey(runtime: Runtime, tg: FakeTelegramServer, resident: Resident) -> None:
    catalog = runtime.app_ctx.catalog
    lesson = catalog.lessons["vneid-kich-hoat"]
    out = await resident.type("/start")
    assert "hệ thống tự động" in out
    await resident.tap("Đồng ý")
    await resident.tap("Hà Long")
    out = await resident.tap("Thôn 3")
    assert "Đã lưu nơi ở của bạn: Thôn 3, Xã Hà Long." in out
    await resident.type("cai vneid")
    out = await resident.tap(lesson.title[:30])
    for step in range(2, len(lesson.steps) + 1):
        out = await resident.tap("Tiếp")
        assert f"Bước {step}/{len(lesson.steps)}" in out  # the lesson message is edited in place
    await resident.tap("Làm bài kiểm tra")
    for question in lesson.quiz.questions:
        out = await resident.tap(question.choices[question.answer])
    assert "Bạn đã hoàn thành bài" in out
    out = await resident.tap("Tiến độ")
    assert f"Bạn đã hoàn thành 1/{len(catalog.lessons)} bài học." in out
    assert tg.calls_for("editMessageText", resident.uid), "lesson steps should edit the message"
    assert tg.calls_for("answerCallbackQuery"), "every button tap is answered"
    async with runtime.sessionmaker() as session:
        progress, user = (await session.execute(select(LessonProgress, User).join(User))).one()
    assert (user.channel, user.platform_id, user.display_name) == ("telegram", str(resident.uid), "Lan Nguyễn")
    assert progress.completed_village_id == "ha-long-thon-3"


def channel_for(runtime: Runtime, tg: FakeTelegramServer) -> TelegramChannel:
    return make_channel(tg, runtime.handle, runtime.settings.content_dir, runtime.mark_blocked)


async def test_journey_by_get_updates(runtime: Runtime, tg: FakeTelegramServer) -> None:
    channel = channel_for(runtime, tg)
    await channel.start_polling()

    async def push(update: dict[str, Any]) -> None:
        tg.push_update(update)

    try:
        await journey(runtime, tg, Resident(tg, push, 7001))
    finally:
        await channel.stop()


async def test_journey_by_webhook_and_redelivery_once(runtime: Runtime, tg: FakeTelegramServer) -> None:
    channel = channel_for(runtime, tg)
    await channel.start()
    app = web.Application()
    app.router.add_post("/webhook/telegram", channel.webhook_handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/webhook/telegram"))
    delivered: list[dict[str, Any]] = []

    async def post(update: dict[str, Any], secret: str | None = WEBHOOK_SECRET) -> int:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        async with aiohttp.ClientSession() as http, http.post(url, data=json.dumps(update), headers=headers) as resp:
            return resp.status

    async def push(update: dict[str, Any]) -> None:
        assert await post(update) == 200
        delivered.append(update)

    try:
        resident = Resident(tg, push, 7002)
        await journey(runtime, tg, resident)
        # Telegram redelivers the last update (same update_id): no new message, nothing changes.
        texts_before = tg.sent_texts(resident.uid)
        assert await post(delivered[-1]) == 200
        await asyncio.sleep(0.5)
        assert tg.sent_texts(resident.uid) == texts_before
        # Without, or with a wrong, secret: 401 and nothing is processed.
        stranger = tg.make_message_update(7003, "/start")
        assert await post(stranger, secret=None) == 401
        assert await post(stranger, secret="wrong-secret") == 401
        await asyncio.sleep(0.3)
        assert tg.sent_texts(7003) == []
        async with runtime.sessionmaker() as session:
            processed = await session.scalar(select(func.count()).select_from(ProcessedUpdate))
        assert processed == len(delivered)
    finally:
        await server.close()
        await channel.stop()


async def test_team_member_announces_with_a_photo_sent_on_telegram(
    runtime: Runtime, tg: FakeTelegramServer, tmp_path: Path
) -> None:
    from bot.db.models import OutboxMessage
    from bot.services import invites

    photo = (runtime.settings.content_dir / "media" / "qr-gia.png").read_bytes()
    tg.add_user_file("ph-1", photo)
    tg.add_user_file("ph-resident", photo)
    runtime.settings.uploads_dir = tmp_path / "uploads"
    channel = channel_for(runtime, tg)
    runtime.app_ctx.media_fetchers = {"telegram": channel.fetch_media}
    await channel.start_polling()

    async def push(update: dict[str, Any]) -> None:
        tg.push_update(update)

    def photo_update(uid: int, file_id: str, caption: str | None) -> dict[str, Any]:
        size = {"file_id": file_id, "file_unique_id": f"u-{file_id}", "width": 320, "height": 320}
        extra: dict[str, Any] = {"photo": [size]}
        if caption:
            extra["caption"] = caption
        return tg.make_message_update(uid, None, **extra)

    try:
        resident, team = Resident(tg, push, 7101), Resident(tg, push, 7102)
        for person in (resident, team):
            await person.type("/start")
            await person.tap("Đồng ý")
            await person.tap("Hà Long")
            await person.tap("Thôn 3")
        async with runtime.sessionmaker() as session, session.begin():
            invite = await invites.create_invite(
                session,
                runtime.app_ctx.places,
                "team",
                "ha-long",
                ["ha-long-thon-3", "ha-long-thon-2"],
                runtime.app_ctx.clock(),
            )
        await team.type(f"/ma {invite.code}")
        # A resident's photo is not downloaded: no flow asked for it.
        await push(photo_update(resident.uid, "ph-resident", None))
        await resident._quiet()
        assert not tg.calls_for("getFile")

        await team.type("/thongbao")
        await team.tap("Thôn 3")
        await team.tap("Xong")
        await push(photo_update(team.uid, "ph-1", "Mẫu mã QR giả: bà con kiểm tra tên người nhận trước khi chuyển!"))
        await team._quiet()
        preview = tg.calls_for("sendPhoto", team.uid)
        assert preview and "Sẽ gửi đến" in str(preview[-1].params.get("caption"))
        await team.tap("Gửi")
        async with runtime.sessionmaker() as session:
            rows = list(await session.scalars(select(OutboxMessage)))
        assert len(rows) == 2  # both people live in Thôn 3 (the team member too)
        assert rows[0].image_path is not None and {r.image_path for r in rows} == {rows[0].image_path}
        saved = Path(rows[0].image_path)
        assert saved.parent == tmp_path / "uploads" and saved.read_bytes() == photo
        assert [c.params["file_id"] for c in tg.calls_for("getFile")] == ["ph-1"]
    finally:
        await channel.stop()
