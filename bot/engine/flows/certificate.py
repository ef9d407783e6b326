"""The completion certificate: after the last core quiz result, her name is asked once (optional), then
the certificate with the village, date, lessons and a verification code."""

from __future__ import annotations

from bot import callbacks as cb
from bot.db.models import Certificate
from bot.db.repositories import certificates as certificates_repo
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, menu_reply, rows
from bot.engine.router import router
from bot.messages import Reply
from bot.services import certificates
from bot.text import fold

FLOW = "cert_name"
_NO_NAME_WORDS = {"khong", "ko", "k", "thoi", "bo qua", "khong can", "khong ghi", "khong ghi ten", "khong muon"}
NO_NAME = "Không ghi tên"


def ask_name(ctx: Ctx, core_total: int) -> Reply:
    ctx.set_flow(FLOW)
    return Reply(
        f"🎉 Bạn đã học xong cả {core_total} bài kỹ năng số cơ bản! Mình làm giấy ghi nhận cho bạn.\n"
        "Bạn muốn ghi họ tên nào trên giấy? Gõ họ tên, ví dụ «Nguyễn Thị Lan».\n"
        "Họ tên chỉ dùng để ghi trên giấy này. Không muốn ghi tên thì gõ 1.",
        buttons=rows(cb.CertificateNoName().button(NO_NAME, no.FORWARD)),
    )


async def certificate_replies(ctx: Ctx, core_total: int) -> list[Reply]:
    """Her certificate if she has one; otherwise the question for the name on it."""
    assert ctx.user is not None
    cert = await certificates_repo.for_user(ctx.session, ctx.user.id)
    if cert is None:
        return [ask_name(ctx, core_total)]
    return [certificate_reply(ctx, cert)]


def certificate_reply(ctx: Ctx, cert: Certificate) -> Reply:
    day = cert.issued_at.astimezone(ctx.app.settings.tz).strftime("%d/%m/%Y")
    titles = [ctx.app.catalog.lessons[x].title for x in cert.lessons or [] if x in ctx.app.catalog.lessons]
    lessons = "\n".join(f"{n}. {title}" for n, title in enumerate(titles, start=1))
    text = (
        "🏅 GIẤY GHI NHẬN HOÀN THÀNH\n"
        "Phong trào «Bình dân học vụ số»\n\n"
        f"Ghi nhận: {cert.full_name or 'người học (không ghi tên)'}\n"
        f"Nơi ở: {ctx.app.places.village_label(cert.village_id)}\n"
        f"Ngày: {day}\n"
        f"Đã học xong {len(titles)} bài kỹ năng số cơ bản:\n{lessons}\n\n"
        f"Mã xác nhận: {cert.code}\n"
        "Cán bộ xã kiểm tra mã này trên trang quản lý của xã.\n\n"
        "Bạn hãy chia sẻ kiến thức này với người thân: «Người biết chỉ cho người chưa biết»."
    )
    return Reply(text, buttons=rows(MENU_BUTTON))


async def _issue(ctx: Ctx, name: str | None) -> list[Reply]:
    assert ctx.user is not None
    cert = await certificates.issue(ctx.session, ctx.user, ctx.app.catalog, name, ctx.now)
    ctx.set_flow("menu")
    return [certificate_reply(ctx, cert)]


@router.button(cb.CertificateNoName)
async def no_name(ctx: Ctx, arg: object) -> list[Reply]:
    return await _issue(ctx, None)


@router.flow(FLOW)
async def typed_name(ctx: Ctx, text: str) -> list[Reply]:
    folded = fold(text)
    if folded in _NO_NAME_WORDS:
        return await _issue(ctx, None)
    if folded == "menu":
        return [await menu_reply(ctx)]
    name = certificates.clean_name(text)
    if name is None:
        again = Reply(
            f"Mình chưa đọc được tên đó. Bạn gõ họ tên bằng chữ (không có số, tối đa {certificates.NAME_LIMIT} "
            "chữ cái), ví dụ «Nguyễn Thị Lan». Không muốn ghi tên thì gõ 1.",
            buttons=rows(cb.CertificateNoName().button(NO_NAME, no.FORWARD)),
        )
        return [again]
    return await _issue(ctx, name)
