"""Zalo OA's interaction windows seen by a team member: the announcement preview says how many people will
not get it on Zalo and why; the outbox marks them ahead (never tried); the real outbox sender through the
real OA channel records Zalo's own -305 refusal (our record and Zalo's disagree) as the same outcome
(never retried, not an error), and the delivery status says so."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio
from sqlalchemy import select

from bot.db.models import OutboxMessage, User
from bot.oa_setup import build_oa_channel
from bot.outbox.pacing import ChannelLimits
from bot.outbox.sender import OutboxSender
from bot.runtime import Runtime
from tests.fakes.zalo_oa_server import FakeOaServer
from tests.support.chat import Chat
from tests.support.clock import Clock
from tests.support.reminders import STARTS, reminder_rows, setup_class, tick
from tests.support.seed import TEAM, make_team_member
from tests.support.zalo_oa import fake_oa, oa_settings

WHY = "lâu không nhắn tin với OA của xã"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeOaServer]:
    async with fake_oa() as server:
        yield server


async def test_preview_counts_the_people_outside_the_window_and_the_outbox_skips_them(
    runtime: Runtime, chat: Chat, fake: FakeOaServer
) -> None:
    now = runtime.app_ctx.clock()
    await make_team_member(runtime, chat)
    # Residents of Thôn 3 on the commune's OA: wrote 1 hour, 3 days and 10 days ago; «oa-skewed» wrote
    # 1 hour ago by our record, 3 days ago by Zalo's.
    ages = {"oa-recent": timedelta(hours=1), "oa-3days": timedelta(days=3), "oa-10days": timedelta(days=10),
            "oa-skewed": timedelta(hours=1)}
    zalo_ages = {**ages, "oa-skewed": timedelta(days=3)}
    async with runtime.sessionmaker() as session, session.begin():
        for platform_id, age in ages.items():
            session.add(User(channel="zalo_oa", platform_id=platform_id, chat_id=platform_id, consent_at=now - age,
                             commune_id="ha-long", village_id="ha-long-thon-3", role_village_ids=[],
                             last_seen_at=now - age, oa_last_message_at=now - age))
            wall_ms = int(fake.event("user_send_text", platform_id, text="x")["timestamp"])
            fake.last_interaction[platform_id] = wall_ms - int(zalo_ages[platform_id].total_seconds() * 1000)

    await chat.say(TEAM, "/thongbao")
    await chat.tap(TEAM, "Thôn 3")
    await chat.tap(TEAM, "Xong")
    preview = (await chat.say(TEAM, "Tối thứ Bảy họp thôn lúc 19 giờ tại nhà văn hóa."))[0].text
    assert "Sẽ gửi đến 4 người." in preview
    assert f"⚠️ 2 người sẽ không nhận được trên Zalo vì {WHY} (quá 48 giờ)." in preview
    await chat.tap(TEAM, "Gửi")

    runtime.settings = oa_settings(runtime.settings, fake)
    channel = await build_oa_channel(runtime.settings, runtime)
    assert channel is not None
    sender = OutboxSender(runtime.sessionmaker, {"zalo_oa": channel}, {"zalo_oa": ChannelLimits(50.0, None)},
                          owner="t", clock=runtime.app_ctx.clock)
    try:
        await sender.run_until_idle()
    finally:
        await channel.stop(grace_seconds=2)

    assert [s["user_id"] for s in fake.sent] == ["oa-recent"]
    assert [(r["user_id"], r["error"]) for r in fake.refused] == [("oa-skewed", -305)]  # the others never tried
    async with runtime.sessionmaker() as session:
        rows = {r.chat_id: r for r in await session.scalars(select(OutboxMessage))}
    assert rows["oa-recent"].status == "sent"
    assert rows["oa-3days"].status == rows["oa-10days"].status == rows["oa-skewed"].status == "zalo_window"
    assert rows["oa-3days"].attempts == rows["oa-10days"].attempts == 0  # counted ahead
    assert rows["oa-skewed"].attempts == 1  # refused once, never retried

    await chat.tap(TEAM, "Tình trạng gửi")
    status = chat.text(TEAM)
    assert "• Đã gửi: 1" in status and "• Lỗi: 0" in status
    assert f"• Không nhận được trên Zalo vì {WHY}: 3" in status
    assert "Tổng: 4 người." in status


async def test_a_class_reminder_for_someone_silent_on_the_oa_is_skipped_not_failed(
    runtime: Runtime, clock: Clock
) -> None:
    """Two OA residents registered for a class: one wrote an hour before the reminder is due, the other
    last wrote 3 days earlier. Zalo would refuse the second: the row is skipped (zalo_window), never tried."""
    _, people = await setup_class(runtime, clock)
    due = STARTS - timedelta(hours=24)
    async with runtime.sessionmaker() as session, session.begin():
        for user, last in zip(people, (due - timedelta(hours=1), due - timedelta(days=3)), strict=True):
            row = await session.get(User, user.id)
            assert row is not None
            row.channel, row.last_seen_at = "zalo_oa", last
    clock.now = due
    assert await tick(runtime, clock) == 2
    assert await tick(runtime, clock) == 0  # idempotent, the skip too
    rows = {r.chat_id: r for r in await reminder_rows(runtime)}
    assert rows["r0"].status == "pending"
    assert rows["r1"].status == "zalo_window" and rows["r1"].attempts == 0
    assert rows["r1"].error == "counted ahead: outside Zalo's interaction window"


async def test_officials_see_how_many_people_zalo_will_not_reach(runtime: Runtime) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    from bot.web.dashboard import setup_dashboard
    from tests.support.dashboard import add_user, new_link

    now = runtime.app_ctx.clock()
    async with runtime.sessionmaker() as session, session.begin():
        for i, age in enumerate((timedelta(hours=2), timedelta(days=3), timedelta(days=9), timedelta(days=20))):
            session.add(User(channel="zalo_oa", platform_id=f"oa-d{i}", chat_id=f"oa-d{i}", consent_at=now - age,
                             commune_id="ha-long", village_id="ha-long-thon-3", role_village_ids=[],
                             last_seen_at=now - age))
    official = await add_user(runtime, "cb", "official", "ha-long")
    app = web.Application()
    setup_dashboard(app, runtime.sessionmaker, runtime.app_ctx)
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        origin = {"Origin": str(client.make_url("")).rstrip("/")}
        login = await client.post(await new_link(runtime, official), headers=origin, allow_redirects=False)
        assert login.status == 302
        html = await (await client.get("/xa/ha-long")).text()
    card = html.split('data-stat="oa-silent"', 1)[1].split("</div>", 1)[0]
    assert '<span class="value">3</span>' in card and WHY in card
