"""Engine behaviour a resident notices: dedup, odd input, stale or forged buttons, search, data rights."""

from __future__ import annotations

from sqlalchemy import func, select, update

from bot.db.models import ConversationState, LessonProgress, QuizAttempt, User
from bot.messages import Incoming, Kind
from bot.runtime import Runtime
from tests.support.chat import Chat


async def count(runtime: Runtime, model: type) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_redelivered_update_changes_nothing(runtime: Runtime, chat: Chat) -> None:
    await chat.onboard("u1")
    await chat.say("u1", "vneid")
    tap = Incoming("telegram", "u1", Kind.BUTTON, payload="l:vneid-kich-hoat", update_id="777")
    # A different channel user: consent first on telegram.
    await chat.send(Incoming("telegram", "u1", Kind.BUTTON, payload="c:yes", update_id="775"))
    await chat.send(Incoming("telegram", "u1", Kind.BUTTON, payload="v:ha-long-thon-1", update_id="776"))
    first = await chat.send(tap)
    assert any("Bước 1/" in r.text for r in first)
    nxt = Incoming("telegram", "u1", Kind.BUTTON, payload="n:next", update_id="778")
    assert any("Bước 2/" in r.text for r in await chat.send(nxt))
    assert await chat.send(nxt) == []  # same update id again: nothing happens
    async with runtime.sessionmaker() as session:
        step = await session.scalar(
            select(LessonProgress.step).join(User).where(User.channel == "telegram", User.platform_id == "u1")
        )
    assert step == 1


async def test_odd_input_gets_kind_reply_and_keeps_state(runtime: Runtime, chat: Chat) -> None:
    await chat.onboard("u2")
    await chat.tap("u2", "Học bài mới")
    await chat.tap("u2", "OTP")
    async with runtime.sessionmaker() as session:
        before = (await session.scalars(select(ConversationState))).one().data
    odd = [
        Incoming("console", "u2", Kind.MEDIA),
        Incoming("console", "u2", Kind.OTHER),
        Incoming("console", "u2", Kind.TEXT, text="x" * 5000),
        Incoming("console", "u2", Kind.TEXT, text="😀🙏👍"),
        Incoming("console", "u2", Kind.TEXT, text=""),
        Incoming("console", "u2", Kind.BUTTON, payload="zz:forged"),
        Incoming("console", "u2", Kind.BUTTON, payload="q:9:9"),
        Incoming("console", "u2", Kind.BUTTON, payload="l:../../etc/passwd"),
        Incoming("console", "u2", Kind.BUTTON, payload="v:bach-ngoc-xom-1"),
        Incoming("console", "u2", Kind.BUTTON, payload="dd:yes"),
        Incoming("console", "u2", Kind.TEXT, text="/khongcolenhnay"),
    ]
    for incoming in odd:
        replies = await chat.send(incoming)
        assert replies, incoming
        assert all(r.text and "Traceback" not in r.text for r in replies)
    async with runtime.sessionmaker() as session:
        state = (await session.scalars(select(ConversationState))).one()
        user = (await session.scalars(select(User))).one()
    assert state.flow == "lesson" and state.data == before
    assert user.village_id == "ha-long-thon-3"  # the forged village of another commune was refused
    assert await count(runtime, User) == 1  # the forged delete without confirmation deleted nothing


async def test_search_is_diacritics_insensitive(chat: Chat) -> None:
    await chat.onboard("u3")
    for typed, lesson_id in [
        ("cai vneid", "vneid-kich-hoat"),
        ("quét mã qr", "qr-thanh-toan"),
        ("lua dao", None),
    ]:
        await chat.say("u3", typed)
        payloads = [b.payload for b in chat.buttons("u3")]
        assert any(p.startswith("l:") for p in payloads), typed
        if lesson_id:
            assert payloads[0] == f"l:{lesson_id}"
    await chat.say("u3", "qwertyuiop")
    assert "chưa tìm thấy" in chat.text("u3")


