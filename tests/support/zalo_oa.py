"""The Zalo Official Account channel in tests: settings pointing at the fake OA (tests/fakes/zalo_oa_server.py),
and a resident who follows the OA, taps its buttons (or types their numbers) through its signed webhook."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.content.loader import Catalog
from bot.db.models import LessonProgress, User
from bot.runtime import Runtime
from tests.fakes.zalo_oa_server import APP_ID, FIRST_REFRESH, SECRET_KEY, FakeOaServer


def oa_settings(settings: Settings, fake: FakeOaServer) -> Settings:
    return settings.model_copy(update={
        "zalo_oa_app_id": APP_ID, "zalo_oa_secret_key": SECRET_KEY, "zalo_oa_refresh_token": FIRST_REFRESH,
        "zalo_oa_api_base_url": fake.base_url, "zalo_oauth_base_url": fake.base_url, "zalo_oa_rate": 200.0,
    })


class Resident:
    """A person on Zalo talking to the commune's OA: taps buttons (or types their numbers)."""

    def __init__(self, fake: FakeOaServer, url: str, user: str, by_numbers: bool = False) -> None:
        self.fake, self.url, self.user, self.by_numbers = fake, url, user, by_numbers
        self.seen = 0

    def _mine(self) -> list[dict[str, Any]]:
        return [s["message"] for s in self.fake.sent if s["user_id"] == self.user]

    async def _post(self, event: dict[str, Any]) -> str:
        status, _ = await self.fake.post_event(self.url, event)
        assert status == 200
        return await self.read()

    async def read(self) -> str:
        for _ in range(200):
            if len(self._mine()) > self.seen:
                break
            await asyncio.sleep(0.02)
        while True:
            count = len(self._mine())
            await asyncio.sleep(0.15)
            if len(self._mine()) == count:
                break
        new = self._mine()[self.seen:]
        self.seen += len(new)
        self.last = new
        return "\n".join(self.fake.texts_to(self.user)[-len(new):]) if new else ""

    def buttons(self) -> list[dict[str, Any]]:
        for message in reversed(self.last):
            payload = message.get("attachment", {}).get("payload", {})
            if payload.get("template_type") == "button":
                return list(payload["buttons"])
        raise AssertionError(f"no buttons in {self.last}")

    async def follow(self) -> str:
        return await self._post(self.fake.event("follow", self.user))

    async def say(self, text: str) -> str:
        return await self._post(self.fake.event("user_send_text", self.user, text=text))

    async def tap(self, label_part: str) -> str:
        buttons = self.buttons()
        for button in buttons:
            if label_part in button["title"]:
                assert button["type"] == "oa.query.hide"
                number = button["title"].split(".", 1)[0]  # «2. Tiếp ▶»
                return await self.say(number if self.by_numbers else button["payload"])
        raise AssertionError(f"no button {label_part!r} in {[b['title'] for b in buttons]}")


async def journey(runtime: Runtime, resident: Resident) -> None:
    await journey_in(runtime.app_ctx.catalog, runtime.sessionmaker, resident)


async def journey_in(catalog: Catalog, sessionmaker: async_sessionmaker[AsyncSession], resident: Resident) -> None:
    """Follow, consent, choose a place, take a lesson and its quiz; check what the database kept."""
    lesson = catalog.lessons["vneid-kich-hoat"]
    out = await resident.follow()
    assert "Bạn đang trò chuyện với một hệ thống tự động" in out
    out = await resident.tap("Đồng ý")
    out = await resident.say("ha long")
    out = await resident.say("thon 3")
    assert "Đã lưu nơi ở của bạn: Thôn 3, Xã Hà Long." in out
    await resident.say("cai vneid")
    await resident.tap(lesson.title[:30])
    for _ in range(len(lesson.steps) - 1):
        out = await resident.tap("Tiếp")
    assert f"Bước {len(lesson.steps)}/{len(lesson.steps)}" in out
    await resident.tap("Làm bài kiểm tra")
    for question in lesson.quiz.questions:
        label = question.choices[question.answer]
        out = await resident.tap(label[:20])
    assert "Bạn đã hoàn thành bài" in out
    async with sessionmaker() as session:
        progress, user = (
            await session.execute(select(LessonProgress, User).join(User).where(User.platform_id == resident.user))
        ).one()
    assert user.channel == "zalo_oa" and user.platform_id == resident.user
    assert progress.completed_village_id == "ha-long-thon-3" and progress.completed_at is not None


@asynccontextmanager
async def fake_oa(**options: Any) -> AsyncIterator[FakeOaServer]:
    """The fake Zalo OA API, started on 127.0.0.1 (for a test module's `fake` fixture)."""
    server = FakeOaServer(**options)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
