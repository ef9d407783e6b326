"""Issue 15, "done when": after a resident's whole journey on Zalo and /xoadulieu, nothing in any
table or in the uploads folder identifies her; and before she agreed, nothing identifying was stored.
Every table of the schema is walked, every column of every row compared as text."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer
from sqlalchemy import select

from bot.db.models import Base, Role, User
from bot.runtime import Runtime
from bot.services import classes as classes_svc
from tests.fakes.zalo_server import FakeZaloServer, make_update
from tests.test_zalo_journey import SECRET, Resident, journey, make_channel

ZALO_ID = "zpii-4471-ba-lan"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeZaloServer]:
    server = FakeZaloServer(max_poll_wait=0.2)
    await server.start()
    yield server
    await server.stop()
NAME = "Bà Lan"


async def traces(runtime: Runtime, *needles: str) -> list[str]:
    """Every (table.column = value) holding one of `needles`, and every uploaded file naming one."""
    found = []
    async with runtime.sessionmaker() as session:
        for table in Base.metadata.sorted_tables:
            for row in (await session.execute(select(table))).mappings():
                for column, value in row.items():
                    text = value if isinstance(value, str) else json.dumps(value, default=str, ensure_ascii=False)
                    if any(n in text for n in needles):
                        found.append(f"{table.name}.{column} = {text[:80]}")
    uploads: Path = runtime.settings.uploads_dir
    if uploads.exists():
        for path in uploads.rglob("*"):
            if any(n in path.name for n in needles):
                found.append(f"uploads/{path.name}")
    return found


async def add_class(runtime: Runtime) -> None:
    now = runtime.app_ctx.clock()
    async with runtime.sessionmaker() as session, session.begin():
        team = User(
            channel="console", platform_id="to-cong-nghe", chat_id="to-cong-nghe", consent_at=now,
            commune_id="ha-long", village_id="ha-long-thon-3", role=Role.TEAM, role_commune_id="ha-long",
            role_village_ids=["ha-long-thon-3"], created_at=now, last_seen_at=now,
        )
        session.add(team)
        await session.flush()
        draft = classes_svc.ClassDraft(
            title="Thanh toán bằng mã QR", village_ids=["ha-long-thon-3"], place="Nhà văn hóa thôn 3",
            starts_at=now + timedelta(days=2),
        )
        await classes_svc.create_class(session, runtime.app_ctx, team, draft, now)


async def test_nothing_identifies_her_before_consent_or_after_deletion(
    runtime: Runtime, fake: FakeZaloServer
) -> None:
    await add_class(runtime)
    channel = make_channel(runtime, fake)
    app = web.Application()
    app.router.add_post("/webhook/zalo", channel.webhook_handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("/webhook/zalo"))

    async def post(update: dict) -> None:  # type: ignore[type-arg]
        status, _ = await fake.post_webhook(url, update, secret=SECRET)
        assert status == 200

    try:
        # Before «Đồng ý»: she writes, sends a sticker, a redelivery arrives — nothing about her is kept.
        stranger = Resident(fake, post, ZALO_ID)
        await post(make_update(ZALO_ID, "alo", message_id="s-1", display_name=NAME))
        await post(make_update(ZALO_ID, "alo", message_id="s-1", display_name=NAME))
        await post(make_update(ZALO_ID, None, sticker="st-1", message_id="s-2", display_name=NAME))
        await post(make_update(ZALO_ID, "alo nữa", display_name=NAME) | {"message": {
            **make_update(ZALO_ID, "alo nữa", display_name=NAME)["message"], "message_id": None}})
        await stranger.read()
        assert await traces(runtime, ZALO_ID, NAME, "s-1", "s-2") == []

        # The whole journey: consent, place, a lesson and its quiz, progress; then a class.
        resident = Resident(fake, post, ZALO_ID)
        resident.seen = stranger.seen
        await journey(runtime, resident)
        out = await resident.say("/lichhoc")
        out = await resident.choose(out, "tham gia")
        assert "đăng ký" in out.lower()
        assert await traces(runtime, ZALO_ID)  # while she is a user, her data is there

        out = await resident.say("/xoadulieu")
        out = await resident.choose(out, "Xóa hết")
        assert "Đã xóa toàn bộ dữ liệu" in out
        await asyncio.sleep(0.2)
        assert await traces(runtime, ZALO_ID, NAME, f"{ZALO_ID}-") == []
    finally:
        await server.close()
        await channel.stop(grace_seconds=5)
