"""Check-in at the village class (issue 13, part 3): the poster, typed codes and the deep link, the
window, walk-ins, consent first, the team's live list, the next-morning message, the web pages."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
import zxingcpp
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image
from sqlalchemy import func, select

from bot import callbacks as cb
from bot.db.models import Attendance, Klass, OutboxMessage, User
from bot.messages import Reply
from bot.runtime import Runtime
from bot.scheduler import BotScheduler, run_due
from bot.services import checkin
from bot.web.app import create_web_app
from tests.support.chat import Chat
from tests.support.class_chat import create_class_via_chat
from tests.support.clock import Clock
from tests.support.dashboard import add_user, new_link
from tests.support.replies import text as text_of
from tests.support.seed import TEAM, make_team_member, resident

# The clock starts Friday 20/11/2026 09:00 local; the class is Saturday 21/11 14:00 local (07:00 UTC).


def numbered(replies: list[Reply]) -> dict[int, str]:
    shown = [r for r in replies if r.buttons]
    return {b.number or 0: b.label for b in shown[-1].numbered()} if shown else {}


async def the_class(runtime: Runtime, class_id: int | None = None) -> Klass:
    """The class `class_id`, or the newest."""
    async with runtime.sessionmaker() as session:
        query = select(Klass).order_by(Klass.id.desc()).limit(1)
        klass = await session.scalar(query if class_id is None else query.where(Klass.id == class_id))
        assert klass is not None
        return klass


async def attendance_count(runtime: Runtime, class_id: int) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).where(Attendance.class_id == class_id)) or 0)


async def users_count(runtime: Runtime) -> int:
    async with runtime.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(User)) or 0)


async def poster(chat: Chat, class_id: int) -> list[Reply]:
    """The team member opens the class and types 10 («🧾 Mã điểm danh (áp phích)»)."""
    detail = await chat.tap_payload(TEAM, cb.ClassDetail(class_id).pack())
    assert numbered(detail)[10] == "🧾 Mã điểm danh (áp phích)"
    assert numbered(detail)[11] == "👀 Người đã đến"
    assert numbered(detail)[12] == "📚 Bài của lớp"
    return await chat.say(TEAM, "10")


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
async def web(runtime: Runtime) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_web_app(runtime), host="127.0.0.1")) as client:
        yield client


async def test_poster_png_and_pdf_and_check_in_by_code_and_deep_link_counted_once_within_the_window(
    runtime: Runtime, chat: Chat, clock: Clock, tmp_path: Path
) -> None:
    await make_team_member(runtime, chat)
    await resident(runtime, chat, "r-dang-ky", "Thôn 3", name="Bà Lan")
    await resident(runtime, chat, "r-vang-lai", "Thôn 3", name="Ông Tư")
    await create_class_via_chat(chat)
    klass = await the_class(runtime)
    await chat.tap_payload("r-dang-ky", cb.ClassRegister(klass.id).pack())

    replies = await poster(chat, klass.id)
    klass = await the_class(runtime)
    code, token = klass.checkin_code, klass.checkin_token
    assert code and len(code) == 4 and code.isdigit() and token and len(token) >= 20
    picture, follow = replies
    assert f"Mã điểm danh lớp «Cài đặt và kích hoạt VNeID»: {code}" in picture.text
    assert "13:30 đến 17:00" in picture.text  # 30 min before 14:00 to start + 3 h
    assert picture.image is not None
    [decoded] = zxingcpp.read_barcodes(Image.open(picture.image))
    assert decoded.text == picture.link == f"{runtime.settings.public_base_url}/diemdanh/{token}"
    assert follow.document is not None and follow.document.filename.endswith(".pdf")
    pdf = tmp_path / "poster.pdf"
    pdf.write_bytes(follow.document.content)
    printed = pdf_text(pdf)
    assert f"điểm danh {code}" in printed and "Cài đặt và kích hoạt VNeID" in printed
    assert "Nhà văn hóa thôn 3" in printed and "Thứ Bảy, 21/11/2026 lúc 14:00" in printed
    with Image.open(picture.image) as png:  # A5 portrait at 200 dpi
        assert png.size == (1165, 1654)
    again = await poster(chat, klass.id)  # a second poster keeps the code
    assert (await the_class(runtime)).checkin_code == code and code in again[0].text

    # Friday: too early. Nothing recorded.
    reply = text_of(await chat.say("r-dang-ky", f"diem danh {code}"))
    assert "Chưa đến giờ điểm danh" in reply and "13:30" in reply and "Chưa có gì được ghi lại" in reply
    assert await attendance_count(runtime, klass.id) == 0

    clock.now = klass.starts_at - timedelta(minutes=15)  # 13:45 local: open
    reply = text_of(await chat.say("r-dang-ky", f"Điểm danh {code}"))
    assert "✅ Đã điểm danh!" in reply and "Cài đặt và kích hoạt VNeID" in reply
    assert "mình chỉ tính một lần" in text_of(await chat.say("r-dang-ky", f"/diemdanh {code}"))
    wrong = "0000" if code != "0000" else "1111"
    reply = text_of(await chat.say("r-dang-ky", f"điểm danh {wrong}"))
    assert f"không tìm thấy lớp học nào có mã điểm danh «{wrong}»" in reply and "Chưa có gì" in reply
    assert "ví dụ: diem danh 4821" in text_of(await chat.say("r-dang-ky", "điểm danh"))
    assert await attendance_count(runtime, klass.id) == 1

    # A walk-in (not registered) scans the poster: the Telegram deep link; scanning twice counts once.
    assert "✅ Đã điểm danh!" in text_of(await chat.say("r-vang-lai", f"/start dd_{token}"))
    assert "chỉ tính một lần" in text_of(await chat.say("r-vang-lai", f"/start dd_{token}"))
    assert await attendance_count(runtime, klass.id) == 2

    # Mid-lesson the phrase still works (not taken for a lesson search).
    await chat.say("r-vang-lai", "/hoc")
    assert "chỉ tính một lần" in text_of(await chat.say("r-vang-lai", f"diem danh {code}"))

    # The team member's live list (11) and the manual sheet see both.
    detail = await chat.tap_payload(TEAM, cb.ClassDetail(klass.id).pack())
    assert 11 in numbered(detail)
    live = text_of(await chat.say(TEAM, "11"))
    assert "đã có 2 người đến" in live
    assert "Bà Lan" in live and "Ông Tư" in live and "chưa đăng ký trước" in live and "tự điểm danh" in live
    clock.now = klass.starts_at + timedelta(minutes=10)  # the manual sheet opens at the start
    sheet = await chat.tap_payload(TEAM, cb.Attendance(klass.id).pack())
    labels = [b.label for r in sheet for b in r.all_buttons()]
    assert "☑ Bà Lan" in labels and "☑ Ông Tư (tự điểm danh)" in labels
    assert "Có mặt: 2 người" in text_of(sheet)

    clock.now = klass.starts_at + timedelta(hours=3)  # 17:00: closed
    await resident(runtime, chat, "r-tre", "Thôn 3")
    reply = text_of(await chat.say("r-tre", f"diem danh {code}"))
    assert "đã kết thúc lúc 17:00" in reply and "Chưa có gì được ghi lại" in reply
    assert await attendance_count(runtime, klass.id) == 2


async def test_someone_who_has_not_consented_is_asked_first_and_checked_in_right_after(
    runtime: Runtime, chat: Chat, clock: Clock
) -> None:
    await make_team_member(runtime, chat)
    await create_class_via_chat(chat)
    klass = await the_class(runtime)
    await poster(chat, klass.id)
    klass = await the_class(runtime)
    clock.now = klass.starts_at
    before = await users_count(runtime)

    ask = await chat.say("moi-den", f"điểm danh {klass.checkin_code}")
    assert "Trước khi điểm danh, mình cần bạn đồng ý" in text_of(ask)
    assert any(b.payload == f"c:yesdd:{klass.checkin_code}" for b in ask[-1].all_buttons())
    assert await users_count(runtime) == before  # nothing stored before consent
    done = await chat.tap("moi-den", "Đồng ý")
    assert "✅ Đã điểm danh!" in done[0].text and "xã nào" in text_of(done)
    assert await attendance_count(runtime, klass.id) == 1

    # Telegram deep link before consent: the token rides in the payload.
    ask = await chat.say("qua-qr", f"/start dd_{klass.checkin_token}")
    assert any(b.payload == f"c:yesdd:dd_{klass.checkin_token}" for b in ask[-1].all_buttons())
    await chat.tap("qua-qr", "Đồng ý")
    assert await attendance_count(runtime, klass.id) == 2

    # Zalo (numbers typed): the key waits in memory (a keyed hash, nothing stored) for her typed «1».
    zalo = Chat(runtime, channel="zalo")
    ask = await zalo.say("zalo-ba", f"diem danh {klass.checkin_code}")
    assert "mình điểm danh cho bạn ngay" in text_of(ask) and await users_count(runtime) == before + 2
    done = await zalo.say("zalo-ba", "1")
    assert "✅ Đã điểm danh!" in text_of(done) and "xã nào" in text_of(done)
    assert await attendance_count(runtime, klass.id) == 3
    # «đồng ý 4821» in one message also consents and checks in.
    done = await zalo.say("zalo-ong", f"đồng ý {klass.checkin_code}")
    assert "✅ Đã điểm danh!" in text_of(done)
    assert await attendance_count(runtime, klass.id) == 4

    # A wrong code before consent: said at once, nothing stored.
    before = await users_count(runtime)
    wrong = text_of(await chat.say("nham-ma", "diem danh 12"))
    assert "không tìm thấy lớp học nào" in wrong and await users_count(runtime) == before


async def test_codes_posters_and_names_only_for_the_villages_team_and_officials(runtime: Runtime, chat: Chat) -> None:
    await make_team_member(runtime, chat)
    await make_team_member(runtime, chat, "team-khac", villages=["ha-long-thon-1"])
    await resident(runtime, chat, "r-to-mo", "Thôn 3")
    await create_class_via_chat(chat)
    klass = await the_class(runtime)
    for who in ("r-to-mo", "team-khac"):
        for payload in (cb.CheckinPoster(klass.id), cb.Arrived(klass.id), cb.ClassLesson(klass.id, 0)):
            reply = text_of(await chat.tap_payload(who, payload.pack()))
            assert "Mã điểm danh" not in reply and "người đến" not in reply, (who, payload)
    assert (await the_class(runtime)).checkin_code is None


async def test_the_next_morning_no_shows_get_one_message_with_the_lesson_and_next_class_not_again_after_restart(
    runtime: Runtime, chat: Chat, clock: Clock
) -> None:
    await make_team_member(runtime, chat)
    came = await resident(runtime, chat, "r-co-mat", "Thôn 3", name="Bà Hoa")
    await resident(runtime, chat, "r-vang", "Thôn 3", name="Bà Mai")
    await create_class_via_chat(chat)
    klass = await the_class(runtime)
    await create_class_via_chat(chat, when="28/11/2026 8h")
    upcoming = await the_class(runtime)
    for who in ("r-co-mat", "r-vang"):
        await chat.tap_payload(who, cb.ClassRegister(klass.id).pack())

    # The team marks the class's lesson (12 on the class screen, then the first lesson of the list).
    await chat.tap_payload(TEAM, cb.ClassDetail(klass.id).pack())
    lessons = await chat.say(TEAM, "12")
    assert "học bài nào" in text_of(lessons)
    first = numbered(lessons)[1]
    assert f"Đã gắn bài «{first}»" in text_of(await chat.say(TEAM, "1"))
    await poster(chat, klass.id)
    klass = await the_class(runtime, klass.id)
    clock.now = klass.starts_at + timedelta(minutes=5)
    await chat.say("r-co-mat", f"diem danh {klass.checkin_code}")

    progress = text_of(await chat.say("r-co-mat", "/tiendo"))
    assert f"{first} (đã học tại lớp)" in progress
    assert "đã học tại lớp" not in text_of(await chat.say("r-vang", "/tiendo"))

    async def followups() -> list[OutboxMessage]:
        async with runtime.sessionmaker() as session:
            rows = await session.scalars(select(OutboxMessage).where(OutboxMessage.ref == f"cns:{klass.id}"))
            return list(rows)

    clock.now = klass.starts_at + timedelta(hours=24, minutes=-7 * 60 + 59)  # Sunday 07:59 local
    assert (await run_due(runtime.sessionmaker, runtime.app_ctx, clock.now)).followups == 0
    clock.now += timedelta(minutes=1)  # 08:00
    assert (await run_due(runtime.sessionmaker, runtime.app_ctx, clock.now)).followups == 1
    [row] = await followups()
    async with runtime.sessionmaker() as session:
        absent = await session.scalar(select(User).where(User.platform_id == "r-vang"))
    assert absent is not None and row.user_id == absent.id and row.user_id != came
    assert "chưa đến được" in row.text and f"Lớp đã học bài «{first}»" in row.text
    assert "Lớp tiếp theo ở thôn bạn" in row.text and "28/11/2026" in row.text
    payloads = [b[1] for line in row.buttons for b in line]
    assert cb.ClassRegister(upcoming.id).pack() in payloads

    # A restart of the scheduler (a new instance) and later ticks add nothing.
    clock.now += timedelta(minutes=30)
    restarted = BotScheduler(runtime.sessionmaker, runtime.app_ctx, instance_id="after-restart")
    assert await restarted.take_lead(clock.now)
    first_tick = await restarted.tick()
    second_tick = await restarted.tick()
    assert first_tick is not None and first_tick.followups == 0
    assert second_tick is not None and second_tick.followups == 0
    await restarted.stop()
    assert len(await followups()) == 1


async def test_web_check_in_page_and_dashboard_live_count(
    runtime: Runtime, chat: Chat, clock: Clock, web: TestClient
) -> None:
    await make_team_member(runtime, chat)
    await resident(runtime, chat, "r-1", "Thôn 3", name="Bà Năm")
    await create_class_via_chat(chat)
    klass = await the_class(runtime)
    await poster(chat, klass.id)
    klass = await the_class(runtime)
    assert klass.checkin_token and klass.checkin_code

    page = await web.get(f"/diemdanh/{klass.checkin_token}")
    assert page.status == 200 and "Chưa đến giờ điểm danh" in await page.text()
    clock.now = klass.starts_at
    page = await web.get(f"/diemdanh/{klass.checkin_token}")
    html = await page.text()
    assert f"điểm danh {klass.checkin_code}" in html and "Cài đặt và kích hoạt VNeID" in html
    assert (await web.get("/diemdanh/khong-co-lop-nay-123456")).status == 404
    pdf = await web.get(f"/diemdanh/{klass.checkin_token}/ap-phich.pdf")
    assert pdf.status == 200 and (await pdf.read()).startswith(b"%PDF")
    assert await attendance_count(runtime, klass.id) == 0  # opening the page records nothing

    official = await add_user(runtime, "can-bo", "official", "ha-long")
    login = await web.post(
        await new_link(runtime, official), headers={"Origin": str(web.make_url("")).rstrip("/")}, allow_redirects=False
    )
    assert login.status == 302
    soon = await (await web.get("/xa/ha-long/lop-hoc")).text()  # not started yet: «Sắp diễn ra», with its page
    assert "Sắp diễn ra" in soon and f"/xa/ha-long/lop-hoc/{klass.id}" in soon
    clock.now = klass.starts_at + timedelta(minutes=10)
    await chat.say("r-1", f"diem danh {klass.checkin_code}")
    listing = await (await web.get("/xa/ha-long/lop-hoc")).text()
    assert f"/xa/ha-long/lop-hoc/{klass.id}" in listing
    detail = await web.get(f"/xa/ha-long/lop-hoc/{klass.id}")
    html = await detail.text()
    assert detail.status == 200 and 'id="arrived-count">1<' in html and "Bà Năm" in html and "Tự điểm danh" in html
    assert klass.checkin_code in html
    png = await web.get(f"/xa/ha-long/lop-hoc/{klass.id}/ap-phich.png")
    assert png.status == 200 and png.content_type == "image/png"

    other = await add_user(runtime, "can-bo-khac", "official", "bach-ngoc")
    web.session.cookie_jar.clear()
    await web.post(
        await new_link(runtime, other), headers={"Origin": str(web.make_url("")).rstrip("/")}, allow_redirects=False
    )
    assert (await web.get(f"/xa/ha-long/lop-hoc/{klass.id}")).status == 403


def test_the_window_and_the_typed_words() -> None:
    assert checkin.typed_checkin("Điểm danh 4821") == "4821"
    assert checkin.typed_checkin("diem danh 48 21") == "4821"
    assert checkin.typed_checkin("điểm danh") == ""
    assert checkin.typed_checkin("điểm danh là gì") is None
    assert checkin.typed_agree_with_code("Đồng ý 4821") == "4821"
    assert checkin.key_of_start_arg("dd_" + "a" * 24) == "dd_" + "a" * 24
    assert checkin.key_of_start_arg("ref-zalo") is None


async def test_a_team_member_on_zalo_gets_through_the_check_in_screens_with_numbers_only(
    runtime: Runtime, clock: Clock
) -> None:
    zalo = Chat(runtime, channel="zalo")
    await make_team_member(runtime, zalo)
    await resident(runtime, zalo, "r-zalo", "Thôn 3", name="Bà Sáu")
    await create_class_via_chat(zalo)
    klass = await the_class(runtime)
    clock.now = klass.starts_at + timedelta(minutes=1)
    await zalo.say(TEAM, "/todoi")
    await zalo.say(TEAM, "2")  # 📋 Lớp của tôi
    detail = await zalo.say(TEAM, "1")  # the class
    expected = {1: "✅ Điểm danh", 10: "🧾 Mã điểm danh (áp phích)", 11: "👀 Người đã đến"}
    assert expected.items() <= numbered(detail).items()
    shown = await zalo.say(TEAM, "10")
    assert shown[0].image is not None and "ap-phich.pdf" in shown[1].text  # Zalo: the PDF as a link
    assert shown[1].document is None
    code = (await the_class(runtime, klass.id)).checkin_code
    assert numbered(shown) == {11: "👀 Người đã đến", 9: "↩ Về lớp này", 8: "👥 Tổ công nghệ số", 0: "☰ Menu"}
    assert "✅ Đã điểm danh!" in text_of(await zalo.say("r-zalo", f"diem danh {code}"))
    live = await zalo.say(TEAM, "11")
    assert "đã có 1 người đến" in text_of(live) and "Bà Sáu" in text_of(live)
    assert numbered(live)[1] == "✅ Điểm danh" and numbered(live)[9] == "↩ Về lớp này"
    assert 12 in numbered(await zalo.say(TEAM, "9"))  # back to the class, then 12
    lessons = await zalo.say(TEAM, "12")
    assert numbered(lessons)[9] == "↩ Về lớp này" and numbered(lessons)[8] == "Trang sau ▶"
    picked = await zalo.say(TEAM, "2")
    assert "Đã gắn bài" in text_of(picked)
    assert "(đã học tại lớp)" in text_of(await zalo.say("r-zalo", "/tiendo"))


async def test_moving_a_class_onto_another_classs_code_draws_a_new_code(runtime: Runtime, chat: Chat) -> None:
    await make_team_member(runtime, chat)
    await create_class_via_chat(chat)
    first = await the_class(runtime)
    await create_class_via_chat(chat, when="28/11/2026 8h")
    second = await the_class(runtime)
    await poster(chat, first.id)
    await poster(chat, second.id)
    first, second = await the_class(runtime, first.id), await the_class(runtime, second.id)
    async with runtime.sessionmaker() as session, session.begin():  # a clash, as if drawn before the move
        moved = await session.get(Klass, second.id)
        assert moved is not None
        moved.checkin_code = first.checkin_code
    await chat.tap_payload(TEAM, cb.EditTime(second.id).pack())
    reply = text_of(await chat.say(TEAM, "thứ 7 tuần này 18h"))
    renewed = await the_class(runtime, second.id)
    assert renewed.checkin_code != first.checkin_code and f"Mã điểm danh mới: {renewed.checkin_code}" in reply
    assert "in lại" in reply and renewed.checkin_token == second.checkin_token
