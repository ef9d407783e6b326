"""/dulieu shows what is stored about me; /xoadulieu deletes it after confirmation."""

from __future__ import annotations

from bot import callbacks as cb
from bot.engine import numbers as no
from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, rows
from bot.engine.router import router
from bot.messages import Reply
from bot.services import export, users

NOTHING = "Mình không lưu dữ liệu nào về bạn (bạn chưa đồng ý cho lưu)."


@router.command("dulieu", public=True)
@router.button(cb.MenuData, public=True)
async def show_my_data(ctx: Ctx, arg: object) -> list[Reply]:
    if ctx.user is None:
        return [Reply(NOTHING)]
    d = await users.my_data(ctx.session, ctx.user, ctx.app.places)
    tz = ctx.app.settings.tz
    text = (
        "🔒 Dữ liệu mình đang lưu về bạn:\n"
        f"• Kênh: {d.user.channel}, mã tài khoản: {d.user.platform_id}\n"
        f"• Tên hiển thị: {d.user.display_name or '(không có)'}\n"
        f"• Nơi ở: {d.place}\n"
        f"• Đồng ý lưu dữ liệu lúc: {d.user.consent_at.astimezone(tz).strftime('%H:%M %d/%m/%Y')}\n"
        f"• Bài đã mở: {d.lessons_started}, đã hoàn thành: {d.lessons_completed}\n"
        f"• Số lần làm bài kiểm tra: {d.quiz_attempts}\n"
        f"• Vai trò: {texts.ROLE_LABELS.get(d.user.role, d.user.role)}\n\n"
        "Về người khác: nếu bạn ở Tổ công nghệ số, nội dung thông báo bạn đã gửi vẫn được giữ (là hồ sơ "
        "của xã, ảnh kèm theo được xóa cùng dữ liệu của bạn); tên người đến lớp không đăng ký mà bạn ghi "
        f"khi điểm danh được giữ {ctx.app.settings.walk_in_name_retention_days} ngày để đối chiếu rồi tự xóa."
    )
    return [
        Reply(
            text,
            buttons=rows(
                cb.ExportData().button("📄 Tải dữ liệu của tôi", no.EXPORT),
                cb.DeleteAsk().button("🗑 Xóa dữ liệu của tôi", no.FORWARD),
                MENU_BUTTON,
            ),
        )
    ]


@router.command("taidulieu", public=True)
@router.button(cb.ExportData, public=True)
async def export_my_data(ctx: Ctx, arg: object) -> list[Reply]:
    """The person's data as a JSON file (Zalo shows it as text messages: it cannot send files)."""
    if ctx.user is None:
        return [Reply(NOTHING)]
    data = await export.export(ctx.session, ctx.user, ctx.app.places, ctx.app.catalog, ctx.app.settings.tz, ctx.now)
    return [
        Reply(
            "📄 Đây là tệp toàn bộ dữ liệu mình lưu về bạn (định dạng JSON, đọc được bằng máy tính hoặc "
            "chuyển sang nơi khác). Bạn có quyền nhận dữ liệu này theo Nghị định 13/2023/NĐ-CP.",
            document=export.as_document(data),
            buttons=rows(MENU_BUTTON),
        )
    ]


@router.command("xoadulieu", public=True)
@router.button(cb.DeleteAsk, public=True)
async def ask_delete(ctx: Ctx, arg: object) -> list[Reply]:
    if ctx.user is None:
        return [Reply(NOTHING)]
    ctx.set_flow("confirm_delete")
    return [
        Reply(
            "Bạn chắc chắn muốn xóa toàn bộ dữ liệu? Tiến độ học, kết quả kiểm tra và đăng ký lớp sẽ mất "
            "và không khôi phục được.",
            buttons=rows(cb.DeleteYes().button("🗑 Xóa hết", no.YES), cb.MenuMain().button("Không xóa", no.NO)),
        )
    ]


@router.button(cb.DeleteYes, public=True)
async def delete_button(ctx: Ctx, arg: cb.DeleteYes) -> list[Reply]:
    if ctx.user is None:
        return [Reply(NOTHING)]
    if ctx.flow != "confirm_delete":
        return [Reply("Mình chưa xóa gì. Muốn xóa dữ liệu, gõ /xoadulieu.", buttons=rows(MENU_BUTTON))]
    await users.delete_my_data(ctx.session, ctx.app, ctx.user)
    ctx.session.expunge_all()
    ctx.user = None
    ctx.state = None
    return [Reply("Đã xóa toàn bộ dữ liệu của bạn. Cảm ơn bạn đã học cùng mình! Gõ /start nếu muốn học lại.")]
