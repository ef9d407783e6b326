"""Conversations of team members (create / edit / cancel / attendance / announcement) and residents."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from bot.db.models import Attendance, Klass, OutboxMessage, User
from bot.messages import Reply
from bot.outbox.pacing import ChannelLimits
from bot.outbox.sender import OutboxSender
from bot.runtime import Runtime
from tests.support.chat import Chat
from tests.support.class_chat import create_class_via_chat
from tests.support.clock import Clock
from tests.support.replies import text as text_of
from tests.support.seed import TEAM, make_team_member, resident


async def outbox_rows(runtime: Runtime, ref_prefix: str) -> list[OutboxMessage]:
    async with runtime.sessionmaker() as session:
        rows = await session.scalars(
            select(OutboxMessage).where(OutboxMessage.ref.like(f"{ref_prefix}%")).order_by(OutboxMessage.id)
        )
        return list(rows)


async def chat_ids_of(runtime: Runtime, rows: list[OutboxMessage]) -> set[str]:
    return {r.chat_id for r in rows}


async def test_team_member_creates_a_class_with_validation_and_residents_are_notified(
    runtime: Runtime, chat: Chat
) -> None:
    await make_team_member(runtime, chat)
    await resident(runtime, chat, "r-thon3", "Thôn 3")
    await resident(runtime, chat, "r-thon5", "Thôn Đồng Xá")
    menu = await chat.say(TEAM, "/menu")
    assert any(b.label == "👥 Tổ công nghệ số" for r in menu for b in r.all_buttons())

    await chat.say(TEAM, "/taolop")
    assert "bước 1/6" in chat.text(TEAM)
    assert "ngắn quá" in text_of(await chat.say(TEAM, "a"))
    await chat.say(TEAM, "Cài đặt và kích hoạt VNeID")
    labels = [b.label for b in chat.buttons(TEAM)]
    assert "☐ Thôn 3" in labels and "☐ Thôn 2" in labels
    assert not any("Đồng Xá" in label for label in labels)  # only the member's villages
    assert "không có trong danh sách" in text_of(await chat.say(TEAM, "Thôn Đồng Xá"))
    assert "không có trong danh sách" in text_of(await chat.tap_payload(TEAM, "tm:v:7"))
    assert "chưa chọn thôn" in text_of(await chat.tap(TEAM, "Xong"))
    await chat.tap(TEAM, "Thôn 3")
    await chat.tap(TEAM, "Xong")
    await chat.say(TEAM, "Nhà văn hóa thôn 3")

    assert "không có trong lịch" in text_of(await chat.say(TEAM, "32/12 8h"))
    assert "đã qua" in text_of(await chat.say(TEAM, "8:30 ngày 20/11/2025"))
    assert "chưa ghi giờ" in text_of(await chat.say(TEAM, "thứ 7 tuần này"))
    assert "đã qua" in text_of(await chat.say(TEAM, "hôm nay 7h"))  # 09:00 local now
    reply = text_of(await chat.say(TEAM, "thu 7 tuan nay 14h"))
    assert "Thứ Bảy, 21/11/2026 lúc 14:00" in reply
    assert "lớn hơn 0" in text_of(await chat.say(TEAM, "0"))
    assert "phải là một số" in text_of(await chat.say(TEAM, "ba chục"))
    await chat.say(TEAM, "30")
    preview = text_of(await chat.say(TEAM, "Mang theo điện thoại và CCCD"))
    assert "Cài đặt và kích hoạt VNeID" in preview
    assert "Nhà văn hóa thôn 3 (Thôn 3)" in preview
    assert "Tối đa 30 người" in preview
    assert "báo cho 1 người" in preview
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(Klass)) is None  # nothing saved before confirming

    done = text_of(await chat.tap(TEAM, "Xác nhận"))
    assert "Đã tạo lớp" in done
    async with runtime.sessionmaker() as session:
        klass = await session.scalar(select(Klass))
    assert klass is not None and klass.village_ids == ["ha-long-thon-3"] and klass.capacity == 30
    notified = await outbox_rows(runtime, f"cn:{klass.id}")
    assert [r.chat_id for r in notified] == ["r-thon3"]
    assert "Lớp học mới" in notified[0].text and notified[0].buttons[0][0][1] == f"cls:reg:{klass.id}"
    assert "Bước này đã qua" in text_of(await chat.tap_payload(TEAM, "tm:ok"))  # a replayed confirm does nothing


async def test_resident_lists_registers_and_unregisters(runtime: Runtime, chat: Chat) -> None:
    await make_team_member(runtime, chat)
    await resident(runtime, chat, "r1", "Thôn 3")
    await resident(runtime, chat, "r2", "Thôn 2")
    await create_class_via_chat(chat)

    listing = text_of(await chat.tap_payload("r1", "cls:list"))
    assert "Cài đặt và kích hoạt VNeID" in listing and "Thứ Bảy, 21/11/2026 lúc 14:00" in listing
    assert "chưa có lớp học nào" in text_of(await chat.say("r2", "/lichhoc"))  # Thôn 2 is not invited

    registered = text_of(await chat.tap("r1", "Tôi sẽ tham gia"))
    assert "Bạn đã đăng ký" in registered and "nhắc bạn 1 ngày và 1 giờ" in registered
    assert "bạn đã đăng ký" in text_of(await chat.say("r1", "/lichhoc"))
    assert any("Hủy đăng ký" in b.label for b in chat.buttons("r1"))
    assert "Đã hủy đăng ký" in text_of(await chat.tap("r1", "Hủy đăng ký"))
    assert any("Tôi sẽ tham gia" in b.label for b in (await chat.say("r1", "/lichhoc"))[0].all_buttons())

    # A resident of another village cannot register by forging the payload.
    async with runtime.sessionmaker() as session:
        class_id = await session.scalar(select(Klass.id))
    assert "không dành cho thôn của bạn" in text_of(await chat.tap_payload("r2", f"cls:reg:{class_id}"))


async def test_capacity_is_enforced(runtime: Runtime, chat: Chat) -> None:
    await make_team_member(runtime, chat)
    for name in ("a", "b"):
        await resident(runtime, chat, name, "Thôn 3")
    await chat.say(TEAM, "/taolop")
    await chat.say(TEAM, "Thanh toán bằng mã QR")
    await chat.tap(TEAM, "Thôn 3")
    await chat.tap(TEAM, "Xong")
    await chat.tap(TEAM, "Nhà văn hóa")
    await chat.tap(TEAM, "Sáng mai")
    await chat.say(TEAM, "1")  # a number, not "button 1" (Không giới hạn)
    await chat.tap(TEAM, "Bỏ qua")
    assert "Tối đa 1 người" in chat.text(TEAM)
    await chat.tap(TEAM, "Xác nhận")
    assert "Đã tạo lớp" in chat.text(TEAM)
    await chat.say("a", "/lichhoc")
    await chat.tap("a", "Tôi sẽ tham gia")
    listing = text_of(await chat.say("b", "/lichhoc"))
    assert "đã đủ chỗ" in listing
    async with runtime.sessionmaker() as session:
        class_id = await session.scalar(select(Klass.id))
    assert "đủ chỗ" in text_of(await chat.tap_payload("b", f"cls:reg:{class_id}"))


async def test_residents_are_refused_team_commands_and_forged_payloads(runtime: Runtime, chat: Chat) -> None:
    await make_team_member(runtime, chat)
    await resident(runtime, chat, "r1", "Thôn 3")
    await create_class_via_chat(chat)
    async with runtime.sessionmaker() as session:
        class_id = await session.scalar(select(Klass.id))
    menu = await chat.say("r1", "/menu")
    assert not any("Tổ công nghệ số" in b.label for r in menu for b in r.all_buttons())
    for command in ("/taolop", "/thongbao", "/lopcuatoi"):
        assert "dành cho thành viên Tổ công nghệ số" in text_of(await chat.say("r1", command))
    for payload in ("tm:new", "tm:ok", f"tm:x:{class_id}", f"tm:xok:{class_id}", f"tm:att:{class_id}", "tm:aok"):
        assert "dành cho thành viên Tổ công nghệ số" in text_of(await chat.tap_payload("r1", payload))
    async with runtime.sessionmaker() as session:
        assert (await session.get(Klass, class_id)).status == "scheduled"  # type: ignore[union-attr]


async def test_team_member_cannot_manage_another_villages_class(runtime: Runtime, chat: Chat) -> None:
    await make_team_member(runtime, chat)
    await make_team_member(runtime, chat, "team-2", villages=["ha-long-dong-xa"])
    await create_class_via_chat(chat)
    async with runtime.sessionmaker() as session:
        class_id = await session.scalar(select(Klass.id))
    assert "thôn được giao" in text_of(await chat.tap_payload("team-2", f"tm:xok:{class_id}"))
    assert "thôn được giao" in text_of(await chat.tap_payload("team-2", f"tm:et:{class_id}"))
    assert "Bạn chưa có lớp học nào" in text_of(await chat.say("team-2", "/lopcuatoi"))


async def test_edit_and_cancel_notify_everyone_registered(runtime: Runtime, chat: Chat) -> None:
    await make_team_member(runtime, chat)
    await resident(runtime, chat, "r1", "Thôn 3")
    await resident(runtime, chat, "r2", "Thôn 3")
    await resident(runtime, chat, "r3", "Thôn 3")
    await create_class_via_chat(chat)
    for user in ("r1", "r2"):
        await chat.say(user, "/lichhoc")
        await chat.tap(user, "Tôi sẽ tham gia")

    await chat.say(TEAM, "/lopcuatoi")
    detail = text_of(await chat.tap(TEAM, "VNeID"))
    assert "Bà r1" in detail and "Bà r2" in detail
    await chat.tap(TEAM, "Đổi giờ")
    assert "đã qua" in text_of(await chat.say(TEAM, "1/1/2020 8h"))
    done = text_of(await chat.say(TEAM, "chủ nhật 8h"))
    assert "Đã cập nhật" in done and "Chủ Nhật, 22/11/2026 lúc 08:00" in done
    edits = await outbox_rows(runtime, "ce:")
    assert {r.chat_id for r in edits} == {"r1", "r2"}
    assert "21/11/2026 lúc 14:00 → Chủ Nhật, 22/11/2026 lúc 08:00" in edits[0].text

    await chat.say(TEAM, "/lopcuatoi")
    await chat.tap(TEAM, "VNeID")
    await chat.tap(TEAM, "Đổi địa điểm")
    await chat.say(TEAM, "Hội trường UBND xã")
    assert len(await outbox_rows(runtime, "ce:")) == 4

    await chat.say(TEAM, "/lopcuatoi")
    await chat.tap(TEAM, "VNeID")
    await chat.tap(TEAM, "Hủy lớp")
    assert "chắc chắn" in chat.text(TEAM)
    assert "báo cho 2 người" in text_of(await chat.tap(TEAM, "Đúng, hủy lớp"))
    cancelled = await outbox_rows(runtime, "cx:")
    assert {r.chat_id for r in cancelled} == {"r1", "r2"} and "đã bị HỦY" in cancelled[0].text
    assert "chưa có lớp học nào" in text_of(await chat.say("r3", "/lichhoc"))
    async with runtime.sessionmaker() as session:
        class_id = await session.scalar(select(Klass.id))
    assert "đã bị hủy" in text_of(await chat.tap_payload("r3", f"cls:reg:{class_id}"))
    assert "đã hủy hoặc đã kết thúc" in text_of(await chat.tap_payload(TEAM, f"tm:xok:{class_id}"))


async def test_attendance_after_the_class(runtime: Runtime, chat: Chat, clock: Clock) -> None:
    await make_team_member(runtime, chat)
    await resident(runtime, chat, "r1", "Thôn 3", "Nguyễn Thị Hoa")
    await resident(runtime, chat, "r2", "Thôn 3", "Lê Văn Nam")
    await create_class_via_chat(chat)
    for user in ("r1", "r2"):
        await chat.say(user, "/lichhoc")
        await chat.tap(user, "Tôi sẽ tham gia")
    async with runtime.sessionmaker() as session:
        class_id = await session.scalar(select(Klass.id))
    assert "chưa diễn ra" in text_of(await chat.tap_payload(TEAM, f"tm:att:{class_id}"))

    clock.advance(timedelta(days=1, hours=7))  # Saturday 16:00 local, after the class
    await chat.say(TEAM, "/lopcuatoi")
    await chat.tap(TEAM, "VNeID")
    sheet = text_of(await chat.tap(TEAM, "Điểm danh"))
    assert "Có mặt: 0 người" in sheet
    assert "Có mặt: 1 người" in text_of(await chat.tap(TEAM, "Nguyễn Thị Hoa"))
    assert any(b.label == "☑ Nguyễn Thị Hoa" for b in chat.buttons(TEAM))
    await chat.tap(TEAM, "Thêm người đến")
    added = text_of(await chat.say(TEAM, "Trần Văn An, Phạm Thị Bình"))
    assert "Đã thêm: Trần Văn An, Phạm Thị Bình" in added and "Có mặt: 3 người" in added
    await chat.tap(TEAM, "Thêm người đến")
    assert "đã có trong danh sách" in text_of(await chat.say(TEAM, "trần văn an"))
    finished = text_of(await chat.tap_payload(TEAM, f"tm:afin:{class_id}"))
    assert "3 người có mặt" in finished

    async with runtime.sessionmaker() as session:
        rows = list(await session.scalars(select(Attendance).where(Attendance.class_id == class_id)))
        status = (await session.get(Klass, class_id)).status  # type: ignore[union-attr]
    assert len(rows) == 3 and status == "done"
    assert {r.walk_in_name for r in rows if r.user_id is None} == {"Trần Văn An", "Phạm Thị Bình"}
    assert all(r.village_id == "ha-long-thon-3" for r in rows)


class ConsoleRecorder:
    channel = "console"

    def __init__(self, blocked: set[str]) -> None:
        self.blocked = blocked
        self.sent: list[tuple[str, str]] = []

    async def send(self, chat_id: str, reply: Reply) -> None:
        from bot.channels.base import RecipientBlocked

        if chat_id in self.blocked:
            raise RecipientBlocked("Forbidden: bot was blocked by the user")
        self.sent.append((chat_id, reply.text))


async def test_announcement_preview_send_and_delivery_status(runtime: Runtime, chat: Chat) -> None:
    await make_team_member(runtime, chat)
    for name, village in (("a", "Thôn 3"), ("b", "Thôn 3"), ("c", "Thôn 2"), ("d", "Thôn Đồng Xá")):
        await resident(runtime, chat, name, village)
    await chat.say(TEAM, "/thongbao")
    await chat.tap(TEAM, "Thôn 3")
    await chat.tap(TEAM, "Thôn 2")
    asked = text_of(await chat.tap(TEAM, "Xong"))
    assert "(3 người)" in asked
    assert "ngắn quá" in text_of(await chat.say(TEAM, "ok"))
    preview = text_of(await chat.say(TEAM, "Chiều nay 14h có cán bộ công an về hỗ trợ kích hoạt VNeID."))
    assert "Sẽ gửi đến 3 người" in preview and "cán bộ công an" in preview
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(OutboxMessage)) is None  # nothing is sent before confirming
    sent = text_of(await chat.tap(TEAM, "Gửi"))
    assert "đến 3 người" in sent
    status = text_of(await chat.tap(TEAM, "Tình trạng gửi"))
    assert "Đang chờ gửi: 3" in status and "Đã gửi: 0" in status

    platform = ConsoleRecorder(blocked={"c"})
    sender = OutboxSender(runtime.sessionmaker, {"console": platform}, {"console": ChannelLimits(100)}, "test")
    await sender.run_until_idle()
    assert sorted(c for c, _ in platform.sent) == ["a", "b"]
    assert "Tổ công nghệ số cộng đồng (Thôn 3, Thôn 2)" in platform.sent[0][1]
    status = text_of(await chat.tap(TEAM, "Cập nhật"))
    assert "Đã gửi: 2" in status and "đã chặn bot: 1" in status and "Đang chờ gửi: 0" in status
    async with runtime.sessionmaker() as session:
        blocked = await session.scalar(select(User.blocked_at).where(User.platform_id == "c"))
    assert blocked is not None

    # The author's list, and nobody else's status.
    assert any("Chiều nay 14h" in b.label for b in (await chat.tap_payload(TEAM, "tm:anns"))[0].all_buttons())
    await make_team_member(runtime, chat, "team-2")
    assert "Không tìm thấy" in text_of(await chat.tap_payload("team-2", "tm:as:1"))


async def test_people_who_left_are_not_notified(runtime: Runtime, chat: Chat) -> None:
    await make_team_member(runtime, chat)
    await resident(runtime, chat, "stays", "Thôn 3")
    await resident(runtime, chat, "blocked", "Thôn 3")
    await resident(runtime, chat, "moved", "Thôn 3")
    async with runtime.sessionmaker() as session, session.begin():
        await session.execute(
            update(User).where(User.platform_id == "blocked").values(blocked_at=runtime.app_ctx.clock())
        )
        await session.execute(update(User).where(User.platform_id == "moved").values(village_id="ha-long-thon-1"))
    await chat.say("gone", "/start")
    await chat.tap("gone", "Đồng ý")  # consented...
    await chat.tap("gone", "Hà Long")
    await chat.tap("gone", "Thôn 3")
    await chat.say("gone", "/xoadulieu")  # ...then withdrew consent and asked for deletion
    for label in ("Xóa", "Đồng ý", "xóa"):
        if any(label in b.label for b in chat.buttons("gone")):
            await chat.tap("gone", label)
            break
    await create_class_via_chat(chat)
    rows = await outbox_rows(runtime, "cn:")
    assert [r.chat_id for r in rows] == ["stays"]
