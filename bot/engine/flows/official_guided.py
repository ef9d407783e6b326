"""Officials: the residents a team member guided without a phone — the list (paged, removed ones kept
with their audit), one record with its audit trail, and removing it (its personal fields are deleted,
it stops counting; the removal is audited). The commune is checked in the service on every call."""

from __future__ import annotations

from datetime import datetime

from bot import callbacks as cb
from bot.db.models import User
from bot.engine import numbers as no
from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, rows
from bot.engine.flows.official import BTN_GUIDED, _commune_for
from bot.engine.router import router
from bot.messages import Reply
from bot.services import guided as svc
from bot.services.errors import UserError

REMOVED_NAME = "(đã xóa thông tin)"


def _when(ctx: Ctx, at: datetime) -> str:
    return at.astimezone(ctx.app.settings.tz).strftime("%H:%M %d/%m/%Y")


def _who(user: User | None) -> str:
    if user is None:
        return "(tài khoản đã xóa)"
    return f"{user.display_name or f'tài khoản số {user.id}'} ({texts.ROLE_LABELS.get(user.role, user.role)})"


def _label(ctx: Ctx, entry: svc.Entry) -> str:
    p = entry.person
    village = ctx.app.places.villages.get(p.village_id)
    name = f"{p.full_name} ({p.birth_year})" if p.full_name else REMOVED_NAME
    state = " · 🗑 đã xóa" if p.removed_at else (" · 📱 đã nối điện thoại" if p.user_id else "")
    return f"{name} · {village.name if village else p.village_id} · {len(entry.lessons)} bài{state}"


async def _list(ctx: Ctx, commune_id: str, page: int) -> list[Reply]:
    result = await svc.list_for_official(ctx.session, ctx.app, ctx.user, commune_id, page, no.PAGE_SIZE)
    if not result.total:
        text = f"{BTN_GUIDED}: chưa có ghi nhận nào. Tổ công nghệ số ghi nhận trong chat (menu Tổ → «🤝 Ghi nhận…»)."
        return [Reply(text, buttons=rows(cb.Stats(commune_id).button("◀ Thống kê", no.BACK), MENU_BUTTON))]
    lines = [f"{BTN_GUIDED} ({result.total} ghi nhận, trang {result.page + 1}/{result.pages}). Bấm một người để "
             "xem ai ghi, lúc nào, và xóa nếu cần:"]
    chunk = [cb.GuidedDetail(e.person.id).button(_label(ctx, e), i) for i, e in enumerate(result.entries, 1)]
    nav_buttons = []
    if result.page > 0:
        nav_buttons.append(cb.GuidedList(commune_id, result.page - 1).button("◀ Trang trước", no.PREV_PAGE))
    if result.page < result.pages - 1:
        nav_buttons.append(cb.GuidedList(commune_id, result.page + 1).button("Trang sau ▶", no.NEXT_PAGE))
    return [Reply("\n".join(lines), buttons=rows(*chunk) + ((tuple(nav_buttons),) if nav_buttons else ())
                  + rows(MENU_BUTTON))]


@router.command("nguoiduochuongdan", "duoc_huong_dan")
async def list_command(ctx: Ctx, arg: str) -> list[Reply]:
    commune_id = _commune_for(ctx, arg)
    if commune_id is None:
        raise UserError("Quản trị viên hãy ghi thêm mã xã, ví dụ: /duoc_huong_dan ha-long.")
    return await _list(ctx, commune_id, 0)


@router.button(cb.GuidedList)
async def list_button(ctx: Ctx, arg: cb.GuidedList) -> list[Reply]:
    commune_id = _commune_for(ctx, arg.commune_id)
    if commune_id is None:
        raise UserError("Không tìm thấy xã này.")
    return await _list(ctx, commune_id, arg.page)


@router.button(cb.GuidedDetail)
async def detail(ctx: Ctx, arg: cb.GuidedDetail) -> list[Reply]:
    d = await svc.detail(ctx.session, ctx.user, arg.guided_id)
    p = d.entry.person
    titles = svc.in_curriculum_order(ctx.app, d.entry.lessons)
    lines = [
        f"🤝 {p.full_name or REMOVED_NAME}" + (f", sinh {p.birth_year}" if p.birth_year else ""),
        f"Thôn: {ctx.app.places.village_label(p.village_id)}",
        f"Đồng ý cho lưu (bằng lời, tổ viên xác nhận): {_when(ctx, p.consent_at)}",
        f"Bài đã học cùng tổ ({len(titles)}): " + "; ".join(titles),
        "",
        "Lịch sử:",
        *[f"• {_when(ctx, e.at)} — {svc.ACTION_LABELS.get(svc.Action(e.action), e.action)} — {_who(u)}"
          for e, u in d.trail],
    ]
    remove = cb.GuidedRemoveAsk(p.id).button("🗑 Xóa ghi nhận này", no.YES) if p.removed_at is None else None
    back = cb.GuidedList(p.commune_id, 0).button("◀ Quay lại danh sách", no.BACK)
    return [Reply("\n".join(lines), buttons=rows(remove, back, MENU_BUTTON))]


@router.button(cb.GuidedRemoveAsk)
async def ask_remove(ctx: Ctx, arg: cb.GuidedRemoveAsk) -> list[Reply]:
    d = await svc.detail(ctx.session, ctx.user, arg.guided_id)
    p = d.entry.person
    return [
        Reply(
            f"Xóa ghi nhận «{p.full_name or REMOVED_NAME}»? Họ tên và năm sinh sẽ bị xóa, người này không còn được "
            "tính vào số «được hướng dẫn trực tiếp» của thôn. Lịch sử (ai ghi, ai xóa, lúc nào) vẫn được giữ.",
            buttons=rows(
                cb.GuidedRemoveYes(p.id).button("🗑 Đúng, xóa", no.YES),
                cb.GuidedDetail(p.id).button("Không xóa", no.NO),
                MENU_BUTTON,
            ),
        )
    ]


@router.button(cb.GuidedRemoveYes)
async def remove(ctx: Ctx, arg: cb.GuidedRemoveYes) -> list[Reply]:
    p = await svc.remove(ctx.session, ctx.user, arg.guided_id, ctx.now)
    return [
        Reply(
            "🗑 Đã xóa ghi nhận. Số liệu của thôn đã được cập nhật.",
            buttons=rows(cb.GuidedList(p.commune_id, 0).button("◀ Quay lại danh sách", no.BACK), MENU_BUTTON),
        )
    ]
