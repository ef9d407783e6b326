"""What every team conversation shares: the team home, its buttons, the villages a member manages,
and the village picker used by both the class wizard and announcements.

Team payloads use the prefix "tm" (bot.callbacks). Every step re-checks the role in the services;
ids in payloads are only hints.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot import callbacks as cb
from bot.db.models import Role, User
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, menu_reply, rows
from bot.engine.router import router
from bot.messages import Button, Reply
from bot.services import guided_claims
from bot.services.errors import UserError
from bot.services.roles import require_team

HOME = cb.TeamHome().button("👥 Tổ công nghệ số", no.TEAM_HOME)
CANCEL = cb.TeamAbort().button("✖ Thôi, không làm nữa", no.TEAM_CANCEL)
MY_CLASSES = cb.MyClasses().button("📋 Lớp của tôi", no.TEAM_MY_CLASSES)
NEW_CLASS = cb.NewClass().button("➕ Tạo lớp học", no.TEAM_NEW_CLASS)
NEW_ANNOUNCEMENT = cb.NewAnnouncement().button("📣 Gửi thông báo", no.TEAM_NEW_ANNOUNCEMENT)
ANNOUNCEMENTS = cb.Announcements().button("📬 Thông báo đã gửi", no.TEAM_ANNOUNCEMENTS)
VILLAGES_DONE = cb.VillagesDone().button("✔ Xong", no.WIZARD_NEXT)
GUIDED = cb.GuidedStart().button("🤝 Ghi nhận người được hướng dẫn", no.TEAM_GUIDED)
DATE_CHOICES = ((1, 8, "Sáng mai 8:00"), (1, 14, "Chiều mai 14:00"), (2, 8, "Sáng ngày kia 8:00"))
NOT_LISTED = "Thôn này không có trong danh sách của bạn. Bạn bấm nút để chọn thôn nhé."


@router.menu_entry
def team_menu_entry(user: User) -> list[Button]:
    return [HOME] if user.role in (Role.TEAM, Role.ADMIN) else []


def managed_villages(ctx: Ctx) -> list[str]:
    user = require_team(ctx.user)
    if user.role == Role.ADMIN:
        return list(ctx.app.places.villages)
    return [v for v in (user.role_village_ids or []) if v in ctx.app.places.villages]


def assigned_villages(ctx: Ctx) -> list[str]:
    """The villages she manages, or the kind refusal when none is left (her villages left places.yaml)."""
    villages = managed_villages(ctx)
    if not villages:
        raise UserError("Bạn chưa được giao thôn nào. Hãy nhờ quản trị viên cấp lại mã mời.")
    return villages


def village_name(ctx: Ctx, village_id: str) -> str:
    village = ctx.app.places.villages.get(village_id)
    return village.name if village else village_id


def stale() -> list[Reply]:
    return [
        Reply(
            "Bước này đã qua hoặc đã hết hạn. Bạn bắt đầu lại từ menu Tổ công nghệ số nhé.",
            buttons=rows(HOME, MENU_BUTTON),
        )
    ]


@router.command("todoi", "to_cong_nghe")
@router.button(cb.TeamHome)
async def home(ctx: Ctx, arg: object) -> list[Reply]:
    require_team(ctx.user)
    ctx.set_flow("menu")
    waiting = len(await guided_claims.pending_for(ctx.session, ctx.app, ctx.user))
    confirm = (
        cb.GuidedPending().button(f"🔔 Xác nhận người học ({waiting})", no.TEAM_GUIDED_CONFIRM) if waiting else None
    )
    return [
        Reply(
            "👥 Tổ công nghệ số cộng đồng — bạn muốn làm gì?",
            buttons=rows(
                NEW_CLASS,
                MY_CLASSES,
                NEW_ANNOUNCEMENT,
                ANNOUNCEMENTS,
                GUIDED,
                confirm,
                MENU_BUTTON,
            ),
        )
    ]


@router.button(cb.TeamAbort)
async def abort(ctx: Ctx, arg: cb.TeamAbort) -> list[Reply]:
    require_team(ctx.user)
    return [await menu_reply(ctx, "Đã hủy, không có gì được lưu.")]


# ---------- the village picker (class wizard step 2, announcements step 1) ----------
def villages_reply(ctx: Ctx, text: str) -> Reply:
    chosen = set(ctx.data.get("villages", []))
    buttons = [
        cb.ToggleVillage(i).button(f"{'☑' if v in chosen else '☐'} {village_name(ctx, v)}")
        for i, v in enumerate(managed_villages(ctx))
    ]
    return Reply(text, buttons=rows(*buttons, VILLAGES_DONE, CANCEL))


@router.button(cb.ToggleVillage)
async def toggle_village(ctx: Ctx, arg: cb.ToggleVillage) -> list[Reply]:
    if ctx.flow not in ("class_villages", "ann_villages"):
        require_team(ctx.user)
        return stale()
    villages = managed_villages(ctx)
    if not arg.index < len(villages):
        return [villages_reply(ctx, NOT_LISTED)]
    chosen = list(ctx.data.get("villages", []))
    village = villages[arg.index]
    chosen.remove(village) if village in chosen else chosen.append(village)
    ctx.update_data(villages=chosen)
    names = ", ".join(village_name(ctx, v) for v in chosen) or "chưa chọn thôn nào"
    return [villages_reply(ctx, f"Đã chọn: {names}. Bấm «Xong» khi chọn đủ.")]


@router.flow("class_villages")
@router.flow("ann_villages")
async def typed_village(ctx: Ctx, text: str) -> list[Reply]:
    return [villages_reply(ctx, NOT_LISTED)]


# ---------- the time picker (class wizard step 4, changing a class's time) ----------
def time_reply(ctx: Ctx, text: str) -> Reply:
    tz = ctx.app.settings.tz
    today = ctx.now.astimezone(tz).date()
    buttons = []
    for days, hour, label in DATE_CHOICES:
        moment = datetime.combine(today + timedelta(days=days), time(hour), tzinfo=tz)
        buttons.append(cb.PickTime(int(moment.timestamp()) // 60).button(f"{label} ({moment:%d/%m})"))
    return Reply(text, buttons=rows(*buttons, cancel_button(ctx)))


def cancel_button(ctx: Ctx) -> Button:
    """0 on a wizard step: «✖ Thôi, không làm nữa»; while changing a class, «✖ Thôi, không đổi nữa»
    leads back to that class (nothing changed)."""
    class_id = ctx.data.get("class_id") if ctx.flow in EDIT_FLOWS else None
    if class_id:
        return cb.ClassDetail(int(class_id)).button("✖ Thôi, không đổi nữa", no.TEAM_CANCEL)
    return CANCEL


EDIT_FLOWS = frozenset({"edit_time", "edit_place", "edit_capacity"})
