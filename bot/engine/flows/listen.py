"""«🔊 Nghe»: a voice message of a lesson step or a quiz question on request, the «Luôn đọc to bài học»
setting, and the spoken answer for people who send a voice note (they may not read)."""

from __future__ import annotations

from collections.abc import Sequence

from bot import callbacks as cb
from bot.content.models import Lesson
from bot.db.models import User
from bot.engine import numbers as no
from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.flows.common import menu_reply
from bot.engine.flows.quiz_order import shown_order
from bot.engine.router import router
from bot.messages import Button, Reply, numbered
from bot.services import learning
from bot.speech.scripts import menu_script, question_script

LISTEN = "🔊 Nghe"
CANNOT_SPEAK = "Xin lỗi, lúc này mình chưa đọc to được. Bạn đọc phần chữ ở trên giúp mình nhé."


async def step_voice(ctx: Ctx, lesson: Lesson, index: int) -> str | None:
    voice = await ctx.app.speech.step(lesson, index) if ctx.app.speech else None
    return str(voice.ogg) if voice else None


async def question_voice(ctx: Ctx, lesson: Lesson, index: int) -> str | None:
    speech = ctx.app.speech
    voice = await speech.speak(question_script(lesson, index, shown_order(ctx, lesson, index))) if speech else None
    return str(voice.ogg) if voice else None


def reads_aloud(ctx: Ctx) -> bool:
    return ctx.user is not None and ctx.user.read_aloud


@router.button(cb.ListenStep)
async def listen_step(ctx: Ctx, arg: cb.ListenStep) -> list[Reply]:
    lesson = learning.lesson_or_error(ctx.app.catalog, arg.lesson_id)
    if arg.step >= len(lesson.steps):
        return [Reply(texts.STALE_BUTTON)]
    voice = await step_voice(ctx, lesson, arg.step)
    if voice is None:
        return [Reply(CANNOT_SPEAK)]
    return [Reply(f"🔊 {lesson.title} — bước {arg.step + 1}/{len(lesson.steps)}", voice=voice)]


@router.button(cb.ListenQuestion)
async def listen_question(ctx: Ctx, arg: cb.ListenQuestion) -> list[Reply]:
    lesson = learning.lesson_or_error(ctx.app.catalog, arg.lesson_id)
    if arg.question >= len(lesson.quiz.questions):
        return [Reply(texts.STALE_BUTTON)]
    voice = await question_voice(ctx, lesson, arg.question)
    if voice is None:
        return [Reply(CANNOT_SPEAK)]
    return [Reply(f"🔊 Câu {arg.question + 1}/{len(lesson.quiz.questions)}", voice=voice)]


@router.menu_entry
def read_aloud_entry(user: User) -> list[Button]:
    label = "🔇 Thôi đọc to bài học" if user.read_aloud else "🔊 Luôn đọc to bài học"
    return [cb.ToggleReadAloud().button(label, no.MENU_READ_ALOUD)]


@router.button(cb.ToggleReadAloud)
async def toggle_read_aloud(ctx: Ctx, arg: cb.ToggleReadAloud) -> list[Reply]:
    assert ctx.user is not None
    ctx.user.read_aloud = not ctx.user.read_aloud
    if ctx.user.read_aloud:
        text = "🔊 Đã bật «Luôn đọc to bài học»: mỗi bước học và mỗi câu hỏi sẽ có kèm tin nhắn thoại."
    else:
        text = "Đã tắt «Luôn đọc to bài học». Muốn nghe bước nào, bạn bấm «🔊 Nghe» ở bước đó."
    return [await menu_reply(ctx, text)]


async def spoken_answer(ctx: Ctx, shown: Sequence[Button]) -> Reply:
    """For a voice note or a message the platform could not show: say, aloud, what can be chosen —
    the buttons last shown, or the main menu."""
    if not shown and ctx.user is not None:
        shown = (await menu_reply(ctx)).all_buttons()
    rows = tuple((b,) for b in shown)
    voice = None
    if ctx.app.speech is not None:
        choices = [(b.number or 0, b.label) for b in numbered(list(shown))]
        made = await ctx.app.speech.speak(menu_script(texts.VOICE_NOT_UNDERSTOOD, choices))
        voice = str(made.ogg) if made else None
    return Reply(texts.VOICE_NOT_UNDERSTOOD, buttons=rows, voice=voice)
