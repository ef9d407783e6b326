"""Team and official screens keep fixed numbers (docs/conversation.md §1), played with numbers only.

A team member on Zalo types only numbers: every action keeps its number on every team screen
(«📋 Lớp của tôi» is 2 on team home, after creating a class and on a class; «👥 Tổ công nghệ số» is
8 everywhere, as in the main menu; 0 leaves).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

import bot.engine.flows.official  # noqa: F401  (registers the official flow)
from bot.engine import numbers as no
from bot.messages import Reply
from bot.runtime import Runtime
from bot.services.invites import create_invite
from tests.support.chat import Chat
from tests.support.clock import Clock
from tests.support.replies import numbers, text
from tests.support.seed import TEAM, make_team_member, resident
from tests.support.zalo_screens import ZaloOfficial, choices

FIXED = {
    "➕ Tạo lớp học": no.TEAM_NEW_CLASS,
    "📋 Lớp của tôi": no.TEAM_MY_CLASSES,
    "📣 Gửi thông báo": no.TEAM_NEW_ANNOUNCEMENT,
    "📬 Thông báo đã gửi": no.TEAM_ANNOUNCEMENTS,
    "👥 Tổ công nghệ số": no.TEAM_HOME,
    "☰ Menu": no.MENU,
    "✖ Thôi, không làm nữa": no.TEAM_CANCEL,
    "✔ Xong": no.WIZARD_NEXT,
    "🕗 Đổi giờ": no.CLASS_TIME,
    "📍 Đổi địa điểm": no.CLASS_PLACE,
    "👥 Đổi số chỗ": no.CLASS_SEATS,
    "❌ Hủy lớp": no.CLASS_CANCEL,
    "✅ Điểm danh": no.CLASS_ATTENDANCE,
}


class Screens:
    """Every team screen seen, so a label's numbers can be compared across them."""

    def __init__(self) -> None:
        self.seen: dict[str, set[int]] = defaultdict(set)

    def add(self, replies: list[Reply]) -> dict[str, int]:
        shown = numbers(replies)
        for label, number in shown.items():
            self.seen[label].add(number)
        return shown


