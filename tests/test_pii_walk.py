"""Issue 15, "done when": after a resident's whole journey on Zalo and /xoadulieu, nothing in any
table or in the uploads folder identifies her; and before she agreed, nothing identifying was stored.
Every table of the schema is walked, every column of every row compared as text."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio

from bot.db.models import Role, User
from bot.runtime import Runtime
from bot.services import classes as classes_svc
from tests.fakes.zalo_server import FakeZaloServer, make_update
from tests.support.pii import traces
from tests.support.zalo_bot import Resident, fake_zalo_bot, journey, post_to, webhook

ZALO_ID = "zpii-4471-ba-lan"
NAME = "Bà Lan"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeZaloServer]:
    async with fake_zalo_bot() as server:
        yield server


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
    async with webhook(runtime, fake) as (_, url):
        post = post_to(fake, url)
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
