"""My progress, followed by the completion certificate when the core set is done."""

from __future__ import annotations

from bot import callbacks as cb
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.certificate import certificate_replies
from bot.engine.flows.common import MENU_BUTTON, rows
from bot.engine.router import router
from bot.messages import Reply
from bot.services import checkin, guided_claims, learning, practice


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
    helped = await guided_claims.helped_lessons(ctx.session, ctx.user) & set(ctx.app.catalog.lessons)
    if helped:
        lines += ["", f"🤝 Học cùng Tổ công nghệ số: {len(helped)} bài (đã tính vào tiến độ)."]
    at_class = [
        ctx.app.catalog.lessons[x]
        for x in await checkin.lessons_learned_at_class(ctx.session, ctx.user)
        if x in ctx.app.catalog.lessons
    ]
    if at_class:
        lines += ["", "🏫 Đã học tại lớp:"] + [f"• {x.title} (đã học tại lớp)" for x in at_class]
    if p.core_finished:  # progress, then her certificate (or, never answered, the question for its name)
        return [Reply("\n".join(lines)), *await certificate_replies(ctx, p.core_total)]
    return [Reply("\n".join(lines), buttons=rows(cb.MenuLearn().button("📚 Học tiếp", no.MENU_LEARN), MENU_BUTTON))]
