"""The Zalo OA channel's links, files, photos, voice, and window/quota accounting, against the fake OA
server on 127.0.0.1 through the real channel, engine, outbox sender and web app.

- link and phone buttons go out as `oa.open.url` / `oa.open.phone` in the shape the fake checks;
- a file goes out as a one-time /tep/ link on an «⬇ Tải tệp» button (the page does not spend it, the
  download does, once);
- a photo a team member sends to the OA is downloaded from an allowed host only; a too large one gets a
  kind answer and nothing is kept;
- the window runs from her last message's exact time (Zalo's timestamp), not the 10-minute last_seen_at;
- the 8-message quota is counted ahead: the preview says who will not get it, the outbox marks them
  `zalo_quota` without trying, and every delivery counts;
- a voice message is an «🔊 Nghe đọc to» link to its .aac.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.channels import zalo_oa_render
from bot.channels.media_urls import MediaRefused
from bot.channels.zalo_oa import ZaloOaChannel
from bot.config import PROJECT_ROOT, Settings
from bot.db.models import OutboxMessage, User
from bot.messages import Button, Incoming, Kind, MediaTooLarge, Reply, link_button, phone_button
from bot.oa_setup import build_oa_channel
from bot.outbox.pacing import ChannelLimits
from bot.outbox.sender import OutboxSender
from bot.runtime import Runtime
from bot.web.app import create_web_app
from tests.fakes.zalo_oa_server import FakeOaServer
from tests.support.chat import Chat
from tests.support.clock import Clock
from tests.support.seed import TEAM, make_team_member
from tests.support.zalo_oa import Resident, fake_oa, oa_settings

PUBLIC = "https://xa.example.vn"
PHOTO = next((PROJECT_ROOT / "content" / "media").rglob("*.png")).read_bytes()
NO_QUOTA = "OA của xã đã gửi họ đủ 8 tin kể từ lần cuối họ nhắn"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeOaServer]:
    async with fake_oa() as server:
        yield server


async def channel_for(runtime: Runtime, settings: Settings, fake: FakeOaServer, **extra: object) -> ZaloOaChannel:
    runtime.settings = oa_settings(settings, fake).model_copy(update={"public_base_url": PUBLIC, **extra})
    runtime.app_ctx.settings = runtime.app_ctx.settings.model_copy(update={"public_base_url": PUBLIC})
    channel = await build_oa_channel(runtime.settings, runtime)
    assert channel is not None
    return channel


@pytest_asyncio.fixture
async def oa(
    runtime: Runtime, settings: Settings, fake: FakeOaServer
) -> AsyncIterator[tuple[ZaloOaChannel, TestClient]]:
    channel = await channel_for(runtime, settings, fake)
    client = TestClient(TestServer(create_web_app(runtime, {"zalo-oa": channel.webhook_handler}), host="127.0.0.1"))
    await client.start_server()
    yield channel, client
    await channel.stop(grace_seconds=5)
    await client.close()


def webhook(client: TestClient) -> str:
    return str(client.make_url("/webhook/zalo-oa"))


async def onboard(fake: FakeOaServer, client: TestClient, user: str) -> Resident:
    resident = Resident(fake, webhook(client), user)
    await resident.follow()
    await resident.tap("Đồng ý")
    await resident.say("ha long")
    await resident.say("thon 3")
    return resident


def oa_user(platform_id: str, now: datetime, last_message: datetime, sent_since: int = 0) -> User:
    return User(channel="zalo_oa", platform_id=platform_id, chat_id=platform_id, consent_at=now - timedelta(days=30),
                commune_id="ha-long", village_id="ha-long-thon-3", role_village_ids=[], last_seen_at=last_message,
                oa_last_message_at=last_message, oa_sent_since=sent_since)


async def test_link_and_phone_buttons_reach_the_oa_in_its_shape(
    fake: FakeOaServer, oa: tuple[ZaloOaChannel, TestClient]
) -> None:
    channel, _ = oa
    fake.event("user_send_text", "oa-link", text="x")  # she wrote: the window is open
    reply = Reply("Cổng Dịch vụ công quốc gia.", buttons=(
        (Button("Tiếp ▶", "x:next", 1),),
        (link_button("🔗 Mở dichvucong.gov.vn", "https://dichvucong.gov.vn"),
         phone_button("📞 Đường dây nóng của xã", "0237 3123 456")),
    ))
    await channel.send("oa-link", reply)
    assert fake.refused == []
    [sent] = fake.sent
    buttons = sent["message"]["attachment"]["payload"]["buttons"]
    assert buttons[1:] == [
        {"title": "🔗 Mở dichvucong.gov.vn", "type": "oa.open.url", "payload": {"url": "https://dichvucong.gov.vn"}},
        {"title": "📞 Đường dây nóng của xã", "type": "oa.open.phone", "payload": {"phone_code": "02373123456"}},
    ]


async def test_a_file_goes_out_as_a_one_time_link(fake: FakeOaServer, oa: tuple[ZaloOaChannel, TestClient]) -> None:
    _, client = oa
    resident = await onboard(fake, client, "oa-file")
    out = await resident.say("/taidulieu")
    assert "📄 Tệp «du-lieu-cua-toi.json»: bấm «⬇ Tải tệp» để tải về" in out
    [button] = [b for b in resident.buttons() if b["type"] == "oa.open.url"]
    assert button["title"] == "⬇ Tải tệp"
    url = button["payload"]["url"]
    assert url.startswith(f"{PUBLIC}/tep/")
    path = url.removeprefix(PUBLIC)
    page = await client.get(path)
    assert page.status == 200 and "Tải tệp" in await page.text()  # looking does not spend it
    got = await client.post(path)
    assert got.status == 200 and "attachment" in got.headers["Content-Disposition"]
    assert got.headers["Content-Type"] == "application/json"
    exported = json.loads(await got.read())
    assert "Thôn 3" in json.dumps(exported, ensure_ascii=False)  # her data, as the Zalo Bot would show it
    again = await client.post(path)
    assert again.status == 410 and "đã được dùng hoặc đã hết hạn" in await again.text()


async def test_a_photo_sent_to_the_oa_is_downloaded_only_from_allowed_hosts(
    runtime: Runtime, settings: Settings, fake: FakeOaServer, tmp_path: Path
) -> None:
    fake.media["p.png"] = PHOTO
    strict = await channel_for(runtime, settings, fake)  # default hosts: Zalo's CDNs only
    try:
        with pytest.raises(MediaRefused):
            await strict.fetch_media(fake.media_url("p.png"), tmp_path / "up")
    finally:
        await strict.stop(grace_seconds=1)
    assert fake.media_hits == []  # not even asked

    channel = await channel_for(runtime, settings, fake, zalo_media_hosts=[fake.base_url])
    runtime.app_ctx.media_fetchers = {"zalo_oa": channel.fetch_media}
    try:
        saved = await channel.fetch_media(fake.media_url("p.png"), tmp_path / "up")
        assert saved.read_bytes() == PHOTO
        with pytest.raises(MediaTooLarge):
            await channel.fetch_media(fake.media_url("huge.jpg"), tmp_path / "up")
        assert [p.name for p in (tmp_path / "up").iterdir()] == [saved.name]

        # A team member on the OA sends a too large photo for an announcement: a kind answer.
        chat = Chat(runtime, channel="zalo_oa")
        await make_team_member(runtime, chat)
        await chat.say(TEAM, "/thongbao")
        await chat.tap(TEAM, "Thôn 3")
        await chat.tap(TEAM, "Xong")
        replies = await chat.send(Incoming("zalo_oa", TEAM, Kind.MEDIA, media_ref=fake.media_url("huge.jpg"),
                                           update_id="big-photo"))
        assert "Ảnh này lớn quá (hơn 10 MB)" in replies[0].text
        replies = await chat.send(Incoming("zalo_oa", TEAM, Kind.MEDIA, media_ref=fake.media_url("p.png"),
                                           update_id="ok-photo"))
        assert "Đã nhận ảnh" in replies[0].text
    finally:
        await channel.stop(grace_seconds=1)


async def test_the_window_runs_from_her_exact_last_message_not_the_coarse_last_seen(
    runtime: Runtime, fake: FakeOaServer, oa: tuple[ZaloOaChannel, TestClient], clock: Clock
) -> None:
    _, client = oa
    chat = Chat(runtime)
    await make_team_member(runtime, chat)
    t0 = clock.now
    async with runtime.sessionmaker() as session, session.begin():
        session.add(oa_user("oa-late", t0, t0))  # wrote at t0, and again 9 minutes later (below)
        session.add(oa_user("oa-once", t0, t0))  # wrote at t0 only
    clock.now = t0 + timedelta(minutes=9)
    resident = Resident(fake, webhook(client), "oa-late")
    await resident._post(fake.event("user_send_text", "oa-late", text="menu",
                                    timestamp=int(clock.now.timestamp() * 1000)))
    async with runtime.sessionmaker() as session:
        late = await session.scalar(select(User).where(User.platform_id == "oa-late"))
    assert late is not None
    assert late.last_seen_at == t0  # the engine writes it only every 10 minutes
    assert late.oa_last_message_at == clock.now.replace(microsecond=0)  # Zalo's timestamp, to the ms
    assert late.oa_sent_since == len(resident.last)  # the menu it just got

    clock.now = t0 + timedelta(hours=48, minutes=2)  # 48 h after t0, 47 h 53 min after her last message
    await chat.say(TEAM, "/thongbao")
    await chat.tap(TEAM, "Thôn 3")
    await chat.tap(TEAM, "Xong")
    preview = (await chat.say(TEAM, "Họp thôn tối nay."))[0].text
    assert "⚠️ 1 người sẽ không nhận được trên Zalo vì lâu không nhắn tin với OA của xã (quá 48 giờ)." in preview


async def test_the_reply_quota_is_counted_ahead_in_the_preview_and_the_outbox(
    runtime: Runtime, settings: Settings, fake: FakeOaServer
) -> None:
    chat = Chat(runtime)
    await make_team_member(runtime, chat)
    now = runtime.app_ctx.clock()
    wrote = now - timedelta(hours=1)
    async with runtime.sessionmaker() as session, session.begin():
        session.add(oa_user("oa-full", now, wrote, sent_since=8))  # 8 messages since she last wrote
        session.add(oa_user("oa-one-left", now, wrote, sent_since=7))
    for user in ("oa-full", "oa-one-left"):
        fake.event("user_send_text", user, text="x")  # Zalo's side: she wrote recently

    async def announce(text: str) -> str:
        await chat.say(TEAM, "/thongbao")
        await chat.tap(TEAM, "Thôn 3")
        await chat.tap(TEAM, "Xong")
        preview = (await chat.say(TEAM, text))[0].text
        await chat.tap(TEAM, "Gửi")
        return preview

    preview = await announce("Họp thôn tối thứ Bảy.")
    assert f"⚠️ 1 người sẽ không nhận được trên Zalo vì {NO_QUOTA} (Zalo cho gửi tối đa 8 tin trong 48 giờ)." \
        in preview
    channel = await channel_for(runtime, settings, fake)
    sender = OutboxSender(runtime.sessionmaker, {"zalo_oa": channel}, {"zalo_oa": ChannelLimits(50.0, None)},
                          owner="t", clock=runtime.app_ctx.clock)
    try:
        await sender.run_until_idle()
        assert [s["user_id"] for s in fake.sent] == ["oa-one-left"] and fake.refused == []  # no blind -311
        async with runtime.sessionmaker() as session:
            rows = {r.chat_id: r for r in await session.scalars(select(OutboxMessage))}
            counts = {u.platform_id: u.oa_sent_since for u in await session.scalars(select(User))}
        assert rows["oa-full"].status == "zalo_quota" and rows["oa-full"].attempts == 0
        assert rows["oa-one-left"].status == "sent"
        assert counts["oa-one-left"] == 8  # the delivery counted

        await chat.tap(TEAM, "Tình trạng gửi")
        assert f"• Không nhận được trên Zalo vì {NO_QUOTA}: 1" in chat.text(TEAM)
        preview = await announce("Nhắc lại: họp thôn tối thứ Bảy.")
        assert f"⚠️ 2 người sẽ không nhận được trên Zalo vì {NO_QUOTA}" in preview
    finally:
        await channel.stop(grace_seconds=2)


async def test_a_voice_message_is_a_link_to_its_aac(fake: FakeOaServer, oa: tuple[ZaloOaChannel, TestClient]) -> None:
    channel, _ = oa
    reply = Reply("Bước 1/6", buttons=((Button("Tiếp ▶", "x:next", 1),),), voice="/var/cache/voice/abc123.ogg")
    [message] = zalo_oa_render.render(reply, f"{PUBLIC}/media")
    assert message["attachment"]["payload"]["buttons"][-1] == {
        "title": "🔊 Nghe đọc to", "type": "oa.open.url", "payload": {"url": f"{PUBLIC}/media/voice/abc123.aac"},
    }
    fake.event("user_send_text", "oa-voice", text="x")
    await channel.send("oa-voice", reply)
    assert fake.refused == [] and len(fake.sent) == 1  # the voice rides on the same message

