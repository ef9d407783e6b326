"""An official and an admin on Zalo, numbers only (issue 12, item 4): /thongke, the report links,
the web login, changing role with /ma — read in the exact Zalo rendering (bot/channels/zalo_render.py).

Every screen: one numbered block whose hint names exactly the numbers listed, every number typed from
that hint does something, no «bấm», no message cut off, each link written once.
"""

from __future__ import annotations

import re

import bot.engine.flows.official  # noqa: F401  (registers the official flow)
from bot.runtime import Runtime
from bot.services.invites import create_invite
from tests.support.stats_data import generate, store
from tests.support.zalo_screens import ZaloOfficial, choices


async def official(runtime: Runtime, who: str, role: str, commune: str | None) -> ZaloOfficial:
    async with runtime.sessionmaker() as session, session.begin():
        invite = await create_invite(session, runtime.app_ctx.places, role, commune, [], runtime.app_ctx.clock())
    person = ZaloOfficial(runtime, who)
    await person.say(f"/ma {invite.code}")  # before consent: the code waits for her «1»
    granted = await person.say("1")
    assert "Bạn đã được cấp quyền" in granted
    await person.say("ha long")
    await person.say("thon 1")
    return person


async def test_an_official_walks_stats_report_links_and_roles_with_numbers_only(runtime: Runtime) -> None:
    await store(runtime, generate(runtime))
    canbo = await official(runtime, "canbo-zalo", "official", "ha-long")

    menu = await canbo.say("0")
    assert choices(menu)["📈 Thống kê"] == 10
    stats = await canbo.say("10")
    assert "📈 Xã Hà Long" in stats and "Thôn 3:" in stats
    assert "gõ /dangnhap để nhận liên kết" in stats  # the chart cannot go through Zalo: says where to see it
    assert choices(stats)["📄 Báo cáo tháng trước"] == 1 and choices(stats)["🌐 Mở trang thống kê"] == 2
    assert choices(stats)["☰ Menu"] == 0

    report = await canbo.say("1")
    assert re.search(r"^• Excel: https?://\S+/taive/\S+$", report, re.M), report
    assert re.search(r"^• PDF: https?://\S+/taive/\S+$", report, re.M), report
    assert "/dangnhap/" in report and "Không chuyển các liên kết này cho người khác." in report
    assert choices(report) == {"☰ Menu": 0}

    await canbo.say("/thongke")
    login = await canbo.say("2")
    assert "Liên kết vào trang thống kê" in login and "/dangnhap/" in login
    assert "Báo cáo Xã Hà Long, tháng 10/2026" in await canbo.say("/baocao 10/2026")
    assert "chỉ xem được số liệu của xã mình" in await canbo.say("/thongke bach-ngoc")
    assert "📈 Xã Hà Long" in await canbo.say("/thongke")

    # a second code: what would change is said first, 1 changes, 2 keeps
    async with runtime.sessionmaker() as session, session.begin():
        invite = await create_invite(
            session, runtime.app_ctx.places, "team", "ha-long", ["ha-long-thon-3"], runtime.app_ctx.clock()
        )
    asked = await canbo.say(f"/ma {invite.code}")
    assert "Bạn đang có quyền: cán bộ xã, Xã Hà Long." in asked and "Quyền cũ sẽ mất" in asked
    assert choices(asked) == {"✅ Đổi quyền": 1, "Giữ nguyên": 2}
    kept = await canbo.say("2")
    assert choices(kept)["📈 Thống kê"] == 10
    await canbo.say(f"/ma {invite.code}")
    changed = await canbo.say("1")
    assert "Bạn đã được cấp quyền: thành viên Tổ công nghệ số cộng đồng" in changed
    assert choices(changed)["👥 Tổ công nghệ số"] == 8 and "📈 Thống kê" not in choices(changed)
    assert "dành cho cán bộ xã" in await canbo.say("/thongke")
    refused = await canbo.say("/thongke")
    assert choices(refused) == {"☰ Menu": 0}  # a refusal keeps 0 for the menu, as every screen


async def test_an_admin_picks_communes_by_number_for_stats_and_the_report(runtime: Runtime) -> None:
    admin = await official(runtime, "admin-zalo", "admin", None)
    overview = await admin.say("/thongke")
    assert "📈 Các xã" in overview
    communes = choices(overview)
    assert communes["Xã Hà Long"] == 1 and communes["☰ Menu"] == 0
    picked = await admin.say(str(communes["Xã Bạch Ngọc"]))
    assert "📈 Xã Bạch Ngọc" in picked and choices(picked)["📄 Báo cáo tháng trước"] == 1
    ask = await admin.say("/baocao")  # which commune: numbered, not «type the commune id»
    assert "Báo cáo tháng trước của xã nào?" in ask
    report = await admin.say(str(choices(ask)["Xã Thượng Hồng"]))
    assert "📄 Báo cáo Xã Thượng Hồng" in report and "• Excel: " in report
    assert "ha-long" in await admin.say("/baocao 10/2026")  # a month without commune: the ids to add
