"""The Zalo Official Account channel: the real engine behind the real ZaloOaChannel and web app, the fake
Zalo OA (OAuth v4 + OpenAPI v3) on 127.0.0.1, events posted signed like Zalo does."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestServer
from sqlalchemy import func, select

from bot.channels.base import OutsideWindow
from bot.channels.zalo_oa import ZaloOaChannel
from bot.config import Settings
from bot.db.models import ProcessedUpdate, User, ZaloOaToken
from bot.db.repositories import outbox as outbox_repo
from bot.messages import Reply
from bot.oa_setup import build_oa_channel, oa_clients
from bot.outbox.pacing import ChannelLimits
from bot.outbox.sender import OutboxSender
from bot.runtime import Runtime
from bot.web.app import create_web_app
from tests.fakes.zalo_oa_server import APP_ID, FIRST_REFRESH, SECRET_KEY, FakeOaServer
from tests.support.clock import Clock
from tests.support.zalo_oa import Resident, fake_oa, journey, oa_settings


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeOaServer]:
    async with fake_oa() as server:
        yield server


@pytest_asyncio.fixture
async def oa(runtime: Runtime, settings: Settings, fake: FakeOaServer) -> AsyncIterator[tuple[ZaloOaChannel, str]]:
    runtime.settings = oa_settings(settings, fake)
    channel = await build_oa_channel(runtime.settings, runtime)
    assert channel is not None
    server = TestServer(create_web_app(runtime, {"zalo-oa": channel.webhook_handler}), host="127.0.0.1")
    await server.start_server()
    yield channel, str(server.make_url("/webhook/zalo-oa"))
    await channel.stop(grace_seconds=5)
    await server.close()


async def test_a_resident_follows_the_oa_and_learns_by_tapping_buttons(
    runtime: Runtime, fake: FakeOaServer, oa: tuple[ZaloOaChannel, str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="bot")
    await journey(runtime, Resident(fake, oa[1], "oa-user-lan"))
    assert fake.refused == []
    secrets_seen = {SECRET_KEY, FIRST_REFRESH, fake.refresh_token, *fake.access}
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    assert logged and not [s for s in secrets_seen if s in logged]


async def test_the_same_journey_by_typing_numbers(
    runtime: Runtime, fake: FakeOaServer, oa: tuple[ZaloOaChannel, str]
) -> None:
    await journey(runtime, Resident(fake, oa[1], "oa-user-tu", by_numbers=True))


@pytest.mark.parametrize("signature", [None, "", "mac=" + "0" * 64, "sha256=abc"])
async def test_a_bad_or_missing_signature_is_refused_and_nothing_is_stored(
    runtime: Runtime, fake: FakeOaServer, oa: tuple[ZaloOaChannel, str], signature: str | None
) -> None:
    status, _ = await fake.post_event(oa[1], fake.event("follow", "oa-x"), signature=signature)
    assert status == 401
    status, _ = await fake.post_event(oa[1], fake.event("user_send_text", "oa-x", text="1"), signature=signature)
    assert status == 401
    await asyncio.sleep(0.3)
    assert fake.sent == []
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(ProcessedUpdate)) == 0
        assert await session.scalar(select(func.count()).select_from(User)) == 0


async def test_a_replayed_event_gets_one_answer(
    runtime: Runtime, fake: FakeOaServer, oa: tuple[ZaloOaChannel, str]
) -> None:
    event = fake.event("follow", "oa-rep")
    for _ in range(3):
        status, _ = await fake.post_event(oa[1], event)
        assert status == 200
    await asyncio.sleep(0.5)
    texts = fake.texts_to("oa-rep")
    assert len([t for t in texts if "hệ thống tự động" in t]) == 1


async def test_unfollow_marks_the_person_unreachable_and_other_events_are_ignored(
    runtime: Runtime, fake: FakeOaServer, oa: tuple[ZaloOaChannel, str]
) -> None:
    resident = Resident(fake, oa[1], "oa-bye")
    await resident.follow()
    await resident.tap("Đồng ý")
    status, _ = await fake.post_event(oa[1], {**fake.event("user_seen_message", "oa-bye"), "message": {}})
    assert status == 200
    status, _ = await fake.post_event(oa[1], fake.event("unfollow", "oa-bye"))
    assert status == 200
    await asyncio.sleep(0.3)
    async with runtime.sessionmaker() as session:
        user = await session.scalar(select(User).where(User.platform_id == "oa-bye"))
    assert user is not None and user.blocked_at is not None


async def test_an_access_token_expiring_mid_broadcast_is_refreshed_once_and_nothing_is_lost(
    runtime: Runtime, fake: FakeOaServer, oa: tuple[ZaloOaChannel, str]
) -> None:
    channel, _ = oa
    now = runtime.app_ctx.clock()
    async with runtime.sessionmaker() as session, session.begin():
        users = []
        for i in range(30):
            user = User(channel="zalo_oa", platform_id=f"oa-b{i}", chat_id=f"oa-b{i}", consent_at=now,
                        role_village_ids=[], last_seen_at=now)
            session.add(user)
            users.append(user)
            fake.event("user_send_text", f"oa-b{i}", text="hi")  # they wrote recently: inside the window
        await session.flush()
        await outbox_repo.enqueue(
            session, "announcement:9", [outbox_repo.Recipient(u.id, "zalo_oa", u.chat_id) for u in users],
            "Lớp học VNeID tối thứ Bảy tại nhà văn hóa thôn", now,
        )
    sender = OutboxSender(runtime.sessionmaker, {"zalo_oa": channel}, {"zalo_oa": ChannelLimits(200.0, None)},
                          owner="t", clock=runtime.app_ctx.clock, max_in_flight=8)

    async def expire_when_half_sent() -> None:
        while len(fake.sent) < 15:
            await asyncio.sleep(0.005)
        fake.expire_access_tokens()

    expiring = asyncio.create_task(expire_when_half_sent())
    await sender.run_until_idle()
    await expiring
    assert sorted(s["user_id"] for s in fake.sent) == sorted(f"oa-b{i}" for i in range(30))
    # the first token, then exactly one refresh mid-broadcast
    assert fake.refresh_requests() == 2, [(c.get("grant_type"), c.get("result")) for c in fake.oauth_calls]
    async with runtime.sessionmaker() as session:
        stored = await session.get(ZaloOaToken, APP_ID)
    assert stored is not None and stored.refresh_token == fake.refresh_token  # the live one is kept


async def test_the_token_is_refreshed_before_it_expires(
    runtime: Runtime, fake: FakeOaServer, oa: tuple[ZaloOaChannel, str], clock: Clock
) -> None:
    channel, _ = oa
    fake.event("user_send_text", "oa-early", text="hi")
    await channel.send("oa-early", _reply("Chào bạn"))
    assert fake.refresh_requests() == 1
    clock.advance(timedelta(hours=24, minutes=40))  # 25 h tokens: less than 30 min left
    await channel.send("oa-early", _reply("Chào bạn lần nữa"))
    assert fake.refresh_requests() == 2
    assert len(fake.sent) == 2 and not fake.refused


async def test_outside_the_interaction_window_is_a_distinct_outcome(
    runtime: Runtime, fake: FakeOaServer, oa: tuple[ZaloOaChannel, str]
) -> None:
    channel, _ = oa
    fake.event("user_send_text", "oa-old", text="hi", timestamp=1_700_000_000_000)  # wrote in 2023
    with pytest.raises(OutsideWindow):
        await channel.send("oa-old", _reply("Thông báo"))
    assert fake.refused[-1]["error"] == -230


def _reply(text: str) -> Reply:
    return Reply(text=text)


async def test_two_instances_needing_a_refresh_at_once_make_exactly_one_refresh_request(
    settings: Settings, fake: FakeOaServer, database_url: str
) -> None:
    """Two processes' worth of parts (own engine, own keeper) on one database (PostgreSQL with
    HOCVUSO_TEST_DB=postgres): both find the token expired at the same moment."""
    fake.oauth_delay = 0.3  # a slow OAuth answer: the second instance arrives while the first waits
    instances = [await Runtime.create(oa_settings(settings, fake)) for _ in range(2)]
    try:
        clients = [oa_clients(rt.settings, rt) for rt in instances]
        keepers = [keeper for _, _, keeper in clients]
        first = await keepers[0].access_token()  # connect: the first refresh token is used once
        assert fake.refresh_requests() == 1
        fake.expire_access_tokens()
        tokens = await asyncio.gather(*(k.refresh(stale=first) for k in keepers))
        assert fake.refresh_requests() == 2  # exactly one more, not one per instance
        assert tokens[0] == tokens[1] != first
        async with instances[0].sessionmaker() as session:
            stored = await session.get(ZaloOaToken, APP_ID)
        assert stored is not None and stored.refresh_token == fake.refresh_token
        for i, (_, api, keeper) in enumerate(clients):  # both keep working
            fake.event("user_send_text", f"oa-i{i}", text="hi")
            await api.send_cs(await keeper.access_token(), f"oa-i{i}", {"text": "Chào bạn"})
        assert len(fake.sent) == 2
    finally:
        for _, api, _ in clients:
            await api.close()
        for rt in instances:
            await rt.close()
