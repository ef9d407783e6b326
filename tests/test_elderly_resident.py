"""An elderly resident on a channel without buttons: she types only numbers and unaccented words.

Played through the engine (tests/support's chat driver, typing text the way Zalo delivers it) and
through the real `hocvuso chat --as zalo` process. The numbering scheme is docs/conversation.md.
"""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import func, select

from bot.config import PROJECT_ROOT
from bot.content.loader import load_catalog
from bot.db.models import ConversationState, Klass, User
from bot.engine import texts
from bot.messages import Button, Incoming, Kind, Reply, numbered
from bot.runtime import Runtime
from bot.services import invites
from tests.support.chat import Chat
from tests.support.class_chat import create_class_via_chat
from tests.support.cli import run_cli
from tests.support.replies import numbers, text
from tests.support.seed import TEAM, make_team_member

CATALOG = load_catalog(PROJECT_ROOT / "content" / "lessons")
LESSON = CATALOG.lessons["vneid-kich-hoat"]
BA = "ba-tu"


async def count(runtime: Runtime, model: type) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


def number_of(replies: list[Reply], part: str) -> int | None:
    return next((n for label, n in numbers(replies).items() if part in label), None)


async def onboard_by_numbers(chat: Chat, user: str = BA) -> None:
    """Consent with «1», commune and village typed without diacritics."""
    await chat.say(user, "/start")
    await chat.say(user, "1")
    await chat.say(user, "ha long")
    replies = await chat.say(user, "thon 3")
    assert "Đã lưu nơi ở của bạn" in text(replies), text(replies)


async def test_typing_1_walks_forward_through_every_step_of_a_lesson(chat: Chat) -> None:
    await onboard_by_numbers(chat)
    await chat.say(BA, "cai vneid")
    replies = await chat.say(BA, "1")
    total = len(LESSON.steps)
    for step in range(1, total + 1):
        assert f"Bước {step}/{total}" in text(replies), (step, text(replies))
        assert number_of(replies, "Menu") == 0
        forward = "Làm bài kiểm tra" if step == total else "Tiếp"
        assert number_of(replies, forward) == 1, numbers(replies)
        assert number_of(replies, "Quay lại") == (None if step == 1 else 2), numbers(replies)
        replies = await chat.say(BA, "1")
    assert "Câu 1/" in text(replies)


async def test_back_is_2_and_menu_is_0_on_every_step(chat: Chat) -> None:
    await onboard_by_numbers(chat)
    await chat.say(BA, "cai vneid")
    await chat.say(BA, "1")
    await chat.say(BA, "1")
    assert "Bước 2/" in chat.text(BA)
    assert "Bước 1/" in text(await chat.say(BA, "2"))
    menu = await chat.say(BA, "0")
    assert number_of(menu, "Học bài mới") == 1


async def test_main_menu_does_not_renumber_when_an_unfinished_lesson_appears(chat: Chat) -> None:
    await onboard_by_numbers(chat)
    before = numbers(await chat.say(BA, "menu"))
    assert not any("Học tiếp bài đang học" in label for label in before)
    await chat.say(BA, "1")  # Học bài mới
    await chat.say(BA, "1")  # the first lesson of the list
    await chat.say(BA, "1")  # Tiếp: the lesson is now unfinished
    after = numbers(await chat.say(BA, "0"))
    assert number_of_label(after, "Học tiếp bài đang học") == 2
    for label, number in before.items():
        assert after[label] == number, (label, before, after)


def number_of_label(found: dict[str, int], part: str) -> int | None:
    return next((n for label, n in found.items() if part in label), None)


async def test_lesson_list_pages_keep_their_numbers(chat: Chat) -> None:
    await onboard_by_numbers(chat)
    first = await chat.say(BA, "1")
    assert number_of(first, "Trang sau") == 8 and number_of(first, "Trang trước") is None
    assert sorted(n for n in numbers(first).values()) == [0, 1, 2, 3, 4, 5, 6, 8]
    second = await chat.say(BA, "8")
    assert number_of(second, "Trang trước") == 7
    assert number_of(second, "Menu") == 0
    items = [n for label, n in numbers(second).items() if "Trang" not in label and "Menu" not in label]
    assert items == list(range(1, len(items) + 1))
    back = await chat.say(BA, "7")
    assert numbers(back) == numbers(first)


async def test_class_list_numbers_in_the_text_match_the_buttons(runtime: Runtime, chat: Chat) -> None:
    await make_team_member(runtime, chat)
    for title, when in (("Cài đặt VNeID", "thứ 7 tuần này 14h"), ("Quét mã QR", "chủ nhật tuần này 8h")):
        await create_class_via_chat(chat, when, title)
    await onboard_by_numbers(chat)
    listing = await chat.say(BA, "4")  # 📅 Lịch lớp học, slot 4 of the main menu
    body = text(listing)
    assert "1️⃣" in body and "2️⃣" in body
    assert number_of(listing, "lớp 1") == 1 and number_of(listing, "lớp 2") == 2
    registered = await chat.say(BA, "2")
    assert "Quét mã QR" in text(registered)


