"""Announcements: villages → text (or a photo with a caption) → preview → send; delivery status.

Flow states: ann_villages (the picker in team_common), ann_text, ann_confirm.
"""

from __future__ import annotations

from bot import callbacks as cb
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, rows
from bot.engine.flows.team_common import (
    ANNOUNCEMENTS,
    CANCEL,
    HOME,
    NEW_ANNOUNCEMENT,
    assigned_villages,
    stale,
    village_name,
    villages_reply,
)
from bot.engine.router import router
from bot.messages import MediaTooLarge, Reply
from bot.services import announcements
from bot.services.errors import UserError
from bot.services.roles import require_team


@router.command("thongbao", "thong_bao")
@router.button(cb.NewAnnouncement)
async def new_announcement(ctx: Ctx, arg: object) -> list[Reply]:
    villages = assigned_villages(ctx)
    if len(villages) == 1:
        ctx.set_flow("ann_villages", villages=villages)
        return await ask_text(ctx, villages)
    ctx.set_flow("ann_villages", villages=[])
    return [villages_reply(ctx, "📣 Gửi thông báo. Gửi cho thôn nào? Bấm để chọn, rồi bấm «Xong».")]


async def ask_text(ctx: Ctx, villages: list[str]) -> list[Reply]:
    count = await announcements.recipient_count(ctx.session, ctx.user, villages, ctx.app)
    ctx.set_flow("ann_text", villages=villages)
    names = ", ".join(village_name(ctx, v) for v in villages)
    return [
        Reply(
            f"Gửi đến: {names} ({count} người).\nGõ nội dung thông báo. Muốn kèm ảnh, gửi ảnh "
            "(chú thích của ảnh sẽ là nội dung).",
            buttons=rows(CANCEL),
        )
    ]


async def _fetch_photo(ctx: Ctx) -> str:
    """Download the photo the team member just sent (only now, because a flow asked for it)."""
    fetch = ctx.app.media_fetchers.get(ctx.incoming.channel)
    if fetch is None or not ctx.incoming.media_ref:
        raise UserError("Kênh này chưa nhận được ảnh. Bạn gõ nội dung bằng chữ nhé.")
    try:
        path = await fetch(ctx.incoming.media_ref, ctx.app.settings.uploads_dir)
    except MediaTooLarge as exc:
        mb = exc.max_bytes // (1024 * 1024)
        raise UserError(f"Ảnh này lớn quá (hơn {mb} MB), mình không nhận được. Bạn gửi ảnh nhỏ hơn "
                        "(chụp lại, hoặc chọn gửi ảnh thường thay vì ảnh gốc), hoặc gõ nội dung bằng chữ nhé.") from exc
    except Exception as exc:
        raise UserError("Mình chưa tải được ảnh này. Bạn gửi lại ảnh, hoặc gõ nội dung bằng chữ nhé.") from exc
    return str(path)


@router.flow("ann_text", accepts_media=True, free_text=True)
async def ann_text(ctx: Ctx, text: str) -> list[Reply]:
    villages = list(ctx.data.get("villages", []))
    image = ctx.data.get("image")
    if ctx.incoming.media_ref:
        image = await _fetch_photo(ctx)
        if not text:
            ctx.set_flow("ann_text", villages=villages, image=image)
            return [Reply("Đã nhận ảnh. Giờ bạn gõ nội dung thông báo đi kèm ảnh.", buttons=rows(CANCEL))]
    try:
        clean = announcements.check_text(text)
    except UserError as err:
        return [Reply(err.message, buttons=rows(CANCEL))]
    count = await announcements.recipient_count(ctx.session, ctx.user, villages, ctx.app)
    silent = await announcements.outside_window_count(ctx.session, villages, ctx.now, has_image=bool(image))
    ctx.set_flow("ann_confirm", villages=villages, text=clean, image=image)
    return [
        Reply(
            "Xem trước tin nhắn bà con sẽ nhận:\n\n"
            + announcements.message_text(clean, villages, ctx.app)
            + f"\n\n👥 Sẽ gửi đến {count} người.{announcements.outside_window_note(silent)} Gửi ngay?",
            buttons=rows(
                cb.SendAnnouncement().button("✅ Gửi", no.WIZARD_NEXT),
                cb.RewriteAnnouncement().button("✏️ Viết lại", no.WIZARD_REDO),
                CANCEL,
            ),
            image=image,
        )
    ]


@router.button(cb.RewriteAnnouncement)
async def ann_rewrite(ctx: Ctx, arg: cb.RewriteAnnouncement) -> list[Reply]:
    require_team(ctx.user)
    if ctx.flow != "ann_confirm":
        return stale()
    return await ask_text(ctx, list(ctx.data.get("villages", [])))


@router.button(cb.SendAnnouncement)
async def ann_confirm(ctx: Ctx, arg: cb.SendAnnouncement) -> list[Reply]:
    require_team(ctx.user)
    if ctx.flow != "ann_confirm":
        return stale()
    ann, count = await announcements.send(
        ctx.session,
        ctx.app,
        ctx.user,
        ctx.data.get("text", ""),
        list(ctx.data.get("villages", [])),
        ctx.now,
        image_path=ctx.data.get("image"),
    )
    ctx.set_flow("menu")
    return [
        Reply(
            f"📣 Đã xếp hàng gửi thông báo đến {count} người. Bot gửi dần để không bị chặn; "
            "bấm «Tình trạng gửi» để xem đã gửi được bao nhiêu.",
            buttons=rows(
                cb.AnnouncementStatus(ann.id).button("📬 Tình trạng gửi", no.ANNOUNCEMENT_STATUS), ANNOUNCEMENTS, HOME
            ),
        )
    ]


@router.button(cb.Announcements)
async def ann_list(ctx: Ctx, arg: cb.Announcements) -> list[Reply]:
    require_team(ctx.user)
    found = await announcements.recent(ctx.session, ctx.user)
    if not found:
        return [Reply("Bạn chưa gửi thông báo nào.", buttons=rows(NEW_ANNOUNCEMENT, HOME, MENU_BUTTON))]
    tz = ctx.app.settings.tz
    buttons = [
        cb.AnnouncementStatus(a.id).button(f"{a.created_at.astimezone(tz):%d/%m %H:%M} {a.text[:30]}") for a in found
    ]
    return [Reply("📬 Thông báo bạn đã gửi gần đây:", buttons=rows(*buttons, HOME, MENU_BUTTON))]


@router.button(cb.AnnouncementStatus)
async def ann_status(ctx: Ctx, arg: cb.AnnouncementStatus) -> list[Reply]:
    require_team(ctx.user)
    ann, d = await announcements.delivery(ctx.session, ctx.user, arg.announcement_id)
    return [
        Reply(
            f"📬 Thông báo «{ann.text[:60]}»\n"
            f"• Đã gửi: {d.sent}\n• Đang chờ gửi: {d.pending}\n• Lỗi: {d.failed}\n"
            f"• Người dùng đã chặn bot: {d.blocked}\n"
            + (
                f"• Không nhận được trên Zalo vì {announcements.OUTSIDE_WINDOW_REASON}: {d.outside_window}\n"
                if d.outside_window
                else ""
            )
            + (
                f"• Không nhận được trên Zalo vì {announcements.NO_QUOTA_REASON}: {d.out_of_quota}\n"
                if d.out_of_quota
                else ""
            )
            + f"Tổng: {d.total} người.",
            buttons=rows(
                cb.AnnouncementStatus(ann.id).button("🔄 Cập nhật", no.ANNOUNCEMENT_STATUS), ANNOUNCEMENTS, HOME
            ),
        )
    ]