async def test_team_member_walks_every_team_screen_with_numbers_and_each_action_keeps_its_number(
    runtime: Runtime, clock: Clock
) -> None:
    chat = Chat(runtime, "zalo")
    await make_team_member(runtime, chat)
    await resident(runtime, chat, "r1", "Thôn 3", "Nguyễn Thị Hoa")
    screens = Screens()

    menu = screens.add(await chat.say(TEAM, "/menu"))
    assert menu["👥 Tổ công nghệ số"] == 8
    home = screens.add(await chat.say(TEAM, "8"))
    assert {home[k] for k in ("➕ Tạo lớp học", "📋 Lớp của tôi", "📣 Gửi thông báo", "📬 Thông báo đã gửi")} == {
        1,
        2,
        3,
        4,
    }
    assert home["➕ Tạo lớp học"] == 1 and home["📋 Lớp của tôi"] == 2 and home["☰ Menu"] == 0

    # the class wizard, numbers only: 1 moves on at every step, 0 stops
    assert "bước 1/6" in text(await chat.say(TEAM, "1"))
    picker = screens.add(await chat.say(TEAM, "Cài đặt VNeID"))
    assert picker["✔ Xong"] == 1 and picker["✖ Thôi, không làm nữa"] == 0
    third = next(label for label, n in picker.items() if "Thôn 3" in label)
    screens.add(await chat.say(TEAM, str(picker[third])))
    place = screens.add(await chat.say(TEAM, "1"))  # ✔ Xong
    assert "Bước 3/6" in chat.text(TEAM) and place["✖ Thôi, không làm nữa"] == 0
    assert [n for label, n in place.items() if label.startswith("Nhà văn hóa")] == [1]
    times = screens.add(await chat.say(TEAM, "1"))  # the suggested place
    assert "Bước 4/6" in chat.text(TEAM) and sorted(times.values()) == [0, 1, 2, 3]
    assert not any(r.buttons for r in await chat.say(TEAM, "1"))  # seats: asked for a number
    note = screens.add(await chat.say(TEAM, "30"))
    assert note["Bỏ qua"] == 1
    confirm = screens.add(await chat.say(TEAM, "1"))
    assert confirm["✅ Xác nhận tạo lớp"] == 1 and confirm["↺ Làm lại từ đầu"] == 2
    created = screens.add(await chat.say(TEAM, "1"))
    assert "Đã tạo lớp" in chat.text(TEAM) and created["📋 Lớp của tôi"] == 2

    listing = screens.add(await chat.say(TEAM, "2"))
    assert "Lớp của bạn" in chat.text(TEAM)
    assert [n for label, n in listing.items() if "Cài đặt VNeID" in label] == [1]
    detail = screens.add(await chat.say(TEAM, "1"))
    assert {k: detail[k] for k in ("🕗 Đổi giờ", "📍 Đổi địa điểm", "👥 Đổi số chỗ", "❌ Hủy lớp")} == {
        "🕗 Đổi giờ": 3,
        "📍 Đổi địa điểm": 4,
        "👥 Đổi số chỗ": 5,
        "❌ Hủy lớp": 6,
    }
    assert detail["📋 Lớp của tôi"] == 2 and detail["👥 Tổ công nghệ số"] == 8
    screens.add(await chat.say(TEAM, "4"))  # 📍 Đổi địa điểm
    updated = screens.add(await chat.say(TEAM, "Hội trường UBND xã"))
    assert "Đã cập nhật lớp" in chat.text(TEAM) and updated["📋 Lớp của tôi"] == 2
    await chat.say(TEAM, "2")
    await chat.say(TEAM, "1")
    asked = screens.add(await chat.say(TEAM, "6"))  # ❌ Hủy lớp
    assert "chắc chắn muốn HỦY" in chat.text(TEAM) and asked["Không hủy"] == 2
    assert "chắc chắn" not in text(await chat.say(TEAM, "2"))  # «Không hủy»: back to the class

    # after the class: attendance is 1 on the class, names follow the fixed actions
    await chat.say(TEAM, "8")
    await chat.say(TEAM, "1")
    await chat.say(TEAM, "Dùng Zalo")
    await chat.say(TEAM, "1")  # Thôn 3 and Thôn 2 are both managed: nothing chosen yet
    assert "chưa chọn thôn nào" in chat.text(TEAM)
    picker = numbers(chat.last[TEAM])
    await chat.say(TEAM, str(next(n for label, n in picker.items() if "Thôn 3" in label)))
    for line in ("1", "1", "hôm nay 14h", "không", "1", "1"):
        await chat.say(TEAM, line)
    assert "Đã tạo lớp" in chat.text(TEAM)
    await chat.say("r1", "/lichhoc")
    await chat.tap("r1", "Tôi sẽ tham gia")
    clock.advance(timedelta(hours=7))  # 16:00, after the class
    listing = screens.add(await chat.say(TEAM, "/lopcuatoi"))
    zalo_class = next(n for label, n in listing.items() if "Dùng Zalo" in label)
    detail = screens.add(await chat.say(TEAM, str(zalo_class)))
    assert detail["✅ Điểm danh"] == 1 and "🕗 Đổi giờ" not in detail
    sheet = screens.add(await chat.say(TEAM, "1"))
    assert sheet["✔ Xong, lưu điểm danh"] == 1 and sheet["➕ Thêm người đến không đăng ký"] == no.WALK_IN
    assert sheet["☐ Nguyễn Thị Hoa"] == 3 and sheet["☰ Menu"] == 0
    assert "Có mặt: 1 người" in text(await chat.say(TEAM, "3"))
    walk_in = screens.add(await chat.say(TEAM, "2"))
    assert walk_in["↩ Quay lại điểm danh"] == 2
    assert "Đã thêm: Trần Văn An" in text(await chat.say(TEAM, "Trần Văn An"))
    finished = screens.add(await chat.say(TEAM, "1"))
    assert "2 người có mặt" in chat.text(TEAM) and finished["📋 Lớp của tôi"] == 2

    # announcements: 3 on team home, 1 sends, 2 rewrites, 1 shows the delivery status
    await chat.say(TEAM, "8")
    screens.add(await chat.say(TEAM, "3"))
    picker = numbers(chat.last[TEAM])
    await chat.say(TEAM, str(next(n for label, n in picker.items() if "Thôn 3" in label)))
    screens.add(await chat.say(TEAM, "1"))
    preview = screens.add(await chat.say(TEAM, "Chiều nay 14h có cán bộ về hỗ trợ VNeID."))
    assert preview["✅ Gửi"] == 1 and preview["✏️ Viết lại"] == 2 and preview["✖ Thôi, không làm nữa"] == 0
    sent = screens.add(await chat.say(TEAM, "1"))
    assert sent["📬 Tình trạng gửi"] == 1 and sent["📬 Thông báo đã gửi"] == 4
    status = screens.add(await chat.say(TEAM, "1"))
    assert "Tổng: 1 người" in chat.text(TEAM) and status["🔄 Cập nhật"] == 1
    screens.add(await chat.say(TEAM, "4"))
    assert "Thông báo bạn đã gửi" in chat.text(TEAM)
    assert "Tổ công nghệ số cộng đồng" in text(await chat.say(TEAM, "8"))

    # list items (a class, «21/11 08:00 …») take the free numbers; every action has one number
    moved = {label: seen for label, seen in screens.seen.items() if len(seen) > 1 and not label[0].isdigit()}
    assert not moved, moved
    for label, number in FIXED.items():
        assert screens.seen.get(label, {number}) == {number}, label
    assert {"✔ Xong", "☰ Menu", "✅ Điểm danh", "❌ Hủy lớp"} <= set(screens.seen)


