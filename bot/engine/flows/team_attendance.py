"""Attendance after a class: tick who came, add walk-ins, save. Flow state: att_walkin."""

from __future__ import annotations

from bot import callbacks as cb
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, rows
from bot.engine.flows.team_common import HOME, MY_CLASSES
from bot.engine.router import router
from bot.messages import Reply
from bot.services import attendance as svc
from bot.services.errors import UserError
from bot.services.roles import require_team


@router.button(cb.Attendance)
async def attendance_button(ctx: Ctx, arg: cb.Attendance) -> list[Reply]:
    require_team(ctx.user)
    return await attendance(ctx, arg.class_id)


async def attendance(ctx: Ctx, class_id: int, note: str = "") -> list[Reply]:
    sheet = await svc.attendance_sheet(ctx.session, ctx.user, class_id, ctx.now)
    ctx.set_flow("menu")
    return [_sheet_reply(sheet, note)]


def _sheet_reply(sheet: svc.AttendanceSheet, note: str = "") -> Reply:
    k = sheet.klass
    buttons = [
        cb.TogglePresent(k.id, line.user_id).button(f"{'☑' if line.present else '☐'} {line.name[:40]}")
        for line in sheet.registered
    ] + [
        cb.TogglePresent(k.id, line.user_id).button(f"☑ {line.name[:32]} (tự điểm danh)") for line in sheet.checked_in
    ]
    walk = ("\nNgười đến không đăng ký: " + ", ".join(sheet.walk_ins)) if sheet.walk_ins else ""
    text = (
        f"{note}✅ Điểm danh lớp «{k.title}». Bấm tên người có mặt (bấm lại để bỏ).{walk}\n"
        f"Có mặt: {sheet.present_count} người."
    )
    return Reply(
        text.strip(),
        buttons=rows(
            cb.FinishAttendance(k.id).button("✔ Xong, lưu điểm danh", no.WIZARD_NEXT),
            cb.AskWalkIn(k.id).button("➕ Thêm người đến không đăng ký", no.WALK_IN),
            *buttons,
            MENU_BUTTON,  # every tick is saved already; «Xong» closes the sheet
        ),
    )


@router.button(cb.TogglePresent)
async def toggle_present(ctx: Ctx, arg: cb.TogglePresent) -> list[Reply]:
    require_team(ctx.user)
    await svc.toggle_attendance(ctx.session, ctx.user, arg.class_id, arg.user_id, ctx.now)
    return await attendance(ctx, arg.class_id)


@router.button(cb.AskWalkIn)
async def ask_walk_in(ctx: Ctx, arg: cb.AskWalkIn) -> list[Reply]:
    require_team(ctx.user)
    sheet = await svc.attendance_sheet(ctx.session, ctx.user, arg.class_id, ctx.now)
    ctx.set_flow("att_walkin", class_id=sheet.klass.id)
    return [
        Reply(
            "Gõ họ tên người đến học mà không đăng ký (nhiều người thì mỗi người một dòng hoặc cách nhau "
            "bằng dấu phẩy).",
            buttons=rows(cb.Attendance(sheet.klass.id).button("↩ Quay lại điểm danh", no.WIZARD_REDO)),
        )
    ]


@router.flow("att_walkin", free_text=True)
async def typed_walk_in(ctx: Ctx, text: str) -> list[Reply]:
    class_id = int(ctx.data.get("class_id", 0))
    names = [n for n in text.replace("\n", ",").split(",") if n.strip()]
    if not names:
        raise UserError("Bạn gõ họ tên người đến học, ví dụ: «Nguyễn Văn An».")
    added = [await svc.add_walk_in(ctx.session, ctx.user, class_id, name, ctx.now) for name in names]
    return await attendance(ctx, class_id, note=f"Đã thêm: {', '.join(added)}.\n")


@router.button(cb.FinishAttendance)
async def finish_attendance(ctx: Ctx, arg: cb.FinishAttendance) -> list[Reply]:
    require_team(ctx.user)
    sheet = await svc.finish_attendance(ctx.session, ctx.user, arg.class_id, ctx.now)
    ctx.set_flow("menu")
    return [
        Reply(
            f"Đã lưu điểm danh lớp «{sheet.klass.title}»: {sheet.present_count} người có mặt. "
            "Số liệu này được tính vào thống kê của xã.",
            buttons=rows(MY_CLASSES, HOME, MENU_BUTTON),
        )
    ]
