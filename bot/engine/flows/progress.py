"""My progress, and the completion certificate when the core set is done."""

from __future__ import annotations

from bot import callbacks as cb
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, rows
from bot.engine.router import router
from bot.messages import Reply
from bot.services import learning, practice


@router.command("tiendo")
@router.button(cb.MenuProgress)
async def show_progress(ctx: Ctx, arg: object) -> list[Reply]:
    assert ctx.user is not None
    p = await learning.progress(ctx.session, ctx.user, ctx.app.catalog)
    lines = [f"📊 Bạn đã hoàn thành {p.done}/{p.total} bài học."]
    lines.append(f"Bộ kỹ năng số cơ bản (bài cốt lõi): {p.core_done}/{p.core_total}.")
    lines.append("")
    lines += [f"• {t.label}: {t.done}/{t.total}" for t in p.by_topic]
    with_practice = {x.id for x in ctx.app.catalog.lessons.values() if any(s.practice for s in x.steps)}
    if with_practice:
        done = await practice.done_lessons(ctx.session, ctx.user) & with_practice
        lines += ["", f"🧪 Bài thực hành: {len(done)}/{len(with_practice)}"]
    replies = [Reply("\n".join(lines), buttons=rows(cb.MenuLearn().button("📚 Học tiếp", no.MENU_LEARN), MENU_BUTTON))]
    if p.core_finished:
        certificate = await certificate_reply(ctx)
        if certificate is not None:
            replies.insert(0, certificate)
    return replies


async def certificate_reply(ctx: Ctx, only_if_finished: bool = True) -> Reply | None:
    """Congratulations with a certificate text, once every core lesson is completed."""
    assert ctx.user is not None
    p = await learning.progress(ctx.session, ctx.user, ctx.app.catalog)
    if only_if_finished and not p.core_finished:
        return None
    name = ctx.user.display_name or "Bạn"
    place = ctx.app.places.village_label(ctx.user.village_id)
    day = ctx.now.astimezone(ctx.app.settings.tz).strftime("%d/%m/%Y")
    text = (
        "🏅 CHÚC MỪNG!\n"
        "GIẤY GHI NHẬN HOÀN THÀNH\n"
        "Phong trào «Bình dân học vụ số»\n\n"
        f"Ghi nhận: {name}\n"
        f"Nơi ở: {place}\n"
        f"Đã hoàn thành {p.core_total} bài kỹ năng số cơ bản, ngày {day}.\n\n"
        "Bạn hãy chia sẻ kiến thức này với người thân: «Người biết chỉ cho người chưa biết»."
    )
    return Reply(text)
