"""Pushed messages (the outbox) can be answered by number where people type numbers (Zalo Bot, console,
the Zalo OA's typed fallback): their choices are 21, 22… and the person's screen keeps its own numbers
(docs/conversation.md §1 «Pushed messages»)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest_asyncio
from sqlalchemy import select

from bot.channels import zalo_oa_render, zalo_render
from bot.db.models import ClassRegistration, OutboxMessage, User
from bot.messages import Button, Reply, numbered
from bot.outbox.pacing import ChannelLimits
from bot.outbox.sender import OutboxSender
from bot.runtime import Runtime
from bot.services import classes
from bot.services.outbox import enqueue_for_users
from tests.fakes.zalo_server import FakeZaloServer
from tests.support.chat import Chat
from tests.support.guided_chat import LAN, record_by_numbers, say
from tests.support.seed import TEAM, make_team_member
from tests.support.zalo_bot import Resident, fake_zalo_bot, polling, push_to

LESSON = "vneid-kich-hoat"


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeZaloServer]:
    async with fake_zalo_bot() as server:
        yield server


async def announce_class(runtime: Runtime) -> int:
    """The team member creates a class in Thôn 3: every resident there gets «✅ Tôi sẽ tham gia»."""
    now = runtime.app_ctx.clock()
    async with runtime.sessionmaker() as session, session.begin():
        member = await session.scalar(select(User).where(User.platform_id == TEAM))
        draft = classes.ClassDraft(
            title="Cài VNeID", village_ids=["ha-long-thon-3"], place="Nhà văn hóa thôn 3",
            starts_at=now + timedelta(days=2),
        )
        klass = await classes.create_class(session, runtime.app_ctx, member, draft, now)
        return klass.id


async def send_all(runtime: Runtime, channel: str, platform: Any) -> None:
    """One outbox run until nothing is pending (a sender runs once)."""
    limits = {channel: ChannelLimits(100.0, None)}
    sender = OutboxSender(runtime.sessionmaker, {channel: platform}, limits, "t", clock=runtime.app_ctx.clock)
    await sender.run_until_idle()


async def registered(runtime: Runtime, class_id: int, platform_id: str) -> bool:
    async with runtime.sessionmaker() as session:
        found = await session.scalar(
            select(ClassRegistration.id).join(User, User.id == ClassRegistration.user_id).where(
                ClassRegistration.class_id == class_id, User.platform_id == platform_id,
                ClassRegistration.cancelled_at.is_(None),
            )
        )
    return found is not None


async def test_mid_lesson_on_the_zalo_bot_she_types_the_announcements_number_and_her_lesson_goes_on(
    runtime: Runtime, fake: FakeZaloServer
) -> None:
    lan = Resident(fake, push_to(fake), "zalo-ba-lan")
    async with polling(runtime, fake) as channel:
        sender = OutboxSender(
            runtime.sessionmaker, {"zalo": channel}, {"zalo": ChannelLimits(100.0, None)}, owner="t",
            clock=runtime.app_ctx.clock,
        )
        await make_team_member(runtime, Chat(runtime), TEAM)
        out = await lan.say("xin chào")
        out = await lan.choose(out, "Đồng ý")
        await lan.say("ha long")
        await lan.say("thon 3")
        lesson = runtime.app_ctx.catalog.lessons[LESSON]
        out = await lan.choose(await lan.say("cai vneid"), lesson.title[:30])
        out = await lan.say("1")
        assert f"Bước 2/{len(lesson.steps)}" in out

        class_id = await announce_class(runtime)
        await sender.run_until_idle()
        pushed = await lan.read()
        assert "📢 Lớp học mới ở thôn mình!" in pushed
        assert "21. ✅ Tôi sẽ tham gia\n22. 📅 Lịch lớp học\nGõ 21 hoặc 22 để chọn." in pushed
        assert "Gõ 21 («Tôi sẽ tham gia») để đăng ký." in pushed  # the text names the number she types

        # her lesson's numbers still work beside the message's
        assert f"Bước 3/{len(lesson.steps)}" in await lan.say("1")
        assert not await registered(runtime, class_id, lan.user)
        # … and so does the message's number, though her screen is the lesson's step 3 now
        out = await lan.say("21")
        assert "🎉 Bạn đã đăng ký lớp «Cài VNeID»" in out
        assert await registered(runtime, class_id, lan.user)
        # the answer is her screen now (one numbering per turn); the lesson is where she left it
        assert "1. ❌ Hủy đăng ký" in out and "0. ☰ Menu" in out
        out = await lan.choose(await lan.say("0"), "Học tiếp bài đang học")
        assert f"Bước 3/{len(lesson.steps)}" in out
        assert "📅 Lớp học sắp tới" in await lan.say("22")  # the message's other choice, still there


class ZaloRecorder:
    """The Zalo Bot as the outbox sees it: what each person's chat shows (the exact rendering)."""

    channel = "zalo"

    def __init__(self) -> None:
        self.shown: dict[str, list[str]] = {}

    async def send(self, chat_id: str, reply: Reply) -> None:
        self.shown.setdefault(chat_id, []).extend(c.text for c in zalo_render.render(reply))


