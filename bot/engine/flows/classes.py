"""Resident side of classes: "📅 Lịch lớp học" (payload prefix "cls", command /lichhoc)."""

from __future__ import annotations

from bot import callbacks as cb
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, rows
from bot.engine.router import router
from bot.messages import Button, Reply
from bot.services import classes as svc
from bot.services import registration
from bot.services.errors import UserError

LIST_BUTTON = cb.ClassList().button("📅 Lịch lớp học", no.MENU_CLASSES)
NUMBERS = ["1️⃣", "2️⃣", "3️⃣", "4️⃣", "5️⃣", "6️⃣", "7️⃣", "8️⃣", "9️⃣", "🔟"]
MAX_SHOWN = 10


@router.command("lichhoc", "lich_hoc", "lophoc")
@router.button(cb.ClassList)
async def class_list(ctx: Ctx, arg: object, note: str = "") -> list[Reply]:
    assert ctx.user is not None
    ctx.set_flow("menu")
    if not ctx.user.village_id:
        return [
            Reply(
                "Bạn chưa chọn thôn nên mình chưa biết lớp nào gần bạn. Bấm «Đổi thôn/xã» để chọn nhé.",
                buttons=rows(cb.MenuPlace().button("🏠 Đổi thôn/xã", no.MENU_PLACE), MENU_BUTTON),
            )
        ]
    views = (await registration.upcoming_for_resident(ctx.session, ctx.user, ctx.now))[:MAX_SHOWN]
    village = ctx.app.places.village_label(ctx.user.village_id)
    if not views:
        return [
            Reply(
                f"{note}Hiện chưa có lớp học nào sắp tới ở {village}. Khi Tổ công nghệ số mở lớp, bot sẽ báo cho bạn.",
                buttons=rows(MENU_BUTTON),
            )
        ]
    blocks: list[str] = []
    buttons: list[Button] = []
    for i, view in enumerate(views):
        number = NUMBERS[i]
        status = " — ✅ bạn đã đăng ký" if view.mine else (" — đã đủ chỗ" if view.full else "")
        blocks.append(f"{number} {svc.class_text(view.klass, ctx.app.places, ctx.app, view.registered)}{status}")
        if view.mine:
            buttons.append(registration.unregister_button(view.klass.id, f"❌ Hủy đăng ký lớp {i + 1}", i + 1))
        elif not view.full:
            buttons.append(cb.ClassRegister(view.klass.id).button(f"✅ Tôi sẽ tham gia lớp {i + 1}", i + 1))
    text = f"{note}📅 Lớp học sắp tới ở {village}:\n\n" + "\n\n".join(blocks)
    return [Reply(text, buttons=rows(*buttons, MENU_BUTTON))]


@router.button(cb.ClassRegister)
async def register(ctx: Ctx, arg: cb.ClassRegister) -> list[Reply]:
    assert ctx.user is not None
    klass = await registration.register(ctx.session, ctx.user, arg.class_id, ctx.now)
    offsets = sorted(ctx.app.settings.reminder_offsets_minutes, reverse=True)
    when = " và ".join(_offset_label(o) for o in offsets if o > 0)
    reminder = f" Bot sẽ nhắc bạn {when} trước giờ học." if when else ""
    return [
        Reply(
            f"🎉 Bạn đã đăng ký lớp «{klass.title}».{reminder}\n\n" + svc.class_text(klass, ctx.app.places, ctx.app),
            buttons=rows(registration.unregister_button(klass.id), LIST_BUTTON, MENU_BUTTON),
        )
    ]


@router.button(cb.ClassUnregister)
async def unregister(ctx: Ctx, arg: cb.ClassUnregister) -> list[Reply]:
    assert ctx.user is not None
    try:
        klass = await registration.unregister(ctx.session, ctx.user, arg.class_id, ctx.now)
    except UserError as err:
        return [Reply(err.message, buttons=rows(LIST_BUTTON, MENU_BUTTON))]
    return [
        Reply(
            f"Đã hủy đăng ký lớp «{klass.title}». Bot sẽ không nhắc lớp này nữa.",
            buttons=rows(LIST_BUTTON, MENU_BUTTON),
        )
    ]


def _offset_label(minutes: int) -> str:
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)} ngày"
    if minutes % 60 == 0:
        return f"{minutes // 60} giờ"
    return f"{minutes} phút"
