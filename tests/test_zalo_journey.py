"""A resident's whole journey on Zalo: the real engine behind the real ZaloChannel, against the fake
Zalo Bot API on 127.0.0.1, once by long polling and once by webhook. Zalo has no buttons, so the
resident types the number of a choice, as the bot tells them to."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from sqlalchemy import select

from bot.db.models import User
from bot.runtime import Runtime
from tests.fakes.zalo_server import FakeZaloServer, make_update
from tests.support.zalo_bot import Resident, fake_zalo_bot, journey, polling, post_to, push_to, webhook


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeZaloServer]:
    async with fake_zalo_bot() as server:
        yield server


async def test_journey_by_long_polling(runtime: Runtime, fake: FakeZaloServer) -> None:
    async with polling(runtime, fake):
        await journey(runtime, Resident(fake, push_to(fake), "zalo-ba-lan"))


@pytest.mark.parametrize("secret", [None, "sai-bi-mat"])
async def test_webhook_without_right_secret_is_refused(
    runtime: Runtime, fake: FakeZaloServer, secret: str | None
) -> None:
    async with webhook(runtime, fake) as (_, url):
        status, _ = await fake.post_webhook(url, make_update("x", "/start"), secret=secret)
        assert status == 401
        await asyncio.sleep(0.3)
        assert fake.sent == []


async def test_journey_by_webhook_and_redelivery_is_processed_once(runtime: Runtime, fake: FakeZaloServer) -> None:
    async with webhook(runtime, fake) as (_, url):
        post = post_to(fake, url)
        resident = Resident(fake, post, "zalo-ong-ba")
        await journey(runtime, resident)
        # Zalo redelivers the last message (same message id): nothing more is sent, nothing changes.
        sent_before = len(fake.sent)
        await post(make_update(resident.user, "1", message_id=f"{resident.user}-{resident.n}"))
        await asyncio.sleep(0.5)
        assert len(fake.sent) == sent_before


async def test_voice_unsupported_and_group_messages_get_kind_answers_and_groups_store_nothing(
    runtime: Runtime, fake: FakeZaloServer
) -> None:
    from bot.db.models import ProcessedUpdate
    from bot.engine import texts

    async with polling(runtime, fake):
        # A group mention: a short private-only notice; nothing about anyone is stored.
        fake.push_update(make_update("zalo-nhom", "@Bot hoc vneid", chat_id="nhom-thon-3", chat_type="GROUP"))
        await fake.wait_sent(1)
        assert fake.texts_to("nhom-thon-3")[0].startswith("Xin chào! Mình chỉ trả lời tin nhắn riêng")
        async with runtime.sessionmaker() as session:
            assert list(await session.scalars(select(User))) == []
            assert list(await session.scalars(select(ProcessedUpdate))) == []

        resident = Resident(fake, push_to(fake), "zalo-ong-tu")
        await resident.say("xin chào")
        out = await resident.say("1")  # consents
        fake.push_update(make_update(resident.user, voice="https://voice.zdn.vn/abc.aac", message_id="v-1"))
        out = await resident.read()
        spoken = texts.VOICE_NOT_UNDERSTOOD.replace("gõ số hoặc bấm nút", "gõ số")  # «bấm» reads «gõ số» on Zalo
        assert spoken in out
        assert re.search(r"^1\. ", out, re.MULTILINE) and re.search(r"^Gõ .*chọn\.$", out, re.MULTILINE)
        fake.push_update(make_update(resident.user, event="message.unsupported.received", message_id="u-1"))
        out = await resident.read()
        assert spoken in out
        assert re.search(r"^1\. ", out, re.MULTILINE) and re.search(r"^Gõ .*chọn\.$", out, re.MULTILINE)
