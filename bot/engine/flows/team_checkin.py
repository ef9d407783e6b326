"""The team side of class check-in, from a class's detail screen: the poster (10), who has come (11),
the class's lesson (12). Every handler re-checks on the server that the person may see the class."""

from __future__ import annotations

import asyncio

from bot import callbacks as cb
from bot.db.models import ClassStatus, Klass
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, paged, rows
from bot.engine.flows.team_common import HOME
from bot.engine.router import router
from bot.messages import Button, Document, Reply
from bot.services import checkin as svc
from bot.services import checkin_poster as poster
from bot.services.classes import can_manage_class
from bot.services.errors import Forbidden, UserError

FILE_CHANNELS_NOT = frozenset({"zalo", "zalo_oa"})  # cannot send a PDF: they get its link


def poster_button(class_id: int) -> Button:
    return cb.CheckinPoster(class_id).button("🧾 Mã điểm danh (áp phích)", no.CLASS_CHECKIN_POSTER)


def arrived_button(class_id: int) -> Button:
    return cb.Arrived(class_id).button("👀 Người đã đến", no.CLASS_CHECKED_IN)


def lesson_button(class_id: int) -> Button:
    return cb.ClassLesson(class_id, 0).button("📚 Bài của lớp", no.CLASS_LESSON)


def _back(class_id: int) -> Button:
    return cb.ClassDetail(class_id).button("↩ Về lớp này", no.CLASS_BACK)


@router.button(cb.CheckinPoster)
async def show_poster(ctx: Ctx, arg: cb.CheckinPoster) -> list[Reply]:
    klass = await svc.viewable_class(ctx.session, ctx.user, arg.class_id)
    if klass.status == ClassStatus.CANCELLED:
        raise UserError("Lớp này đã hủy, không cần mã điểm danh.")
    await svc.ensure_code(ctx.session, klass)
    assert klass.checkin_code and klass.checkin_token
    text = poster.poster_text(ctx.app, klass)
    png, pdf = await asyncio.gather(
        asyncio.to_thread(poster.render_png, text), asyncio.to_thread(poster.render_pdf, text)
    )
    image = await asyncio.to_thread(poster.save_png, ctx.app, png)
    tz = ctx.app.settings.tz
    opens, closes = svc.window(klass)
    pdf_link = svc.web_link(ctx.app, klass.checkin_token) + "/ap-phich.pdf"
    caption = (
        f"🧾 Mã điểm danh lớp «{klass.title}»: {klass.checkin_code}\n"
        f"In áp phích này (khổ A5) và dán ở chỗ học. Bà con quét mã QR, hoặc nhắn «điểm danh {klass.checkin_code}» "
        f"cho bot, từ {opens.astimezone(tz):%H:%M} đến {closes.astimezone(tz):%H:%M} ngày "
        f"{klass.starts_at.astimezone(tz):%d/%m}. Người chưa đăng ký cũng được tính; mỗi người chỉ tính một lần."
    )
    document = None
    if ctx.incoming.channel not in FILE_CHANNELS_NOT:
        document = Document(poster.filename(klass, "pdf"), pdf, poster.PDF_MIME)
    follow = Reply(
        f"📄 Bản in PDF: {pdf_link}\nBấm «Người đã đến» để xem ai đã điểm danh.",
        buttons=rows(arrived_button(klass.id), _back(klass.id), HOME, MENU_BUTTON),
        document=document,
    )
    return [Reply(caption, image=str(image), link=text.link), follow]


@router.button(cb.Arrived)
async def show_arrived(ctx: Ctx, arg: cb.Arrived) -> list[Reply]:
    seen = await svc.arrivals(ctx.session, ctx.user, arg.class_id)
    klass = seen.klass
    tz = ctx.app.settings.tz
    lines = [f"👀 Lớp «{klass.title}»: đã có {seen.count} người đến."]
    for n, person in enumerate(seen.people, start=1):
        how = "tự điểm danh" if person.self_checkin else "Tổ điểm danh"
        extra = "" if person.registered else ", chưa đăng ký trước"
        lines.append(f"{n}. {person.name[:40]} — {person.at.astimezone(tz):%H:%M} ({how}{extra})")
    if seen.walk_in_names:
        lines.append("Tổ ghi thêm (không dùng bot): " + ", ".join(seen.walk_in_names))
    opens, closes = svc.window(klass)
    if klass.checkin_code:
        lines.append(
            f"\nMã điểm danh {klass.checkin_code}: mở từ {opens.astimezone(tz):%H:%M} đến "
            f"{closes.astimezone(tz):%H:%M} ngày {klass.starts_at.astimezone(tz):%d/%m}."
        )
    else:
        lines.append("\nLớp chưa có mã điểm danh: bấm «Mã điểm danh (áp phích)» để tạo và in.")
    lines.append("Bấm «👀 Người đã đến» để xem lại số mới nhất.")
    buttons: list[Button | None] = []
    if klass.status != ClassStatus.CANCELLED and klass.starts_at <= ctx.now:
        buttons.append(cb.Attendance(klass.id).button("✅ Điểm danh", no.CLASS_ATTENDANCE))
    if klass.status != ClassStatus.CANCELLED:
        buttons += [arrived_button(klass.id), poster_button(klass.id)]
    return [Reply("\n".join(lines), buttons=rows(*buttons, _back(klass.id), HOME, MENU_BUTTON))]


@router.button(cb.ClassLesson)
async def choose_lesson(ctx: Ctx, arg: cb.ClassLesson) -> list[Reply]:
    klass = await svc.viewable_class(ctx.session, ctx.user, arg.class_id)
    _manage_only(ctx, klass)
    current = ctx.app.catalog.get(klass.lesson_id) if klass.lesson_id else None
    items = [cb.PickClassLesson(klass.id, x.id).button(x.title) for x in ctx.app.catalog.lessons.values()]
    chunk, nav = paged(items, arg.page, lambda page: cb.ClassLesson(klass.id, page))
    now = f"Bài hiện tại: «{current.title}»." if current else "Lớp chưa gắn bài học nào."
    text = (
        f"📚 Lớp «{klass.title}» học bài nào? {now}\n"
        "Người đến lớp sẽ được ghi bài này là «đã học tại lớp»; người đăng ký mà vắng sẽ được gửi bài này."
    )
    return [Reply(text, buttons=rows(*chunk) + nav + rows(_back(klass.id), MENU_BUTTON))]


def _manage_only(ctx: Ctx, klass: Klass) -> None:
    """Marking the lesson changes the class: its team (or an admin), not an official who only looks."""
    if ctx.user is None or not can_manage_class(ctx.user, klass):
        raise Forbidden("Chỉ Tổ công nghệ số của thôn gắn được bài học cho lớp.")


@router.button(cb.PickClassLesson)
async def pick_lesson(ctx: Ctx, arg: cb.PickClassLesson) -> list[Reply]:
    klass = await svc.viewable_class(ctx.session, ctx.user, arg.class_id)
    _manage_only(ctx, klass)
    lesson = ctx.app.catalog.get(arg.lesson_id)
    if lesson is None:
        raise UserError("Không tìm thấy bài học này. Bạn chọn lại trong danh sách nhé.")
    klass.lesson_id = lesson.id
    klass.updated_at = ctx.now
    return [
        Reply(
            f"✅ Đã gắn bài «{lesson.title}» cho lớp «{klass.title}». Người đến lớp được ghi «đã học tại lớp».",
            buttons=rows(_back(klass.id), HOME, MENU_BUTTON),
        )
    ]