def test_buttons_without_a_fixed_number_fill_the_gaps_in_order() -> None:
    shown = numbered([Button("a", "x:a"), Button("Menu", "m:menu", 0), Button("b", "x:b"), Button("f", "x:f", 2)])
    assert [(b.label, b.number) for b in shown] == [("a", 1), ("f", 2), ("b", 3), ("Menu", 0)]


def run_zalo_chat(db: Path, lines: list[str], user: str = "ba-nam") -> str:
    done = run_cli(
        "chat", "--as", "zalo", "--user", user, database_url=f"sqlite+aiosqlite:///{db}", stdin="\n".join(lines) + "\n"
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    return done.stdout


def choices(message: str) -> dict[str, int]:
    """`N. Label` lines of one Zalo message."""
    return {m.group(2): int(m.group(1)) for m in re.finditer(r"^(\d+)\. (.+)$", message, re.M)}


# ---------- everyday replies ----------
async def in_lesson(chat: Chat, user: str = BA) -> None:
    await onboard_by_numbers(chat, user)
    await chat.say(user, "cai vneid")
    assert "Bước 1/" in text(await chat.say(user, "1"))


async def test_everyday_yes_words_move_the_lesson_on(chat: Chat) -> None:
    await in_lesson(chat)
    for step, word in enumerate(["ok", "roi", "xong", "tiep", "duoc", "ừ", "Ok."][: len(LESSON.steps) - 1], start=2):
        replies = await chat.say(BA, word)
        assert f"Bước {step}/" in text(replies), (word, text(replies))
        assert "chưa tìm thấy" not in text(replies)


async def test_back_words_go_back_and_unclear_words_keep_the_buttons(chat: Chat) -> None:
    await in_lesson(chat)
    await chat.say(BA, "tiep")
    assert "Bước 1/" in text(await chat.say(BA, "quay lai"))
    for word in ["khong", "hay qua", "😀", "alo", "5"]:
        before = numbers(chat.last[BA]) if any(r.buttons for r in chat.last[BA]) else None
        replies = await chat.say(BA, word)
        assert replies and all(r.text for r in replies)
        kept = numbers(replies)
        assert number_of(replies, "Tiếp") == 1 and number_of(replies, "Menu") == 0, (word, kept)
        if before is not None:
            assert kept == before, word
    assert "Bước 2/" in text(await chat.say(BA, "1"))  # the lesson did not move meanwhile


async def test_thanks_gets_a_friendly_answer_with_the_buttons_kept(chat: Chat) -> None:
    await in_lesson(chat)
    for word in ["cam on", "Cảm ơn bạn", "👍", "thank you"]:
        replies = await chat.say(BA, word)
        assert "Không có gì" in text(replies), (word, text(replies))
        assert number_of(replies, "Tiếp") == 1 and number_of(replies, "Quay lại") is None


async def test_a_sticker_mid_lesson_keeps_the_lesson_buttons(chat: Chat) -> None:
    await in_lesson(chat)
    replies = await chat.send(Incoming("console", BA, Kind.MEDIA))
    assert "Cảm ơn bạn đã gửi" in text(replies)
    assert number_of(replies, "Tiếp") == 1


async def test_no_reply_is_cut_off(chat: Chat) -> None:
    await onboard_by_numbers(chat)
    for word in ["abcxyz", "toi muon hoc cai gi do rat la", "!!!"]:
        replies = await chat.say(BA, word)
        body = text(replies)
        assert not body.rstrip().endswith("Cách dùng rất đơn giản:"), body
        assert not body.rstrip().endswith(":") or replies[-1].buttons, body  # a colon introduces choices
        assert chat.buttons(BA), word  # she always has something to choose next
    await chat.say(BA, "0")
    help_text = text(await chat.say(BA, "5"))  # ❓ Hướng dẫn
    assert help_text.count("•") >= 3 and "/menu" in help_text


# ---------- before consent ----------
async def test_consent_words_without_diacritics(runtime: Runtime, chat: Chat) -> None:
    await chat.say("u-co", "/start")
    assert "Bạn đang ở" not in text(await chat.say("u-co", "co"))
    assert await count(runtime, User) == 1
    await chat.say("u-ko", "/start")
    assert "không lưu gì về bạn" in text(await chat.say("u-ko", "khong"))
    await chat.say("u-u", "/start")
    await chat.say("u-u", "ừ")
    assert await count(runtime, User) == 2


async def test_text_before_consent_does_not_repeat_the_whole_welcome(runtime: Runtime, chat: Chat) -> None:
    first = text(await chat.say("new", "hoc vneid"))
    again = text(await chat.say("new", "vneid la gi"))
    for body in (first, again):
        assert texts.WELCOME not in body
        assert "không phải người thật" in body and "Bạn có đồng ý không?" in body
    assert texts.WELCOME in text(await chat.say("new", "xin chao"))
    assert number_of(chat.last["new"], "Đồng ý") == 1


async def test_invite_code_sent_before_consent_is_applied_right_after(runtime: Runtime, chat: Chat) -> None:

    async with runtime.sessionmaker() as session, session.begin():
        invite = await invites.create_invite(
            session, runtime.app_ctx.places, "team", "ha-long", ["ha-long-thon-3"], runtime.app_ctx.clock()
        )
    replies = await chat.say("to-vien", f"/ma {invite.code}")
    assert invite.code in text(replies)
    assert await count(runtime, User) == 0 and await count(runtime, ConversationState) == 0
    await chat.tap("to-vien", "Đồng ý")
    assert "Bạn đã được cấp quyền: thành viên Tổ công nghệ số cộng đồng" in chat.text("to-vien")
    async with runtime.sessionmaker() as session:
        user = await session.scalar(select(User).where(User.platform_id == "to-vien"))
    assert user is not None and user.role == "team"


async def test_on_zalo_the_code_waits_for_her_typed_1_and_nothing_is_stored(runtime: Runtime, chat: Chat) -> None:
    zalo = Chat(runtime, channel="zalo")
    body = text(await zalo.say("z1", "/ma ABCD2345"))
    assert "Mình đã nhận mã mời ABCD2345" in body  # kept in memory only (tests/test_zalo_invite_before_consent.py)
    assert await count(runtime, User) == 0 and await count(runtime, ConversationState) == 0


# ---------- a screen asks for a number or shows buttons, never both ----------
async def test_seats_are_typed_and_1_is_one_seat_never_a_button(runtime: Runtime, chat: Chat) -> None:

    await make_team_member(runtime, chat)
    await chat.say(TEAM, "/taolop")
    await chat.say(TEAM, "Cài đặt VNeID")
    await chat.tap(TEAM, "Thôn 3")
    await chat.tap(TEAM, "Xong")
    await chat.say(TEAM, "Nhà văn hóa thôn 3")
    seats = await chat.say(TEAM, "thứ 7 tuần này 14h")
    assert "Gõ một số" in text(seats) and not any(r.buttons for r in seats)
    await chat.say(TEAM, "khong")
    await chat.tap(TEAM, "Bỏ qua")
    await chat.tap(TEAM, "Xác nhận")
    async with runtime.sessionmaker() as session:
        klass = (await session.scalars(select(Klass))).one()
    assert klass.capacity is None
    await chat.say(TEAM, "/lopcuatoi")
    await chat.tap(TEAM, "Cài đặt VNeID")
    asked = await chat.tap(TEAM, "Đổi số chỗ")
    assert not any(r.buttons for r in asked)
    await chat.say(TEAM, "1")
    async with runtime.sessionmaker() as session:
        assert (await session.scalars(select(Klass))).one().capacity == 1


# ---------- the console shows exactly what Zalo shows ----------
def zalo_messages(out: str) -> list[str]:
    return [m.strip() for m in out.split("🤖 ") if m.strip()]


def test_zalo_console_walk_with_numbers_only(tmp_path: Path) -> None:
    steps = len(LESSON.steps)
    lines = ["1", "ha long", "thon 3", "cai vneid", "1", *(["1"] * (steps - 1)), "ok", "cam on"]
    out = run_zalo_chat(tmp_path / "zalo.db", lines)
    messages = zalo_messages(out)
    lesson_screens = [m for m in messages if re.search(r"^Bước \d+/", m, re.M)]
    assert len(lesson_screens) == steps
    for index, screen in enumerate(lesson_screens):
        found = choices(screen)
        assert found.get("☰ Menu") == 0 and found.get("🔊 Nghe") == 9, screen
        assert found.get("Tiếp ▶" if index < steps - 1 else "📝 Làm bài kiểm tra") == 1, screen
        assert found.get("◀ Quay lại") == (None if index == 0 else 2), screen
        assert re.search(r"^Gõ .* để chọn\.$", screen, re.M), screen
    assert "Câu 1/" in out  # «ok» on the last step starts the quiz
    assert "Không có gì đâu bạn" in messages[-1] and "1. " in messages[-1]  # thanks, choices kept
    assert "bấm" not in out.lower(), [m for m in messages if "bấm" in m.lower()]


def test_zalo_console_prints_what_zalo_render_sends() -> None:
    from bot.channels import zalo_render
    from bot.channels.console import render_zalo

    reply = Reply(
        "Đã chọn: Thôn 3. Bấm «Xong» khi chọn đủ, hoặc bấm Menu.\n\n" + "x" * 2500,
        buttons=((Button("✔ Xong", "tm:vdone"),), (Button("☰ Menu", "m:menu", 0),)),
    )
    calls = zalo_render.render(reply)
    assert len(calls) >= 2 and all(len(c.text) <= 2000 for c in calls)
    printed = render_zalo(reply)
    assert printed == "\n".join(f"🤖 {c.text}" for c in calls)
    assert printed.startswith("🤖 Đã chọn: Thôn 3. Gõ 1 («Xong») khi chọn đủ, hoặc gõ 0 (Menu).")
    assert calls[-1].text.endswith("1. ✔ Xong\n0. ☰ Menu\nGõ 1 hoặc 0 để chọn.")
