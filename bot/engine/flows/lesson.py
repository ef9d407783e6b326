"""Lessons, one step per message: next / back / menu; resumes where the user left off."""

from __future__ import annotations

from bot import callbacks as cb
from bot.content.models import Lesson, Step
from bot.content.taxonomy import COMMUNE_HOTLINE
from bot.db.repositories import progress as progress_repo
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, commune_hotline, menu_reply, paged, rows
from bot.engine.flows.listen import LISTEN, reads_aloud, step_voice
from bot.engine.router import router
from bot.messages import Button, Reply, link_button, phone_button
from bot.services import learning, practice


async def step_reply(ctx: Ctx, lesson: Lesson, step: int, edit: bool = False) -> Reply:
    """One step: its text, picture, «🔊 Nghe» (and its voice if she reads aloud); a practice step
    brings its task (a QR code to scan)."""
    assert ctx.user is not None
    total = len(lesson.steps)
    current = lesson.steps[step]
    text = f"📘 {lesson.title}\nBước {step + 1}/{total}\n\n{current.text}"
    back = cb.StepBack().button("◀ Quay lại", no.BACK) if step > 0 else None
    if step < total - 1:
        forward = cb.StepNext().button("Tiếp ▶", no.FORWARD)
    else:
        forward = cb.StartQuiz(lesson.id).button("📝 Làm bài kiểm tra", no.FORWARD)
    listen = cb.ListenStep(lesson.id, step).button(LISTEN, no.LISTEN)
    image = str(ctx.app.settings.content_dir / current.image) if current.image else None
    link = None
    if current.practice:
        ticket = await practice.issue(ctx.session, ctx.app, ctx.user, lesson, current.practice, ctx.now)
        image, link = str(ticket.image), ticket.link
    voice = await step_voice(ctx, lesson, step) if reads_aloud(ctx) else None
    buttons = rows(back, forward, per_row=2) + rows(*step_links(ctx, current)) + rows(listen, MENU_BUTTON, per_row=2)
    return Reply(text, buttons=buttons, image=image, voice=voice, link=link, edit=edit)


def step_links(ctx: Ctx, step: Step) -> list[Button]:
    """The step's `links:` as link/phone buttons; `phone: xa` is the learner's commune hotline (none: left out)."""
    out = []
    for link in step.links:
        if link.url:
            out.append(link_button(link.label, link.url))
        elif link.phone == COMMUNE_HOTLINE:
            hotline = commune_hotline(ctx)
            if hotline:
                out.append(phone_button(link.label, hotline))
        elif link.phone:
            out.append(phone_button(link.label, link.phone))
    return out


async def show_lesson(ctx: Ctx, lesson: Lesson, restart: bool = False) -> list[Reply]:
    assert ctx.user is not None
    row = await learning.open_lesson(ctx.session, ctx.user, lesson, ctx.now)
    if restart:
        row.step = 0
    ctx.set_flow("lesson", lesson_id=lesson.id)
    intro = []
    if row.step == 0 and not restart:
        done = " (bạn đã hoàn thành bài này, học lại để ôn nhé)" if row.completed_at else ""
        intro = [Reply(f"Bắt đầu bài: {lesson.title} — khoảng {lesson.minutes} phút{done}.")]
    return [*intro, await step_reply(ctx, lesson, row.step)]


@router.button(cb.OpenLesson)
async def open_lesson(ctx: Ctx, arg: cb.OpenLesson) -> list[Reply]:
    return await show_lesson(ctx, learning.lesson_or_error(ctx.app.catalog, arg.lesson_id))


@router.button(cb.RereadLesson)
async def reread_lesson(ctx: Ctx, arg: cb.RereadLesson) -> list[Reply]:
    return await show_lesson(ctx, learning.lesson_or_error(ctx.app.catalog, arg.lesson_id), restart=True)


@router.button(cb.StepNext)
async def step_next(ctx: Ctx, arg: cb.StepNext) -> list[Reply]:
    return await _navigate(ctx, 1)


@router.button(cb.StepBack)
async def step_back(ctx: Ctx, arg: cb.StepBack) -> list[Reply]:
    return await _navigate(ctx, -1)


async def _navigate(ctx: Ctx, delta: int) -> list[Reply]:
    lesson = ctx.app.catalog.get(ctx.data.get("lesson_id", "")) if ctx.flow == "lesson" else None
    if lesson is None:
        return [await menu_reply(ctx, "Bạn chưa mở bài học nào. Chọn một bài nhé:")]
    assert ctx.user is not None
    step = await learning.move(ctx.session, ctx.user, lesson, delta, ctx.now)
    return [await step_reply(ctx, lesson, step, edit=True)]


@router.flow("lesson")
async def typed_in_lesson(ctx: Ctx, text: str) -> list[Reply]:
    """Free text during a lesson is a search; the lesson stays where it was."""
    from bot.engine.flows.search import search_reply

    return await search_reply(ctx, text)


@router.button(cb.MenuContinue)
async def continue_lesson(ctx: Ctx, arg: object) -> list[Reply]:
    assert ctx.user is not None
    row = await progress_repo.latest_unfinished(ctx.session, ctx.user.id)
    lesson = ctx.app.catalog.get(row.lesson_id) if row else None
    if lesson is None:
        return await list_lessons(ctx, cb.LessonPage(0))
    return await show_lesson(ctx, lesson)


@router.button(cb.MenuLearn)
@router.button(cb.LessonPage)
async def list_lessons(ctx: Ctx, arg: cb.LessonPage | cb.MenuLearn) -> list[Reply]:
    """All lessons in curriculum order (core lessons first), the completed ones marked ✅."""
    assert ctx.user is not None
    done = await progress_repo.completed_ids(ctx.session, ctx.user.id)
    lessons = list(ctx.app.catalog.lessons.values())
    items = [cb.OpenLesson(x.id).button(("✅ " if x.id in done else "") + _short(x.title)) for x in lessons]
    chunk, nav = paged(items, arg.page if isinstance(arg, cb.LessonPage) else 0, cb.LessonPage)
    text = "Chọn một bài để học (✅ là bài bạn đã hoàn thành). Bạn cũng có thể gõ điều muốn học."
    return [Reply(text, buttons=rows(*chunk) + nav + rows(MENU_BUTTON))]


def _short(title: str, limit: int = 48) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