async def test_failed_quiz_offers_retry_and_passing_later_completes(runtime: Runtime, chat: Chat) -> None:
    lesson = runtime.app_ctx.catalog.lessons["otp-mat-khau"]
    await chat.onboard("u4")
    await chat.tap_payload("u4", f"qz:{lesson.id}")
    for i, q in enumerate(lesson.quiz.questions):
        await chat.tap_payload("u4", f"q:{i}:{(q.answer + 1) % len(q.choices)}")  # always wrong
    assert "Cần đúng" in chat.text("u4")
    await chat.tap("u4", "Làm lại")
    for q in lesson.quiz.questions:
        await chat.tap("u4", q.choices[q.answer])
    assert "Bạn đã hoàn thành bài" in chat.text("u4")
    assert await count(runtime, QuizAttempt) == 2
    await chat.say("u4", "/tiendo")
    assert f"1/{len(runtime.app_ctx.catalog.lessons)}" in chat.text("u4")


async def test_core_set_completion_gives_certificate(runtime: Runtime, chat: Chat) -> None:
    catalog = runtime.app_ctx.catalog
    await chat.onboard("u5")
    for lesson_id in catalog.core_ids:
        await chat.tap_payload("u5", f"qz:{lesson_id}")
        for i, q in enumerate(catalog.lessons[lesson_id].quiz.questions):
            await chat.tap_payload("u5", f"q:{i}:{q.answer}")
    await chat.say("u5", "1")  # «Không ghi tên» (tests/test_certificate.py covers the name)
    assert "GIẤY GHI NHẬN HOÀN THÀNH" in chat.text("u5")
    assert "Thôn 3, Xã Hà Long" in chat.text("u5")


async def test_my_data_and_deletion(runtime: Runtime, chat: Chat) -> None:
    await chat.onboard("u6")
    await chat.tap_payload("u6", "l:vneid-kich-hoat")
    await chat.say("u6", "/dulieu")
    assert "Thôn 3, Xã Hà Long" in chat.text("u6") and "Bài đã mở: 1" in chat.text("u6")
    await chat.say("u6", "/xoadulieu")
    await chat.tap("u6", "Không xóa")
    assert await count(runtime, User) == 1
    await chat.say("u6", "/xoadulieu")
    await chat.tap("u6", "Xóa hết")
    assert "Đã xóa toàn bộ" in chat.text("u6")
    for model in (User, LessonProgress, ConversationState):
        assert await count(runtime, model) == 0
    await chat.say("u6", "/dulieu")
    assert "không lưu dữ liệu nào" in chat.text("u6")


async def test_turns_of_one_user_run_in_order_and_leave_no_lock_behind(runtime: Runtime) -> None:
    import asyncio

    async def burst(user: str) -> list[list[str]]:
        events = [Incoming("console", user, Kind.TEXT, text="/start", update_id=f"{user}-0")]
        events.append(Incoming("console", user, Kind.BUTTON, payload="c:yes", update_id=f"{user}-1"))
        events.append(Incoming("console", user, Kind.BUTTON, payload="cm:ha-long", update_id=f"{user}-2"))
        events.append(Incoming("console", user, Kind.BUTTON, payload="v:ha-long-thon-2", update_id=f"{user}-3"))
        results = await asyncio.gather(*(runtime.handle(e) for e in events))
        return [[r.text for r in replies] for replies in results]

    outcomes = await asyncio.gather(*(burst(f"p{i}") for i in range(8)))
    for texts in outcomes:
        # Started together, each user's taps were still handled in the order they were sent.
        assert "Đã lưu nơi ở của bạn: Thôn 2, Xã Hà Long." in texts[3][0]
    assert runtime._user_turns == {}


async def test_steps_move_one_at_a_time_and_a_step_beyond_a_shortened_lesson_counts_as_its_last(
    runtime: Runtime, chat: Chat
) -> None:
    await chat.onboard("u9")
    await chat.tap("u9", "Học bài mới")
    await chat.tap("u9", "OTP")
    total = int(chat.text("u9").split("Bước 1/", 1)[1].split()[0])
    await chat.tap("u9", "Tiếp")
    await chat.say("u9", "1")  # typed on Zalo: «1. Tiếp» of the screen just shown
    assert f"Bước 3/{total}" in chat.text("u9")
    await chat.tap("u9", "Quay lại")
    assert f"Bước 2/{total}" in chat.text("u9")
    async with runtime.sessionmaker() as session, session.begin():  # the lesson lost steps under her
        await session.execute(update(LessonProgress).values(step=total + 5))
    await chat.tap("u9", "Quay lại")
    assert f"Bước {total - 1}/{total}" in chat.text("u9")
    await chat.tap("u9", "Tiếp")
    assert f"Bước {total}/{total}" in chat.text("u9")
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(LessonProgress.step)) == total - 1