async def test_a_guided_confirmation_on_the_zalo_bot_is_answered_by_its_numbers(runtime: Runtime) -> None:
    chat = Chat(runtime, channel="zalo")
    await make_team_member(runtime, chat, TEAM)
    await record_by_numbers(chat, "Đỗ Thị Nga", "1952", "2", all_core=False)
    await chat.onboard(LAN, "Hà Long", "Thôn 3")
    await say(chat, LAN, "11", "Do Thi Nga", "1952")
    await say(chat, TEAM, "/todoi")  # the member is on team home (1 ➕ Tạo lớp học …) when the request arrives
    zalo = ZaloRecorder()
    await send_all(runtime, "zalo", zalo)
    [asked] = zalo.shown[TEAM]
    assert "Đỗ Thị Nga (sinh 1952, Thôn 3)" in asked
    assert asked.endswith("21. ✅ Đúng, là người mình đã hướng dẫn\n22. ❌ Không phải\nGõ 21 hoặc 22 để chọn.")
    assert "/xacnhan" not in asked
    assert "1 bài đã được ghi" in await say(chat, TEAM, "21")
    await send_all(runtime, "zalo", zalo)  # she is told, with «📊 Tiến độ của tôi» as 21
    assert zalo.shown[LAN][-1].endswith("21. 📊 Tiến độ của tôi\n22. ☰ Menu\nGõ 21 hoặc 22 để chọn.")
    assert "🤝 Học cùng Tổ công nghệ số: 1 bài" in await say(chat, LAN, "21")


async def test_on_the_console_a_later_pushed_message_replaces_the_earlier_ones_numbers(runtime: Runtime) -> None:
    chat = Chat(runtime)  # the console: the engine maps typed numbers exactly as on Zalo
    await make_team_member(runtime, chat, TEAM)
    await chat.onboard("ba-hoa", "Hà Long", "Thôn 3")
    first = await announce_class(runtime)
    sent: list[Reply] = []

    class Console:
        channel = "console"

        async def send(self, chat_id: str, reply: Reply) -> None:
            sent.append(reply)

    await send_all(runtime, "console", Console())
    second = await announce_class(runtime)
    await send_all(runtime, "console", Console())
    assert [[b.number for b in r.numbered()] for r in sent[-2:]] == [[21, 22], [21, 22]]
    await chat.say("ba-hoa", "21")  # the message she read last: the second class
    assert await registered(runtime, second, "ba-hoa") and not await registered(runtime, first, "ba-hoa")
    # a message without choices leaves them as they were
    async with runtime.sessionmaker() as session, session.begin():
        hoa = await session.scalar(select(User).where(User.platform_id == "ba-hoa"))
        assert hoa is not None
        await enqueue_for_users(session, None, "note:1", [hoa], "Chỉ để báo tin.", runtime.app_ctx.clock())
    await send_all(runtime, "console", Console())
    assert "Lớp học sắp tới" in (await chat.say("ba-hoa", "22"))[0].text
    async with runtime.sessionmaker() as session:
        rows = list(await session.scalars(select(OutboxMessage.status).where(OutboxMessage.ref.like("cn:%"))))
    assert rows == ["sent", "sent"]


def test_no_screen_uses_the_pushed_numbers_and_the_oa_titles_them() -> None:
    # a long list (an attendance sheet of 25 people) goes 19, 20, then 30: 21–29 stay the pushed message's
    names = numbered([Button(f"Người {i}", f"x:{i}") for i in range(25)])
    assert [b.number for b in names][17:21] == [18, 19, 20, 30]
    # the Zalo OA shows the pushed choices as buttons titled with their number (typed ones work too)
    reply = Reply("📢", buttons=((Button("✅ Tôi sẽ tham gia", "cls:reg:1", 21),), (Button("☰ Menu", "m", 22),)))
    shown = zalo_oa_render.render(reply)
    assert "21. ✅ Tôi sẽ tham gia" in str(shown) and "22. ☰ Menu" in str(shown)
