"""Quiz: one question at a time, explanation after each answer, score at the end."""

from __future__ import annotations

from bot import callbacks as cb
from bot.content.models import Lesson
from bot.db.repositories import progress as progress_repo
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.certificate import certificate_replies
from bot.engine.flows.common import MENU_BUTTON, rows
from bot.engine.flows.listen import LISTEN, question_voice, reads_aloud
from bot.engine.flows.quiz_order import attempt_seed, shown_order
from bot.engine.router import router
from bot.messages import Button, Reply
from bot.services import learning


async def question_reply(ctx: Ctx, lesson: Lesson, index: int) -> Reply:
    """A question, its choices in this attempt's order, then «🔊 Nghe» (last, so a typed choice number
    stays the choice's)."""
    q = lesson.quiz.questions[index]
    total = len(lesson.quiz.questions)
    buttons = [cb.Answer(index, i).button(q.choices[i]) for i in shown_order(ctx, lesson, index)]
    listen = cb.ListenQuestion(lesson.id, index).button(LISTEN, no.LISTEN)
    voice = await question_voice(ctx, lesson, index) if reads_aloud(ctx) else None
    return Reply(f"📝 Câu {index + 1}/{total}: {q.text}", buttons=rows(*buttons, listen), voice=voice)


def _current(ctx: Ctx) -> tuple[Lesson, int, list[int]] | None:
    if ctx.flow != "quiz":
        return None
    lesson = ctx.app.catalog.get(ctx.data.get("lesson_id", ""))
    if lesson is None:
        return None
    return lesson, int(ctx.data.get("q", 0)), list(ctx.data.get("answers", []))


@router.button(cb.StartQuiz)
async def start_quiz(ctx: Ctx, arg: cb.StartQuiz) -> list[Reply]:
    lesson_id = arg.lesson_id or ctx.data.get("lesson_id", "")
    lesson = learning.lesson_or_error(ctx.app.catalog, lesson_id)
    assert ctx.user is not None
    attempt = await progress_repo.attempt_count(ctx.session, ctx.user.id, lesson.id)
    ctx.set_flow("quiz", lesson_id=lesson.id, q=0, answers=[], seed=attempt_seed(ctx.user.id, lesson.id, attempt))
    intro = Reply(f"Bài kiểm tra: {len(lesson.quiz.questions)} câu, đúng {lesson.quiz.pass_score} câu là đạt.")
    return [intro, await question_reply(ctx, lesson, 0)]


@router.button(cb.Answer)
async def answer(ctx: Ctx, arg: cb.Answer) -> list[Reply]:
    current = _current(ctx)
    if current is None:
        return [Reply("Bài kiểm tra này đã kết thúc. Bạn bấm Menu để tiếp tục nhé.", buttons=rows(MENU_BUTTON))]
    lesson, index, answers = current
    q = lesson.quiz.questions[index]
    if arg.question != index or arg.choice >= len(q.choices):
        return [Reply("Câu đó đã qua rồi. Đây là câu hiện tại:"), await question_reply(ctx, lesson, index)]
    choice = arg.choice
    answers.append(choice)
    verdict = "✅ Đúng rồi!" if choice == q.answer else f"❌ Chưa đúng. Đáp án đúng: {q.choices[q.answer]}."
    feedback = Reply(f"{verdict}\n{q.explain}")
    if index + 1 < len(lesson.quiz.questions):
        ctx.update_data(q=index + 1, answers=answers)
        return [feedback, await question_reply(ctx, lesson, index + 1)]
    return [feedback, *await _finish(ctx, lesson, answers)]


async def _finish(ctx: Ctx, lesson: Lesson, answers: list[int]) -> list[Reply]:
    assert ctx.user is not None
    result = await learning.finish_quiz(ctx.session, ctx.user, lesson, answers, ctx.now)
    ctx.set_flow("menu")
    score = f"Bạn trả lời đúng {result.score}/{result.total} câu."
    if not result.passed:
        return [
            Reply(
                f"{score} Cần đúng {lesson.quiz.pass_score} câu để hoàn thành bài. Không sao, mình thử lại nhé!",
                buttons=rows(
                    cb.StartQuiz(lesson.id).button("🔁 Làm lại bài kiểm tra", no.FORWARD),
                    cb.RereadLesson(lesson.id).button("📘 Đọc lại bài học", no.BACK),
                    MENU_BUTTON,
                ),
            )
        ]
    done = f"🎉 {score} Bạn đã hoàn thành bài «{lesson.title}»!"
    if result.newly_completed and lesson.core:
        p = await learning.progress(ctx.session, ctx.user, ctx.app.catalog)
        if p.core_finished:  # the certificate comes after the result, and only its question has buttons
            return [Reply(done), *await certificate_replies(ctx, p.core_total)]
    following, hint = await next_lesson_button(ctx)
    buttons = rows(following, cb.MenuProgress().button("📊 Tiến độ", no.MENU_PROGRESS), MENU_BUTTON)
    return [Reply(f"{done}{hint}", buttons=buttons)]


async def next_lesson_button(ctx: Ctx) -> tuple[Button, str]:
    """«Học bài tiếp theo» opens the first unfinished lesson in curriculum order (the list when all are
    done), with a line naming it."""
    assert ctx.user is not None
    done = await progress_repo.completed_ids(ctx.session, ctx.user.id)
    following = ctx.app.catalog.next_unfinished(done)
    if following is None:
        return cb.MenuLearn().button("📚 Xem lại các bài học", no.MENU_LEARN), ""
    hint = f"\nBài tiếp theo: «{following.title}»."
    return cb.OpenLesson(following.id).button("📚 Học bài tiếp theo", no.MENU_LEARN), hint


@router.flow("quiz")
async def typed_in_quiz(ctx: Ctx, text: str) -> list[Reply]:
    current = _current(ctx)
    if current is None:
        return [Reply("Bạn bấm Menu để tiếp tục nhé.", buttons=rows(MENU_BUTTON))]
    lesson, index, _ = current
    return [
        Reply("Bạn bấm một đáp án bên dưới giúp mình nhé."),
        await question_reply(ctx, lesson, index),
    ]