async def test_official_screens_keep_their_numbers(runtime: Runtime) -> None:
    chat = Chat(runtime, "zalo")
    await chat.onboard("canbo")
    async with runtime.sessionmaker() as session, session.begin():
        invite = await create_invite(
            session, runtime.app_ctx.places, "official", "ha-long", [], runtime.app_ctx.clock()
        )
    await chat.say("canbo", f"/ma {invite.code}")
    menu = numbers(await chat.say("canbo", "/menu"))
    assert menu["📈 Thống kê"] == no.OFFICIAL_STATS == 10
    stats = numbers(await chat.say("canbo", "10"))
    assert stats == {
        "📄 Báo cáo tháng trước": 1, "🌐 Mở trang thống kê": 2, "🤝 Người được hướng dẫn trực tiếp": 3, "☰ Menu": 0
    }
    report = await chat.say("canbo", "1")
    assert "Excel: http" in text(report) and numbers(report) == {"☰ Menu": 0}
    await chat.say("canbo", "/thongke")
    login = await chat.say("canbo", "2")
    assert "Liên kết vào trang thống kê" in text(login)


async def test_stopping_a_change_returns_to_the_class_and_zalo_screens_read_well(runtime: Runtime) -> None:
    chat = Chat(runtime, "zalo")
    await make_team_member(runtime, chat)
    member = ZaloOfficial(runtime, TEAM)
    member.chat = chat
    await member.say("/taolop")
    await member.say("Dùng Zalo an toàn")
    await member.say("3")  # ☐ Thôn 3 (Thôn 2 is 2)
    await member.say("1")  # ✔ Xong
    again = await member.say("a")  # too short a place: the suggestion stays as 1
    assert choices(again)["✖ Thôi, không làm nữa"] == 0 and 1 in choices(again).values()
    for line in ("1", "1", "30", "1", "1", "2", "1"):
        await member.say(line)
    time_screen = await member.say("3")  # 🕗 Đổi giờ
    assert choices(time_screen)["✖ Thôi, không đổi nữa"] == 0
    back = await member.say("0")
    assert "📘 Dùng Zalo an toàn" in back and choices(back)["🕗 Đổi giờ"] == 3
    await member.say("5")  # 👥 Đổi số chỗ: asks a number, shows no choices
    back = await member.say("thoi")
    assert "Tối đa 30 người" in back and choices(back)["👥 Đổi số chỗ"] == 5
    place = await member.say("4")
    assert choices(place) == {"✖ Thôi, không đổi nữa": 0}
    back = await member.say("0")
    assert choices(back)["📍 Đổi địa điểm"] == 4
    assert "Nhà văn hóa thôn 3" in back  # nothing changed
