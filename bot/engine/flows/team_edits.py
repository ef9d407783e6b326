"""A team member's classes: the list, one class's detail, changing time or place, cancelling.

Flow states: edit_time (typed or picked in team_classes, applied here), edit_place.
"""

from __future__ import annotations

from bot import callbacks as cb
from bot.db.models import ClassStatus
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, rows
from bot.engine.flows.team_checkin import arrived_button, lesson_button, poster_button
from bot.engine.flows.team_common import HOME, MY_CLASSES, NEW_CLASS, cancel_button, time_reply
from bot.engine.router import router
from bot.messages import Button, Reply
from bot.services import checkin
from bot.services import classes as svc
from bot.services.dateparse import EXAMPLES, format_when
from bot.services.errors import UserError
from bot.services.roles import require_team


@router.command("lopcuatoi", "lop_cua_toi")
@router.button(cb.MyClasses)
async def my_classes(ctx: Ctx, arg: object) -> list[Reply]:
    found = await svc.team_classes(ctx.session, ctx.user, ctx.now)
    ctx.set_flow("menu")
    if not found:
        return [
            Reply("Bạn chưa có lớp học nào (trong 14 ngày qua và sắp tới).", buttons=rows(NEW_CLASS, HOME, MENU_BUTTON))
        ]
    tz = ctx.app.settings.tz
    marks: dict[str, str] = {
        ClassStatus.SCHEDULED: "",
        ClassStatus.CANCELLED: " (đã hủy)",
        ClassStatus.DONE: " (đã điểm danh)",
    }
    buttons = [
        cb.ClassDetail(k.id).button(f"{k.starts_at.astimezone(tz):%d/%m %H:%M} {k.title[:30]}{marks.get(k.status, '')}")
        for k in found[:20]
    ]
    return [
        Reply("📋 Lớp của bạn. Bấm vào một lớp để sửa, hủy hoặc điểm danh.", buttons=rows(*buttons, HOME, MENU_BUTTON))
    ]


@router.button(cb.ClassDetail)
async def class_detail(ctx: Ctx, arg: cb.ClassDetail) -> list[Reply]:
    require_team(ctx.user)
    klass = await svc.managed_class(ctx.session, ctx.user, arg.class_id)
    ctx.set_flow("menu")  # also the way back from changing its time, place or seats
    registered = await svc.registered_users(ctx.session, klass)
    names = ", ".join(u.display_name or f"#{u.id}" for u in registered[:30]) or "chưa có ai"
    text = svc.class_text(klass, ctx.app.places, ctx.app, len(registered)) + f"\n\nĐã đăng ký: {names}"
    buttons: list[Button] = []
    if klass.status == ClassStatus.SCHEDULED and klass.starts_at > ctx.now:
        buttons += [
            cb.EditTime(klass.id).button("🕗 Đổi giờ", no.CLASS_TIME),
            cb.EditPlace(klass.id).button("📍 Đổi địa điểm", no.CLASS_PLACE),
            cb.EditCapacity(klass.id).button("👥 Đổi số chỗ", no.CLASS_SEATS),
            cb.AskCancel(klass.id).button("❌ Hủy lớp", no.CLASS_CANCEL),
        ]
    if klass.status != ClassStatus.CANCELLED and klass.starts_at <= ctx.now:
        buttons.insert(0, cb.Attendance(klass.id).button("✅ Điểm danh", no.CLASS_ATTENDANCE))
    if klass.status != ClassStatus.CANCELLED:
        buttons += [poster_button(klass.id), arrived_button(klass.id), lesson_button(klass.id)]
        lesson = ctx.app.catalog.get(klass.lesson_id) if klass.lesson_id else None
        text += f"\nBài của lớp: «{lesson.title}»" if lesson else ""
    if klass.status == ClassStatus.CANCELLED:
        text += "\n\n(Lớp này đã hủy.)"
    return [Reply(text, buttons=rows(*buttons, MY_CLASSES, HOME, MENU_BUTTON))]


@router.button(cb.EditTime)
async def edit_time(ctx: Ctx, arg: cb.EditTime) -> list[Reply]:
    require_team(ctx.user)
    klass = await svc.managed_class(ctx.session, ctx.user, arg.class_id)
    ctx.set_flow("edit_time", class_id=klass.id)
    return [
        time_reply(
            ctx, f"Giờ hiện tại: {format_when(klass.starts_at, ctx.app.settings.tz)}.\nGõ ngày giờ mới. {EXAMPLES}"
        )
    ]


