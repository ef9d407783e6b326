"""Officials in chat: /thongke, /baocao [tháng], /dangnhap, the menu button; residents are refused."""

from __future__ import annotations

import io

from openpyxl import load_workbook

import bot.engine.flows.official  # noqa: F401  (registers the flow even before the lead's import line)
from bot.runtime import Runtime
from bot.services import periods
from bot.services.invites import create_invite
from tests.support.chat import Chat
from tests.support.stats_data import expected_villages, generate, store


async def make_role(runtime: Runtime, chat: Chat, who: str, role: str, commune: str | None) -> None:
    await chat.onboard(who)
    async with runtime.sessionmaker() as session, session.begin():
        invite = await create_invite(session, runtime.app_ctx.places, role, commune, [], runtime.app_ctx.clock())
    await chat.say(who, f"/ma {invite.code}")


async def test_resident_is_refused_kindly(runtime: Runtime, chat: Chat) -> None:
    await chat.onboard("dan")
    for command in ("/thongke", "/baocao 10", "/dangnhap"):
        replies = await chat.say("dan", command)
        text = chat.text("dan")
        assert "dành cho cán bộ xã" in text, command
        assert all(r.document is None and r.image_bytes is None for r in replies)
        assert "http" not in text
    await chat.say("dan", "/start")
    assert all("Thống kê" not in b.label for b in chat.buttons("dan"))


async def test_official_sees_own_commune_numbers_chart_and_report(runtime: Runtime, chat: Chat) -> None:
    data = generate(runtime)
    await store(runtime, data)
    await make_role(runtime, chat, "canbo", "official", "ha-long")
    await chat.say("canbo", "/start")
    assert any(b.label == "📈 Thống kê" for b in chat.buttons("canbo"))

    replies = await chat.tap("canbo", "Thống kê")
    period = periods.all_time(runtime.app_ctx.clock())
    exp = expected_villages(runtime, data, "ha-long", period)
    text = chat.text("canbo")
    assert "Xã Hà Long" in text
    core_total = sum(e["core"] for e in exp.values())
    assert f"Hoàn thành bộ bài cốt lõi: {core_total}/" in text
    for village in runtime.app_ctx.places.communes["ha-long"].villages:
        assert f"{village.name}: {exp[village.id]['core']}/{village.adults} " in text
    png = next(r.image_bytes for r in replies if r.image_bytes)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"

    # another commune is refused, even when asked for by id
    await chat.say("canbo", "/thongke bach-ngoc")
    assert "chỉ xem được số liệu của xã mình" in chat.text("canbo")
    await chat.tap_payload("canbo", "bc:bach-ngoc")
    assert "chỉ xem được số liệu của xã mình" in chat.text("canbo")

    replies = await chat.say("canbo", "/baocao tháng 10")
    doc = next(r.document for r in replies if r.document)
    assert doc.filename == "bao-cao-ha-long-10-2026.xlsx"
    assert doc.mime_type.endswith("spreadsheetml.sheet")
    wb = load_workbook(io.BytesIO(doc.content))
    assert wb.sheetnames == ["Tổng hợp", "Theo thôn", "Theo bài học"]
    october = periods.month_period(2026, 10, runtime.app_ctx.settings.tz)
    exp_oct = expected_villages(runtime, data, "ha-long", october)
    ws = wb["Theo thôn"]
    completions = {r[1]: r[5] for r in ws.iter_rows(min_row=10, values_only=True)}  # STT, Thôn, ...
    for village in runtime.app_ctx.places.communes["ha-long"].villages:
        assert completions[village.name] == exp_oct[village.id]["completions"]

    # default month = the previous one; bad input = a kind reply
    replies = await chat.say("canbo", "/baocao")
    assert next(r.document for r in replies if r.document).filename == "bao-cao-ha-long-10-2026.xlsx"
    replies = await chat.say("canbo", "/baocao hôm qua")
    assert all(r.document is None for r in replies)
    assert "Ví dụ: /baocao 11" in chat.text("canbo")


async def test_login_link_in_chat(runtime: Runtime, chat: Chat) -> None:
    await make_role(runtime, chat, "canbo", "official", "bach-ngoc")
    await chat.say("canbo", "/dangnhap")
    text = chat.text("canbo")
    assert f"{runtime.settings.public_base_url}/dangnhap/" in text
    assert "10 phút" in text


async def test_admin_sees_all_communes_and_needs_commune_for_report(runtime: Runtime, chat: Chat) -> None:
    await make_role(runtime, chat, "admin", "admin", None)
    replies = await chat.say("admin", "/thongke")
    text = chat.text("admin")
    for commune in runtime.app_ctx.places.communes.values():
        assert commune.name in text
    assert any(r.image_bytes for r in replies)
    await chat.tap("admin", "Xã Bạch Ngọc")
    assert "Xóm Ngọc Lâm" in chat.text("admin")
    await chat.say("admin", "/baocao 10")
    assert "mã xã" in chat.text("admin")
    replies = await chat.say("admin", "/baocao 10/2026 thuong-hong")
    assert next(r.document for r in replies if r.document).filename == "bao-cao-thuong-hong-10-2026.xlsx"