@router.button(cb.EditPlace)
async def edit_place(ctx: Ctx, arg: cb.EditPlace) -> list[Reply]:
    require_team(ctx.user)
    klass = await svc.managed_class(ctx.session, ctx.user, arg.class_id)
    ctx.set_flow("edit_place", class_id=klass.id)
    return [Reply(f"Địa điểm hiện tại: {klass.place}.\nGõ địa điểm mới.", buttons=rows(cancel_button(ctx)))]


@router.button(cb.EditCapacity)
async def edit_capacity(ctx: Ctx, arg: cb.EditCapacity) -> list[Reply]:
    """Seats: the screen asks for a number, so it shows no buttons (typed in team_classes.new_capacity)."""
    require_team(ctx.user)
    klass = await svc.managed_class(ctx.session, ctx.user, arg.class_id)
    ctx.set_flow("edit_capacity", class_id=klass.id)
    now = f"{klass.capacity} người" if klass.capacity else "không giới hạn"
    return [
        Reply(f"Số chỗ hiện tại: {now}. Gõ số chỗ mới, ví dụ 40. Không giới hạn thì gõ «không». Muốn thôi, gõ «thôi».")
    ]


@router.flow("edit_place", free_text=True)
async def typed_new_place(ctx: Ctx, text: str) -> list[Reply]:
    try:
        place = svc.check_place(text)
    except UserError as err:
        return [Reply(err.message, buttons=rows(cancel_button(ctx)))]
    return await apply_edit(ctx, place=place)


async def apply_edit(ctx: Ctx, **changes: object) -> list[Reply]:
    class_id = int(ctx.data.get("class_id", 0))
    klass = await svc.update_class(ctx.session, ctx.app, ctx.user, class_id, ctx.now, **changes)  # type: ignore[arg-type]
    told = await svc.count_registered(ctx.session, klass)
    ctx.set_flow("menu")
    poster = ""
    if klass.checkin_code and "starts_at" in changes:
        renewed = await checkin.recheck_code(ctx.session, klass)
        again = f"Mã điểm danh mới: {klass.checkin_code}. " if renewed else ""
        poster = f"\n{again}Áp phích đã in ghi giờ cũ: mở lớp này, chọn «🧾 Mã điểm danh (áp phích)» (số 10) để in lại."
    return [
        Reply(
            "✅ Đã cập nhật lớp:\n\n"
            + svc.class_text(klass, ctx.app.places, ctx.app)
            + f"\n\nĐã báo cho {told} người đăng ký.{poster}",
            buttons=rows(MY_CLASSES, HOME, MENU_BUTTON),
        )
    ]


@router.button(cb.AskCancel)
async def ask_cancel(ctx: Ctx, arg: cb.AskCancel) -> list[Reply]:
    require_team(ctx.user)
    klass = await svc.managed_class(ctx.session, ctx.user, arg.class_id)
    told = await svc.count_registered(ctx.session, klass)
    return [
        Reply(
            f"Bạn chắc chắn muốn HỦY lớp «{klass.title}» ({format_when(klass.starts_at, ctx.app.settings.tz)})?\n"
            f"Bot sẽ báo cho {told} người đã đăng ký.",
            buttons=rows(
                cb.ConfirmCancel(klass.id).button("❌ Đúng, hủy lớp", no.YES),
                cb.ClassDetail(klass.id).button("Không hủy", no.NO),
            ),
        )
    ]


@router.button(cb.ConfirmCancel)
async def confirm_cancel(ctx: Ctx, arg: cb.ConfirmCancel) -> list[Reply]:
    require_team(ctx.user)
    klass, told = await svc.cancel_class(ctx.session, ctx.app, ctx.user, arg.class_id, ctx.now)
    ctx.set_flow("menu")
    return [
        Reply(
            f"Đã hủy lớp «{klass.title}». Bot đang báo cho {told} người đã đăng ký.",
            buttons=rows(MY_CLASSES, HOME, MENU_BUTTON),
        )
    ]
